// The model versions of a data folder as the tests look at them: the folder the current pointer names.

import fs from 'node:fs';
import path from 'node:path';

/** The version `DATA_DIR/models/current.json` names. */
export function currentVersion(dataDir: string): string {
  const pointer = JSON.parse(fs.readFileSync(path.join(dataDir, 'models', 'current.json'), 'utf8')) as { version: string };
  return pointer.version;
}

/** The folder of the current version. */
export function currentModelDir(dataDir: string): string {
  return path.join(dataDir, 'models', currentVersion(dataDir));
}
