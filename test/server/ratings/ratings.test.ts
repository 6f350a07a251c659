// The ratings resource on a real model trained on ml-latest-small (in-process app, SQLite store in the data folder):
// rate then list (the rated movie leaves the list at once, the list changes, the answer counts the stored ratings),
// deletions hide training ratings, batches are all or none, paging covers every rating once, new people are
// welcome, and bad input is a 400 naming the field or a 404 naming the movie.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { shutdownLogger } from '../../../src/logger.js';
import type { ServiceApp } from '../../../src/server/app.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../../src/server/app.js';
import { openSqliteStore } from '../../../src/store/index.js';
import { makeApp, settings, trainedModel, type TrainedModel } from '../helpers.js';

let trained: TrainedModel;
let app: ReturnType<ServiceApp['callback']>;

before(async () => {
  trained = await trainedModel();
  app = makeApp(trained.model, trained.dataDir).callback();
});

after(async () => {
  await shutdownLogger();
});

const put = (user: number, movie: number | string, body: unknown) =>
  request(app).put(`/api/users/${user}/ratings/${movie}`).set('Content-Type', 'application/json').send(JSON.stringify(body));
const post = (user: number, body: unknown) =>
  request(app).post(`/api/users/${user}/ratings`).set('Content-Type', 'application/json').send(JSON.stringify(body));

interface ListBody {
  items: { movieId: number }[];
  personalised: boolean;
  storedRatings: number;
}
async function list(user: number, M = 10): Promise<ListBody> {
  return (await request(app).get(`/api/users/${user}/recommendations?M=${M}`).expect(200)).body as ListBody;
}

interface RatingsPage {
  items: { movieId: number; rating: number; source: string; time: string | null; title: string }[];
  next: number | null;
}
async function allRatings(user: number, limit = 1000): Promise<RatingsPage['items']> {
  const out: RatingsPage['items'] = [];
  let after: number | null = null;
  for (;;) {
    const query: string = after === null ? `limit=${limit}` : `limit=${limit}&after=${after}`;
    const page = (await request(app).get(`/api/users/${user}/ratings?${query}`).expect(200)).body as RatingsPage;
    out.push(...page.items);
    if (page.next === null) return out;
    after = page.next;
  }
}

describe('rate, then list', () => {
  test('a training user rates their top movie: it leaves the next list, which changes, and says so', async () => {
    const before = await list(1);
    assert.equal(before.storedRatings, 0);
    const top = before.items[0]?.movieId;
    const stored = (await put(1, top, { rating: 0.5 }).expect(200)).body as { rating: number; time: string };
    assert.equal(stored.rating, 0.5);
    assert.ok(Math.abs(Date.parse(stored.time) - Date.now()) < 60_000);
    const afterwards = await list(1);
    assert.equal(afterwards.storedRatings, 1);
    assert.ok(afterwards.personalised);
    assert.ok(!afterwards.items.some((i) => i.movieId === top), 'the rated movie left the list');
    assert.notDeepEqual(afterwards.items.map((i) => i.movieId), before.items.map((i) => i.movieId).slice(1, 11));
  });

  test('a new person: 404 before any rating, then a personalised list that leaves their movies out', async () => {
    const user = 4_000_001;
    await request(app).get(`/api/users/${user}/recommendations`).expect(404);
    assert.deepEqual(await allRatings(user), [], 'no ratings yet: an empty page, not an error');
    // Star Wars IV, V, VI and The Matrix, loved.
    const loved = [260, 1196, 1210, 2571];
    await post(user, { ratings: loved.map((movieId) => ({ movieId, rating: 5 })) }).expect(200);
    const mine = await list(user, 20);
    assert.equal(mine.storedRatings, 4);
    assert.ok(mine.personalised);
    assert.ok(!mine.items.some((i) => loved.includes(i.movieId)));
    const ratings = await allRatings(user);
    assert.deepEqual(ratings.map((r) => [r.movieId, r.rating, r.source]), loved.map((m) => [m, 5, 'stored']));
  });
});

