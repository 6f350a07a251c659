// Replicas on one data folder, as processes: a WORKERS=2 service (cluster primary and two workers, following by file
// events) and a WORKERS=1 service following by polling only. Under a steady load on both, a training elsewhere makes a
// new version current, then POST /api/reload?version= on one replica rolls back: every worker of both serves each
// version within 2 s, and no request fails. GET /metrics of the cluster shows both workers at once.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { shutdownLogger } from '../../src/logger.js';
import { MyRecModel } from '../../src/model/index.js';
import { currentVersion } from '../helpers/models.js';
import { ML_LATEST_SMALL, TEN_RATINGS, TRAIN_OPTIONS, copyDataDir, trainedModel, type TrainedModel } from './helpers.js';
import { freePort, startService, waitReady, type Service } from '../helpers/service.js';

const FOLLOW_WITHIN_MS = 2000;
/** Requests per second per replica of the steady load. */
const RATE = 50;

let trained: TrainedModel;
before(async () => {
  trained = await trainedModel();
});
after(async () => {
  await shutdownLogger();
});

/** How many processes of a service serve each version, from its (aggregated) metrics. */
async function servedBy(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const counts = new Map<string, number>();
  for (const m of text.matchAll(/^model_version_info\{version="([^"]+)"\} (\d+)/gm)) counts.set(m[1], Number(m[2]));
  return counts;
}

async function infoVersion(url: string): Promise<string> {
  return ((await (await fetch(`${url}/api/info`)).json()) as { model: { version: string } }).model.version;
}

/** Polls until `cond` holds; returns how long it took. */
async function until(what: string, cond: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await cond())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - started;
}

/** A steady stream of POST /predict to each url until stopped; counts answers by status (and network errors). */
function steadyLoad(urls: string[]) {
  const outcomes = new Map<string, number>();
  const count = (k: string): void => {
    outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
  };
  const body = JSON.stringify(TEN_RATINGS);
  const pending = new Set<Promise<void>>();
  const timer = setInterval(() => {
    for (const url of urls) {
      const p = fetch(`${url}/predict?M=5`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })
        .then(async (r) => {
          await r.arrayBuffer();
          count(String(r.status));
        })
        .catch((err: Error) => count(`error ${err.message}`))
        .finally(() => pending.delete(p));
      pending.add(p);
    }
  }, 1000 / RATE);
  return {
    outcomes,
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
    },
  };
}

describe('replicas following the current version', () => {
  test('train elsewhere, then roll back through one replica: all follow within 2 s, no request fails', async (t) => {
    const dataDir = copyDataDir(trained.dataDir);
    const v1 = currentVersion(dataDir);
    const services: Service[] = [];
    try {
      const common = { DATA_DIR: dataDir, HOST: '127.0.0.1', BOOTSTRAP: 'none', LOG_LEVEL: 'info' };
      const cluster = startService({ ...common, PORT: String(await freePort()), WORKERS: '2', MODEL_WATCH: 'fs' });
      services.push(cluster);
      const polling = startService({ ...common, PORT: String(await freePort()), WORKERS: '1', MODEL_WATCH: 'poll', MODEL_POLL_MS: '500' });
      services.push(polling);
      await Promise.all([waitReady(cluster.url), waitReady(polling.url)]);
      await until('both workers loaded v1', async () => (await servedBy(cluster.url)).get(v1) === 2, 30_000);

      const load = steadyLoad([cluster.url, polling.url]);
      await new Promise((r) => setTimeout(r, 500));
      const trainer = new MyRecModel({ dataDir, threads: 1 });
      const v2 = (await trainer.train(ML_LATEST_SMALL, { ...TRAIN_OPTIONS, seed: 8 })).version;
      const followed = await until(
        'every process serves v2',
        async () => (await servedBy(cluster.url)).get(v2) === 2 && (await infoVersion(polling.url)) === v2,
        FOLLOW_WITHIN_MS,
      );

      const res = await fetch(`${polling.url}/api/reload?version=${v1}`, { method: 'POST' });
      assert.equal(res.status, 200, await res.text());
      assert.equal(currentVersion(dataDir), v1);
      const rolledBack = await until(
        'every process serves v1 again',
        async () => (await servedBy(cluster.url)).get(v1) === 2 && (await infoVersion(polling.url)) === v1,
        FOLLOW_WITHIN_MS,
      );
      await new Promise((r) => setTimeout(r, 500));
      await load.stop();

      const outcomes = Object.fromEntries(load.outcomes);
      t.diagnostic(`promotion followed in ${followed} ms, rollback in ${rolledBack} ms; answers ${JSON.stringify(outcomes)}`);
      assert.deepEqual(Object.keys(outcomes), ['200'], `every request answered 200: ${JSON.stringify(outcomes)}`);
      assert.ok(outcomes['200'] > RATE, 'the load ran');

      // One metrics view over both workers: their request counters summed.
      const metrics = await (await fetch(`${cluster.url}/metrics`)).text();
      const predicts = [...metrics.matchAll(/^http_requests_total\{[^}]*route="\/predict"[^}]*status="200"\} (\d+)/gm)];
      assert.ok(predicts.length > 0 && Number(predicts[0][1]) > RATE, 'the cluster counts the requests of both workers');
      // Both workers wrote to the one log file (through the primary).
      const log = readFileSync(join(dataDir, 'log_file.log'), 'utf8');
      const workerPids = new Set([...log.matchAll(/listening on \S+ \(worker (\d+),/g)].map((m) => m[1]));
      assert.equal(workerPids.size, 2, 'both workers logged to the log file');

      for (const s of services) s.child.kill('SIGTERM');
      for (const s of services) assert.equal((await s.exit).code, 0);
    } finally {
      for (const s of services) if (s.child.exitCode === null) s.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
