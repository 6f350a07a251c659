// Ratings across real service processes on one DATA_DIR (one SQLite file in WAL mode): a rating given to one replica
// changes the list another replica serves, in the same second; and a 2xx means durable: `kill -9` in the middle of a
// burst of 1,000 rating writes loses none of the writes that were answered with a 2xx.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { shutdownLogger } from '../../../src/logger.js';
import { startReadyService, type Service } from '../../helpers/service.js';
import { trainedModel, type TrainedModel } from '../helpers.js';

let trained: TrainedModel;
const running: Service[] = [];

before(async () => {
  trained = await trainedModel();
});

after(async () => {
  for (const svc of running) svc.child.kill('SIGKILL');
  await shutdownLogger();
});

async function start(): Promise<Service> {
  // One process each (WORKERS=1): these are replicas as separate services, and kill -9 must hit the process that
  // answered the writes (with workers, the primary holds no connection; test/server/process.test.ts covers them).
  const svc = await startReadyService({ DATA_DIR: trained.dataDir, WORKERS: '1' });
  running.push(svc);
  return svc;
}

async function topMovies(url: string, user: number): Promise<{ ids: number[]; stored: number }> {
  const res = await fetch(`${url}/api/users/${user}/recommendations?M=10`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { items: { movieId: number }[]; storedRatings: number };
  return { ids: body.items.map((i) => i.movieId), stored: body.storedRatings };
}

function putRating(url: string, user: number, movie: number, rating: number): Promise<Response> {
  return fetch(`${url}/api/users/${user}/ratings/${movie}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ rating }),
  });
}

test('two replicas on one DATA_DIR: rate on one, and the list of the other changes in the same second', async () => {
  const [a, b] = await Promise.all([start(), start()]);
  const user = 3;
  const before = await topMovies(b.url, user);
  const rated = before.ids[0];
  const started = performance.now();
  assert.equal((await putRating(a.url, user, rated, 0.5)).status, 200);
  const afterwards = await topMovies(b.url, user);
  const ms = performance.now() - started;
  assert.ok(ms < 1000, `rate on A then list on B took ${ms.toFixed(0)} ms`);
  assert.equal(afterwards.stored, 1);
  assert.ok(!afterwards.ids.includes(rated), 'the rated movie left the list B serves');
  assert.notDeepEqual(afterwards.ids, before.ids);
  console.log(
    `replicas: rated movie ${rated} for user ${user} on A; B's list changed ${ms.toFixed(0)} ms later: ` +
      `[${before.ids.join(',')}] -> [${afterwards.ids.join(',')}]`,
  );
  // And the other way round: a deletion through B is what A lists.
  const del = await fetch(`${b.url}/api/users/${user}/ratings/${rated}`, { method: 'DELETE' });
  assert.equal(del.status, 200);
  const page = (await (await fetch(`${a.url}/api/users/${user}/ratings?limit=1000`)).json()) as { items: { movieId: number }[] };
  assert.ok(!page.items.some((i) => i.movieId === rated));
});

test('kill -9 in the middle of a burst of 1,000 rating writes: every write answered 2xx is there after restart', async () => {
  const svc = await start();
  const TOTAL = 1000;
  const IN_FLIGHT = 32;
  const KILL_AFTER = 300;
  const acknowledged = new Map<number, number>(); // user -> rating
  let next = 0;
  let killed = false;
  const worker = async () => {
    while (next < TOTAL) {
      const i = next++;
      const user = 6_000_000 + i;
      const rating = 0.5 + (i % 10) / 2;
      try {
        const res = await putRating(svc.url, user, 1, rating);
        if (res.ok) acknowledged.set(user, rating);
      } catch {
        // The connection died with the process: this write was never acknowledged.
      }
      if (!killed && acknowledged.size >= KILL_AFTER) {
        killed = true;
        svc.child.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  assert.equal((await svc.exit).signal, 'SIGKILL');
  assert.ok(acknowledged.size >= KILL_AFTER && acknowledged.size < TOTAL, `${acknowledged.size} writes acknowledged`);

  const restarted = await start();
  const missing: number[] = [];
  const users = [...acknowledged.keys()];
  await Promise.all(
    Array.from({ length: 8 }, async (_, w) => {
      for (let k = w; k < users.length; k += 8) {
        const user = users[k];
        const res = await fetch(`${restarted.url}/api/users/${user}/ratings`);
        const body = (await res.json()) as { items: { movieId: number; rating: number }[] };
        if (body.items[0]?.rating !== acknowledged.get(user)) missing.push(user);
      }
    }),
  );
  assert.deepEqual(missing, [], 'acknowledged writes lost by kill -9');
  console.log(`kill -9: ${acknowledged.size} of ${TOTAL} writes acknowledged before the kill; all ${acknowledged.size} there after restart`);
});
