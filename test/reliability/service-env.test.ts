// The limits as an operator sets them: RATE_LIMIT and BODY_LIMIT in the environment of the service process
// (src/server/main.ts), not the app built by hand. security.test.ts checks loadConfig and the app separately; this
// checks that the process passes one to the other, and that its refusals carry the security headers and no path.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MyRecModel } from '../../src/model/index.js';
import { waitForLogLine } from '../helpers/log.js';
import { FIXTURE_ML_LATEST, REPO_ROOT } from '../helpers/paths.js';
import { logTo, tempDataDir } from '../server/helpers.js';

let dataDir: string;
let child: ReturnType<typeof spawn>;
let base: string;

before(async () => {
  dataDir = tempDataDir('movierec-service-env-');
  logTo(dataDir);
  await new MyRecModel({ dataDir, threads: 1 }).train(FIXTURE_ML_LATEST, { factors: 4, iterations: 2, seed: 9 });
  // A port the kernel just handed out and took back (PORT must be >= 1).
  const probe = createServer();
  await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', ok));
  const port = String((probe.address() as AddressInfo).port);
  await new Promise((ok) => probe.close(ok));
  child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src', 'server', 'main.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATA_DIR: dataDir, PORT: port, HOST: '127.0.0.1', BOOTSTRAP: 'none', RATE_LIMIT: '2', BODY_LIMIT: '2kb' },
    stdio: 'ignore',
  });
  base = `http://127.0.0.1:${port}`;
  const logFile = join(dataDir, 'log_file.log');
  await waitForLogLine(logFile, new RegExp(`listening on ${base}`), 30_000);
  await waitForLogLine(logFile, /model loaded: trained at/, 30_000);
});

after(async () => {
  child.kill('SIGTERM');
  await new Promise((ok) => child.once('exit', ok));
  rmSync(dataDir, { recursive: true, force: true });
});

function assertRefusal(status: number, headers: Headers, body: string, code: string): void {
  assert.equal(headers.get('x-content-type-options'), 'nosniff', `${status} without nosniff`);
  assert.match(headers.get('content-security-policy') ?? '', /default-src 'self'/);
  assert.equal(JSON.parse(body).error.code, code);
  assert.ok(!body.includes(dataDir) && !body.includes(REPO_ROOT) && !/\n\s+at /.test(body), body);
}

test('BODY_LIMIT=2kb from the environment: a 3 kB /predict body is a 413 naming 2048 bytes', async () => {
  const ids = Array.from({ length: 600 }, (_, i) => i + 1);
  const body = JSON.stringify([ids, ids.map(() => 4)]);
  assert.ok(body.length > 2048);
  const res = await fetch(`${base}/predict`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  const text = await res.text();
  assert.equal(res.status, 413, text);
  assertRefusal(res.status, res.headers, text, 'PAYLOAD_TOO_LARGE');
  assert.match(text, /2048 bytes/);
});

test('RATE_LIMIT=2 from the environment: a burst of 12 gets 429s with Retry-After; probes stay exempt', async () => {
  // Let the bucket refill after the previous test's request.
  await new Promise((r) => setTimeout(r, 1100));
  const burst = await Promise.all(Array.from({ length: 12 }, () => fetch(`${base}/api/movies/1`)));
  const statuses = burst.map((r) => r.status);
  assert.ok(statuses.filter((s) => s === 200).length >= 1, String(statuses));
  assert.ok(statuses.filter((s) => s === 429).length >= 8, `at most ~2 of 12 fit in the bucket: ${statuses.join(',')}`);
  assert.deepEqual(new Set(statuses), new Set([200, 429]));
  const texts = await Promise.all(burst.map((r) => r.text()));
  const refused = statuses.indexOf(429);
  assert.ok(Number(burst[refused].headers.get('retry-after')) >= 1);
  assertRefusal(429, burst[refused].headers, texts[refused], 'TOO_MANY_REQUESTS');
  const probes = await Promise.all(Array.from({ length: 6 }, () => fetch(`${base}/readyz`)));
  assert.deepEqual(
    probes.map((r) => r.status),
    Array(6).fill(200),
  );
});
