// The Python of the interop tests: test/.venv, created from the pinned test/python/requirements.txt on first use (as
// bench/shared.ts makes bench/.venv), with the real pyspark and implicit from PyPI. CI builds it in its first
// `npm test` (about 2 minutes with an empty pip cache, seconds after).

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { pythonEnv } from '../../bench/shared';
import { REPO_ROOT } from './paths';

const VENV = path.join(REPO_ROOT, 'test', '.venv');
export const TEST_PYTHON = path.join(VENV, 'bin', 'python');
const REQUIREMENTS = path.join(REPO_ROOT, 'test', 'python', 'requirements.txt');
/** Written after a complete install: the requirements it was made from. */
const STAMP = path.join(VENV, 'requirements.installed');

/** test/.venv with the requirements installed; throws with pip's message when that is not possible. */
export function ensureTestVenv(): string {
  const wanted = fs.readFileSync(REQUIREMENTS, 'utf8');
  if (fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8') === wanted) return TEST_PYTHON;
  if (!fs.existsSync(TEST_PYTHON)) execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' });
  execFileSync(TEST_PYTHON, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', REQUIREMENTS], {
    stdio: 'inherit',
  });
  fs.writeFileSync(STAMP, wanted);
  return TEST_PYTHON;
}

/** Runs a script of test/python with the test venv; its last stdout line parsed as JSON (or null when none). */
export function runPython(script: string, args: string[]): unknown {
  const child = spawnSync(ensureTestVenv(), [path.join(REPO_ROOT, 'test', 'python', script), ...args], {
    cwd: REPO_ROOT,
    env: pythonEnv(),
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  if (child.status !== 0) {
    throw new Error(`${script} ${args.join(' ')} failed (${child.status ?? child.signal}): ${child.stderr.slice(-3000)}`);
  }
  const last = child.stdout.trim().split('\n').at(-1);
  return last ? (JSON.parse(last) as unknown) : null;
}
