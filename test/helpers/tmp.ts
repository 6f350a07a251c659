// A fresh temporary folder per test (each test gets its own DATA_DIR), removed when the test ends.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';

export function tempDir(t: TestContext, prefix = 'movierec-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  // Retries: a logger configured on this folder may still be appending (log rotation creates files) while it is
  // removed, which makes rmdir fail with ENOTEMPTY once.
  t.after(() => fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }));
  return dir;
}

/** Writes `files` (name -> content) under a new temporary folder; returns the folder. */
export function tempFiles(t: TestContext, files: Record<string, string | Buffer>): string {
  const dir = tempDir(t);
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}
