#!/usr/bin/env node
// Launcher of the gfr command: runs the compiled CLI, or says how to build it.
const path = require('node:path');
const fs = require('node:fs');

const compiled = path.join(__dirname, '..', 'dist', 'main.js');
if (!fs.existsSync(compiled)) {
  process.stderr.write('gfr: the CLI is not built yet: run `npm run build` in the repository\n');
  process.exit(1);
}
require(compiled)
  .run(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