describe('deletions and paging', () => {
  test("GET pages through the training ratings and the stored ones; a deletion hides a training rating", async () => {
    const user = 2;
    const training = await allRatings(user, 7);
    assert.ok(training.length > 20, `user 2 has ${training.length} training ratings`);
    assert.ok(training.every((r) => r.source === 'training' && r.time === null));
    assert.deepEqual(training.map((r) => r.movieId), [...training.map((r) => r.movieId)].sort((a, b) => a - b), 'by id, once each');
    const [gone, changed] = training;
    await request(app).delete(`/api/users/${user}/ratings/${gone?.movieId}`).expect(200);
    await put(user, changed?.movieId, { rating: 1 }).expect(200);
    const now = await allRatings(user);
    assert.equal(now.length, training.length - 1);
    assert.ok(!now.some((r) => r.movieId === gone?.movieId), 'deleted: hidden, although the training data has it');
    const replaced = now.find((r) => r.movieId === changed?.movieId);
    assert.equal(replaced?.rating, 1);
    assert.equal(replaced?.source, 'stored');
    assert.ok(replaced?.title, 'with its title');
    assert.equal((await list(user)).storedRatings, 2, 'the deletion counts among the stored entries used');
  });

  test('a batch is all or none; null deletes; the last of a movie given twice counts', async () => {
    const user = 4_000_002;
    const bad = await post(user, { ratings: [{ movieId: 1, rating: 4 }, { movieId: 2, rating: 7 }] }).expect(400);
    assert.equal(bad.body.error.field, 'ratings[1].rating');
    const unknown = await post(user, { ratings: [{ movieId: 1, rating: 4 }, { movieId: 99_999_999, rating: 3 }] }).expect(404);
    assert.equal(unknown.body.error.field, 'ratings[1].movieId');
    assert.match(unknown.body.error.message, /99999999/);
    assert.deepEqual(await allRatings(user), [], 'nothing of a refused batch was stored');
    const ok = await post(user, {
      ratings: [
        { movieId: 1, rating: 4 },
        { movieId: 2, rating: 2 },
        { movieId: 1, rating: 3.5 },
        { movieId: 2, rating: null },
      ],
    }).expect(200);
    assert.equal(ok.body.items.length, 4, 'every write answered, in order');
    assert.deepEqual((await allRatings(user)).map((r) => [r.movieId, r.rating]), [[1, 3.5]]);
  });
});

describe('bad input', () => {
  test("ratings off the model's scale or step, wrong bodies and ids: 400 naming the field", async () => {
    const cases: [number | string, unknown, string][] = [
      [1, { rating: 5.5 }, 'rating'],
      [1, { rating: 0 }, 'rating'],
      [1, { rating: 4.25 }, 'rating'],
      [1, { rating: '4' }, 'rating'],
      [1, { rating: 4, note: 'x' }, 'body'],
      [1, [4], 'body'],
      ['x', { rating: 4 }, 'movieId'],
      [-1, { rating: 4 }, 'movieId'],
    ];
    for (const [movie, body, field] of cases) {
      const res = await put(7, movie, body);
      assert.equal(res.status, 400, `${JSON.stringify(body)} on movie ${movie}: ${res.text}`);
      assert.equal(res.body.error.field, field, `${JSON.stringify(body)}: ${res.text}`);
    }
    const none = await request(app).put('/api/users/7/ratings/1').expect(400);
    assert.equal(none.body.error.field, 'body');
    await request(app).put('/api/users/7/ratings/1').set('Content-Type', 'text/plain').send('4').expect(415);
    const user = await put(Number.MAX_SAFE_INTEGER, 1, { rating: 4 }).expect(400);
    assert.equal(user.body.error.field, 'id');
  });

  test("an unknown movie is a 404 naming it; a movie only the movies file lists can be rated", async () => {
    const res = await put(7, 99_999_999, { rating: 4 }).expect(404);
    assert.equal(res.body.error.code, 'MOVIE_NOT_FOUND');
    assert.equal(res.body.error.field, 'movieId');
    assert.match(res.body.error.message, /movie 99999999 is not in the model's catalogue/);
    await request(app).delete('/api/users/7/ratings/99999999').expect(404);
    // The Innocents (1961): in ml-latest-small's movies.csv, rated by nobody in ratings.csv.
    assert.equal(trained.model.movie(1076)?.ratingCount, 0);
    await put(7, 1076, { rating: 3 }).expect(200);
  });
});

test('a store that fails (here: closed) is a 503 STORE_UNAVAILABLE with Retry-After, for writes and reads alike', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'movierec-closed-store-'));
  try {
    const store = openSqliteStore(dir);
    await store.close();
    const broken = createApp({ model: trained.model, store, settings: settings(trained.dataDir) }).callback();
    const write = await request(broken).put('/api/users/7/ratings/1').set('Content-Type', 'application/json').send('{"rating": 4}');
    const read = await request(broken).get('/api/users/7/recommendations');
    for (const res of [write, read]) {
      assert.equal(res.status, 503);
      assert.equal(res.body.error.code, 'STORE_UNAVAILABLE');
      assert.equal(res.headers['retry-after'], '5');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
