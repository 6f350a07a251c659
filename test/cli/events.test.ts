// Training with the ratings stored through the API, through the built CLI on ml-latest-small plus 1,002 stored
// events (10 new users' 1,000 ratings, a replaced and a deleted training rating): the default merges them when the
// store has some and says so, --no-with-events leaves them out, model.json records the count and the latest event
// time, the new users are users of the model with their movies left out of their lists; `events export` writes
// the stored ratings as a MovieLens CSV.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { MyRecModel } from '../../src/model/index.js';
import { openSqliteStore, type RatingWrite } from '../../src/store/index.js';
import { runCli } from '../helpers/cli';
import { missing, ML_LATEST_SMALL } from '../helpers/paths';
import { currentModelDir } from '../helpers/models.js';
import { tempDir } from '../helpers/tmp';

const FAST = ['--method', 'als', '--factors', '16', '--iters', '6', '--seed', '7'];
const NEW_USERS = Array.from({ length: 10 }, (_, i) => 700_001 + i);

/** The first `n` distinct movie ids of the ratings file. */
function firstMovies(n: number): number[] {
  const ids = new Set<number>();
  for (const line of fs.readFileSync(ML_LATEST_SMALL, 'utf8').split('\n').slice(1)) {
    const id = Number(line.split(',')[1]);
    if (Number.isInteger(id)) ids.add(id);
    if (ids.size === n) break;
  }
  return [...ids];
}

interface TrainJson {
  dataset: { ratings: number; users: number };
  events?: { count: number; replaced: number; added: number; deleted: number; lastEventTime?: string };
}

describe('movierec train with the stored ratings, and events export', { skip: missing(ML_LATEST_SMALL) }, () => {
  test('merged by default when there are some, left out on request, recorded in model.json; exported as CSV', async (t) => {
    const dataDir = tempDir(t);
    const empty = await runCli(['train', `--dataset=${ML_LATEST_SMALL}`, ...FAST], { dataDir });
    assert.equal(empty.code, 0, empty.stderr);
    assert.match(empty.stdout, /Events {7}none merged: the rating store is empty/);
    const plain = JSON.parse((await runCli(['train', `--dataset=${ML_LATEST_SMALL}`, ...FAST, '--json'], { dataDir })).stdout) as TrainJson;

    const movies = firstMovies(100);
    const writes: RatingWrite[] = NEW_USERS.flatMap((userId, u) =>
      movies.map((movieId, m) => ({ userId, movieId, rating: 0.5 + ((u + m) % 10) / 2 })),
    );
    // User 1 rated movie 1 (4.0) and movie 3 (4.0) in the file: one deleted, one replaced.
    writes.push({ userId: 1, movieId: 1, rating: null }, { userId: 1, movieId: 3, rating: 1 });
    const store = openSqliteStore(dataDir);
    await store.write(writes);
    const last = await store.lastEventTime();
    await store.close();

    const byDefault = await runCli(['train', `--dataset=${ML_LATEST_SMALL}`, ...FAST], { dataDir });
    assert.equal(byDefault.code, 0, byDefault.stderr);
    assert.match(byDefault.stdout, /1,002 stored ratings and deletions merged, by default: the rating store is not empty/);
    assert.match(byDefault.stdout, /1 replaced, 1,000 added, 1 deleted/);

    const withEvents = JSON.parse(
      (await runCli(['train', `--dataset=${ML_LATEST_SMALL}`, ...FAST, '--with-events', '--json'], { dataDir })).stdout,
    ) as TrainJson;
    assert.deepEqual(withEvents.events, {
      count: 1002,
      replaced: 1,
      added: 1000,
      deleted: 1,
      lastEventTime: new Date(last as number).toISOString(),
    });
    assert.equal(withEvents.dataset.ratings, plain.dataset.ratings + 1000 - 1);
    assert.equal(withEvents.dataset.users, plain.dataset.users + NEW_USERS.length);
    const meta = JSON.parse(fs.readFileSync(path.join(currentModelDir(dataDir), 'model.json'), 'utf8'));
    assert.deepEqual(meta.events, withEvents.events, 'model.json records them');
    assert.equal(meta.counts.ratings, withEvents.dataset.ratings);

    // The effect on the model: the new users are users of it, their rated movies out of their lists.
    const model = new MyRecModel({ dataDir, threads: 2 });
    await model.warmup();
    const list = model.recommendForUser(NEW_USERS[0], 20);
    assert.ok(list, 'a new user of the API is a user of the model trained with events');
    assert.ok(list.items.every((i) => !movies.includes(i.movieId)));
    assert.equal(model.recommendForUser(424_242, 5), null);

    const without = JSON.parse(
      (await runCli(['train', `--dataset=${ML_LATEST_SMALL}`, ...FAST, '--no-with-events', '--json'], { dataDir })).stdout,
    ) as TrainJson;
    assert.equal(without.events, undefined);
    assert.equal(without.dataset.ratings, plain.dataset.ratings);

    const csv = path.join(dataDir, 'events.csv');
    const exported = await runCli(['events', 'export', csv], { dataDir });
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /Wrote 1,001 stored ratings/);
    assert.match(exported.stdout, /1 deletions not written/);
    const lines = fs.readFileSync(csv, 'utf8').trimEnd().split('\n');
    assert.equal(lines[0], 'userId,movieId,rating,timestamp');
    assert.equal(lines.length, 1 + 1001);
    assert.equal(lines[1], `1,3,1,${Math.floor((last as number) / 1000)}`, 'by user then movie; seconds');
    // A MovieLens file like any other: it trains.
    const again = await runCli(['train', `--dataset=${csv}`, ...FAST, '--no-with-events', '--json'], { dataDir });
    assert.equal(again.code, 0, again.stderr);
    assert.equal((JSON.parse(again.stdout) as TrainJson).dataset.ratings, 1001);
  });
});
