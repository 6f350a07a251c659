// MyRecModel.recommend batches concurrent requests into one native call (src/model/batcher.ts). What must hold:
// each request gets exactly the list it would get alone (NativeModel.recommendNewUser, sync), one request's bad
// input fails only that request, and a reload while batches are queued or running leaves each request on the model
// that was current when it came in.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { configureLogger } from '../../src/logger';
import { InvalidInputError, MyRecModel, type PredictResult, type RatingsPair } from '../../src/model';
import { native, type NativeModel } from '../../src/native';
import { missing, ML_LATEST_SMALL } from '../helpers/paths';

const skip = missing(ML_LATEST_SMALL);

/** `count` deterministic users of 1..12 ratings among `movies` (ids the model knows), with M of 1..30. */
function users(movies: number[], count: number, seed: number): { input: RatingsPair; M: number }[] {
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  return Array.from({ length: count }, () => {
    const n = 1 + Math.floor(rand() * 12);
    const ids = Array.from({ length: n }, () => movies[Math.floor(rand() * movies.length)]);
    const ratings = ids.map(() => 0.5 + Math.floor(rand() * 10) / 2);
    return { input: [ids, ratings] as RatingsPair, M: 1 + Math.floor(rand() * 30) };
  });
}

/** The list one user gets alone from `handle`, as [movie id, rounded estimate] pairs. */
function alone(handle: NativeModel, { input, M }: { input: RatingsPair; M: number }): [number, number][] {
  const r = handle.recommendNewUser(Uint32Array.from(input[0]), Float32Array.from(input[1]), M);
  return Array.from(r.movieIds, (id, i) => [id, Math.round(r.scores[i] * 1e4) / 1e4]);
}

function pairs(r: PredictResult): [number, number][] {
  return r.items.map((i) => [i.movieId, i.rating]);
}

describe('MyRecModel.recommend batches concurrent requests', { skip }, () => {
  let root: string;
  let dataDir: string;
  let otherVersion: string;
  let model: MyRecModel;
  let movies: number[];

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'movierec-batcher-'));
    dataDir = path.join(root, 'serving');
    configureLogger({ dataDir, level: 'info', consoleLevel: 'off' });
    model = new MyRecModel({ dataDir });
    await model.train(ML_LATEST_SMALL, { factors: 16, iterations: 3, seed: 1 });
    // A second version of another seed, to swap in during the reload test (training it made it current: `model`
    // still serves the first).
    const other = new MyRecModel({ dataDir });
    otherVersion = (await other.train(ML_LATEST_SMALL, { factors: 16, iterations: 3, seed: 2 })).version;
    movies = (await model.recommend([[], []], 300)).items.map((i) => i.movieId);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }));

  test('each of many concurrent requests gets the list it gets alone, in batches of more than one', async () => {
    const handle = native.loadModelSync(model.servedDir()!);
    const requests = users(movies, 300, 7);
    requests.push({ input: [[], []], M: 20 }, { input: [[999_999_999, movies[0]], [4, 5]], M: 5 });
    const before = model.batchStats();
    const results = await Promise.all(requests.map((r) => model.recommend(r.input, r.M)));
    results.forEach((result, i) => {
      assert.deepEqual(pairs(result), alone(handle, requests[i]), `request ${i}`);
      assert.equal(result.items.length, requests[i].M);
    });
    assert.equal(results.at(-2)!.personalised, false, 'an empty history gives the non-personalised list');
    assert.deepEqual(results.at(-1)!.unknownIds, [999_999_999]);
    const stats = model.batchStats();
    assert.equal(stats.requests - before.requests, requests.length);
    assert.ok(stats.batches - before.batches < requests.length / 4, `batched: ${JSON.stringify(stats)}`);
    assert.ok(stats.largestBatch > 1);
  });

  test("a request's bad input fails that request only", async () => {
    const handle = native.loadModelSync(model.servedDir()!);
    const good = users(movies, 40, 11);
    const calls = good.map((r) => model.recommend(r.input, r.M));
    // Outside the rating scale: refused by the core inside the batch. M = 0: refused before batching.
    const outOfScale = assert.rejects(
      model.recommend([[movies[0], movies[1]], [4, 9]], 10),
      (err: unknown) => err instanceof InvalidInputError && /rating 9/.test(err.message),
    );
    const badM = assert.rejects(model.recommend([[movies[0]], [4]], 0), InvalidInputError);
    calls.push(...good.map((r) => model.recommend(r.input, r.M)));
    await outOfScale;
    await badM;
    const results = await Promise.all(calls);
    results.forEach((result, i) => assert.deepEqual(pairs(result), alone(handle, good[i % good.length])));
  });

  test('a reload while batches are queued and running: each request is scored on the model current when it came in', async () => {
    const oldHandle = native.loadModelSync(model.servedDir()!);
    const newHandle = native.loadModelSync(model.store.versionDir(otherVersion));
    const requests = users(movies, 200, 23);
    const early = requests.map((r) => model.recommend(r.input, r.M));
    // The other version is current (its training moved the pointer): the reload starts while the early requests wait.
    const reloaded = model.reload();
    const during = requests.slice(0, 50).map((r) => model.recommend(r.input, r.M));
    await reloaded;
    const late = requests.map((r) => model.recommend(r.input, r.M));
    const [e, d, l] = await Promise.all([Promise.all(early), Promise.all(during), Promise.all(late)]);
    let differ = 0;
    requests.forEach((r, i) => {
      const old = alone(oldHandle, r);
      const fresh = alone(newHandle, r);
      assert.deepEqual(pairs(e[i]), old, `early request ${i}: the old model`);
      assert.deepEqual(pairs(l[i]), fresh, `late request ${i}: the new model`);
      if (i < 50) assert.deepEqual(pairs(d[i]), old, `request ${i} sent before the reload finished: the old model`);
      if (JSON.stringify(old) !== JSON.stringify(fresh)) differ++;
    });
    assert.ok(differ > requests.length / 2, `the two models give different lists (${differ} differ)`);
  });
});
