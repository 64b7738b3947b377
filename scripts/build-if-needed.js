// Rebuilds dist/ when any TypeScript source is newer than the last build, so `npm start` works on a
// fresh checkout with nothing but `npm install` before it, and starts fast when nothing changed.
const { statSync, readdirSync, existsSync } = require('node:fs');
const { join } = require('node:path');
const { execFileSync } = require('node:child_process');

const root = join(__dirname, '..');
const stamp = join(root, 'dist', '.build-stamp');

function newestMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (/\.(ts|proto|json)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const sources = Math.max(
  ...['src', 'migrations', 'bench'].map((d) => newestMtime(join(root, d))),
  statSync(join(root, 'tsconfig.json')).mtimeMs,
);
const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
if (sources > built) {
  process.stderr.write('amsnet: building TypeScript sources…\n');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], {
    stdio: 'inherit',
    cwd: root,
  });
  require('node:fs').writeFileSync(stamp, new Date().toISOString());
}
