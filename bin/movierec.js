#!/usr/bin/env node
'use strict';
// The `movierec` command (package.json "bin"). The CLI is TypeScript compiled to dist/ by `npm run build`
// (which `npm ci` runs through the "prepare" script).
let cli;
try {
  cli = require('../dist/src/cli/index.js');
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('dist/src/cli/index.js')) {
    process.stderr.write('movierec: the CLI is not built yet; run `npm run build` (or `npm ci`) first\n');
    process.exit(1);
  }
  throw err;
}
cli.run();
