// What the benchmark drivers share (bench/run.ts, bench/ranking/run.ts): paths, logging, the Rust bench binary,
// the reference virtual environment bench/.venv and the environment its numpy-based libraries run in.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..');
export const VENV = join(ROOT, 'bench', '.venv');
const PYTHON = join(VENV, 'bin', 'python');
export const BENCH_BIN = join(ROOT, 'target', 'release', 'movierec-bench');

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  rustc: string;
}

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** Runs a command that prints one JSON object as its last stdout line. */
export function runJson(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const started = Date.now();
  const child = spawnSync(command, args, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (child.status !== 0) {
    const tail = (child.stderr ?? '').trim().split('\n').slice(-5).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed (${child.status ?? child.signal}): ${tail}`);
  }
  log(`  done in ${seconds} s`);
  const lines = child.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
}

export function buildBenchBinary(): void {
  log('building native/bench (cargo build --release -p movierec-bench)');
  execFileSync('cargo', ['build', '--release', '--locked', '-p', 'movierec-bench'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
}

/** bench/.venv with `requirements` installed (the references' by default), checked by importing `modules`; throws
 * with the reason when that is not possible. */
export function ensureVenv(
  requirements = join(ROOT, 'bench', 'reference', 'requirements.txt'),
  modules = 'implicit, pandas, pyspark, threadpoolctl',
): string {
  if (!existsSync(PYTHON)) {
    log('creating bench/.venv');
    execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' });
  }
  try {
    execFileSync(PYTHON, ['-c', `import ${modules}`], { stdio: 'ignore' });
  } catch {
    log(`installing ${requirements} into bench/.venv`);
    execFileSync(PYTHON, ['-m', 'pip', 'install', '--quiet', '-r', requirements], { stdio: 'inherit' });
  }
  return PYTHON;
}

/** The environment of the numpy-based references: OpenBLAS picks its own kernel (see .library env README: the
 * machine's OPENBLAS_CORETYPE override slows a current numpy), one BLAS thread (implicit threads itself). */
export function pythonEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', PYTHONUNBUFFERED: '1' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

export function machine(): Machine {
  const rustc = spawnSync('rustc', ['--version'], { encoding: 'utf8' }).stdout.trim();
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    rustc,
  };
}
