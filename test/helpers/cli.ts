// Runs the built CLI (bin/movierec.js -> dist/) as a child process, the way a user does.

import { spawn, type ChildProcess } from 'node:child_process';

import { CLI_BIN, REPO_ROOT } from './paths';

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  dataDir: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
}

export function cliEnv(opts: CliOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: opts.dataDir, THREADS: '2', ...opts.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return env;
}

export function spawnCli(args: string[], opts: CliOptions): ChildProcess {
  return spawn(process.execPath, [CLI_BIN, ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: cliEnv(opts),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function runCli(args: string[], opts: CliOptions): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, opts);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
