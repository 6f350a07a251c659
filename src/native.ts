// The one place that loads the addon (native/node, built by `npm run build:native`). Everything else imports the
// typed functions from here; only src/model uses them.
//
// The generated loader sits at <repo>/native/node/index.js. This file runs from src/ (tsx, tests) or from
// dist/src/ (the built CLI and service), so the loader is found by walking up to the package root.

import fs from 'node:fs';
import path from 'node:path';

import type * as Addon from '../native/node/index.js';

export type {
  Because as NativeBecause,
  DatasetReport,
  NativeDataset,
  NativeModel,
  RatingScale as NativeRatingScale,
} from '../native/node/index.js';

function findLoader(): string {
  let dir = __dirname;
  for (let up = 0; up < 4; up++) {
    const candidate = path.join(dir, 'native', 'node', 'index.js');
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`native addon loader (native/node/index.js) not found above ${__dirname}; run \`npm run build\``);
}

function load(): typeof Addon {
  const loader = findLoader();
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(loader) as typeof Addon;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`cannot load the native addon (${loader}): ${reason}. Run \`npm run build:native\`.`, {
      cause: err,
    });
  }
}

export const native: typeof Addon = load();
