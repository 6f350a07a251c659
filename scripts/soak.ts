// Soak benchmark (documented in RELIABILITY.md, not part of npm test): the built service (dist/) in its own process on
// a temp DATA_DIR with a model trained on ml-latest-small; autocannon at a steady rate on POST /predict for
// SOAK_SECONDS (default 300) while, in another process, the CLI retrains into the same DATA_DIR and then
// POST /api/reload swaps the new model in. Reports errors, non-2xx, timeouts, the request count against the
// expected count, p50/p99 and the service's RSS at start and end. Exit code 1 on any error or dropped request.
//
//   npm run build:ts && node --import tsx scripts/soak.ts       (SOAK_SECONDS=300 SOAK_RATE=300)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';

const ROOT = resolve(__dirname, '..');
const CLI = join(ROOT, 'bin', 'movierec.js');
const DATASET = resolve(ROOT, '..', 'shared', 'movielens', 'ml-latest-small', 'ratings.csv');
const SECONDS = Number(process.env.SOAK_SECONDS ?? 300);
const RATE = Number(process.env.SOAK_RATE ?? 300);
const PORT = Number(process.env.SOAK_PORT ?? 5077);
const RETRAIN_AT_S = Math.min(60, Math.floor(SECONDS / 5));

const rssMiB = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'movierec-soak-'));
  const env = { ...process.env, DATA_DIR: dataDir, THREADS: '1', PORT: String(PORT), HOST: '127.0.0.1', BOOTSTRAP: 'none', LOG_LEVEL: 'info' };
  const first = spawnSync(process.execPath, [CLI, 'train', `--dataset=${DATASET}`, '--factors', '32', '--iters', '8'], { env, encoding: 'utf8' });
  if (first.status !== 0) throw new Error(`initial train failed: ${first.stderr}`);
  const server = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'server', 'main.js')], { env, stdio: 'ignore' });
  try {
    for (let i = 0; ; i++) {
      const ok = await fetch(`http://127.0.0.1:${PORT}/readyz`).then((r) => r.ok, () => false);
      if (ok) break;
      if (i > 100) throw new Error('service not ready after 20 s');
      await sleep(200);
    }
    const rssStart = rssMiB(server.pid!);
    const events: string[] = [];
    const t0 = Date.now();
    const stamp = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
    // The retrain (another process, same DATA_DIR), then a reload, in the middle of the run.
    const background = (async () => {
      await sleep(RETRAIN_AT_S * 1000);
      events.push(`${stamp()} retrain started`);
      const code = await new Promise<number | null>((ok) => {
        const child = spawn(process.execPath, [CLI, 'train', `--dataset=${DATASET}`, '--factors', '48', '--iters', '10', '--seed', '11'], { env, stdio: 'ignore' });
        child.on('close', ok);
      });
      events.push(`${stamp()} retrain exited ${code}`);
      const res = await fetch(`http://127.0.0.1:${PORT}/api/reload`, { method: 'POST' });
      events.push(`${stamp()} POST /api/reload -> ${res.status} ${(await res.text()).slice(0, 120)}`);
    })();
    const body = JSON.stringify([[1, 2, 6, 10, 34, 47, 50, 110, 150, 260], [5, 3, 4, 3.5, 4, 5, 5, 4.5, 3, 5]]);
    const result = await autocannon({
      url: `http://127.0.0.1:${PORT}/predict`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      connections: 16,
      overallRate: RATE,
      duration: SECONDS,
      timeout: 10,
    });
    await background;
    const rssEnd = rssMiB(server.pid!);
    const expected = RATE * SECONDS;
    const report = {
      seconds: SECONDS,
      rate: RATE,
      requests: result.requests.total,
      expected,
      dropped: Math.max(0, expected - result.requests.total),
      ok2xx: result['2xx'],
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
      rssMiB: { start: Number(rssStart.toFixed(1)), end: Number(rssEnd.toFixed(1)) },
      events,
    };
    console.log(JSON.stringify(report, null, 2));
    // autocannon's fixed rate may start or end one tick off: allow 1 % under the nominal count, nothing else.
    const failed = report.errors + report.timeouts + report.non2xx > 0 || report.requests < expected * 0.99;
    process.exitCode = failed ? 1 : 0;
  } finally {
    server.kill('SIGTERM');
    await new Promise((ok) => server.on('close', ok));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
