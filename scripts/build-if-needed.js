// Rebuilds dist/ when any TypeScript source is newer than the last build, and the web app (dist/web)
// when anything under web/ or schema.graphql is newer than its last build, so `npm start` works on a
// fresh checkout with nothing but `npm install` before it, and starts fast when nothing changed.
const { statSync, readdirSync, existsSync } = require('node:fs');
const { join } = require('node:path');
const { execFileSync } = require('node:child_process');

const root = join(__dirname, '..');
const stamp = join(root, 'dist', '.build-stamp');

function newestMtime(dir, pattern = /\.(ts|proto|json)$/) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path, pattern));
    else if (pattern.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : 0);

const sources = Math.max(
  ...['src', 'migrations', 'bench'].map((d) => newestMtime(join(root, d))),
  statSync(join(root, 'tsconfig.json')).mtimeMs,
);
const built = mtime(stamp);
if (sources > built) {
  process.stderr.write('amsnet: building TypeScript sources…\n');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], {
    stdio: 'inherit',
    cwd: root,
  });
  require('node:fs').writeFileSync(stamp, new Date().toISOString());
}

const webStamp = join(root, 'dist', '.web-build-stamp');
const webSources = Math.max(
  newestMtime(join(root, 'web'), /\.(ts|tsx|css|html|graphql|svg|json)$/),
  mtime(join(root, 'schema.graphql')),
  mtime(join(root, 'scripts', 'codegen-web.js')),
  mtime(join(root, 'scripts', 'build-web.js')),
);
if (webSources > mtime(webStamp) || !existsSync(join(root, 'dist', 'web', 'index.html'))) {
  process.stderr.write('amsnet: building the web app…\n');
  execFileSync(process.execPath, [join(__dirname, 'build-web.js')], { stdio: 'inherit', cwd: root });
}
