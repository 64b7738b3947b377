// Builds the web app into dist/web: typed GraphQL documents from schema.graphql (codegen-web.js),
// a type check of web/ (Vite does not check types), then the Vite bundle. Used by `npm run build`
// and by build-if-needed.js when web sources changed.
const { execFileSync } = require('node:child_process');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const run = (script, args) => execFileSync(process.execPath, [script, ...args], { stdio: 'inherit', cwd: root });

run(join(__dirname, 'codegen-web.js'), []);
run(require.resolve('typescript/bin/tsc'), ['-p', join(root, 'web', 'tsconfig.json')]);
run(join(root, 'node_modules', 'vite', 'bin', 'vite.js'), [
  'build',
  '--config',
  join(root, 'web', 'vite.config.mts'),
  '--logLevel',
  'warn',
]);
writeFileSync(join(root, 'dist', '.web-build-stamp'), new Date().toISOString());
