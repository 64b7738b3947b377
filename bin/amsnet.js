#!/usr/bin/env node
// The `amsnet` command: runs the compiled CLI (npm start and the bin entry build it first).
require('reflect-metadata');
require('../dist/src/app/main.js')
  .main(process.argv)
  .catch((err) => {
    // Errors a user can act on print their message alone; anything else also prints the stack.
    const userFacing = err && err.name === 'UserError';
    process.stderr.write(`amsnet: ${userFacing ? err.message : (err && err.stack) || err}\n`);
    process.exit(typeof err?.exitCode === 'number' ? err.exitCode : 1);
  });
