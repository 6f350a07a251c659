// The list query parameters on the three list endpoints, on a real model of ml-latest-small (ranking model by
// default): filters applied before the top-M cut (the list stays M long and every movie passes), explanations whose
// shares come from the person's rated movies, the order option, and a 400 naming the parameter for every bad value.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { shutdownLogger } from '../../src/logger.js';
import type { ServiceApp } from '../../src/server/app.js';
import { fullResponse } from '../../src/server/routes/predict.js';
import { similarResponse } from '../../src/server/routes/similar.js';
import { userRecommendationsResponse } from '../../src/server/routes/users.js';
import { TEN_RATINGS, makeApp, trainedModel, type TrainedModel } from './helpers.js';

let trained: TrainedModel;
let handler: ReturnType<ServiceApp['callback']>;

before(async () => {
  trained = await trainedModel();
  handler = makeApp(trained.model, trained.dataDir).callback();
});

after(async () => {
  await shutdownLogger();
});

function predict(query: string) {
  return request(handler)
    .post(`/predict?format=full&${query}`)
    .set('Content-Type', 'application/json')
    .send(JSON.stringify(TEN_RATINGS));
}

/** The year in a MovieLens title, `Heat (1995)` -> 1995. */
function yearOf(title: string): number {
  const m = /\((\d{4})\)\s*$/.exec(title);
  assert.ok(m, `a year in "${title}"`);
  return Number(m[1]);
}

describe('list filters', () => {
  test('genres, years and support: M long, every movie passes, different from the unfiltered list', async () => {
    const plain = fullResponse.parse((await predict('M=15').expect(200)).body);
    const res = await predict('M=15&genres=Animation,Children&yearMin=1990&yearMax=2005&minRatings=10').expect(200);
    const filtered = fullResponse.parse(res.body);
    assert.equal(filtered.items.length, 15, 'still M long');
    for (const item of filtered.items) {
      assert.ok(item.genres.some((g) => g === 'Animation' || g === 'Children'), `${item.title}: ${item.genres.join(', ')}`);
      const year = yearOf(item.title);
      assert.ok(year >= 1990 && year <= 2005, `${item.title} in 1990..2005`);
      assert.ok(trained.model.movie(item.movieId)!.ratingCount >= 10, `${item.title} has 10 ratings`);
    }
    assert.notDeepEqual(filtered.items.map((i) => i.movieId), plain.items.map((i) => i.movieId));
  });

  test('excludeGenres and exclude (comma-separated and repeated) leave those movies out', async () => {
    const plain = fullResponse.parse((await predict('M=10').expect(200)).body);
    const [first, second] = plain.items;
    const res = await predict(`M=10&excludeGenres=Drama&exclude=${first.movieId}&exclude=${second.movieId}`).expect(200);
    const list = fullResponse.parse(res.body);
    assert.equal(list.items.length, 10);
    for (const item of list.items) {
      assert.ok(!item.genres.includes('Drama'), `${item.title} is not a drama`);
      assert.ok(item.movieId !== first.movieId && item.movieId !== second.movieId);
    }
  });

  test('the known-user and similar-movies lists take the filters too', async () => {
    const user = userRecommendationsResponse.parse(
      (await request(handler).get('/api/users/1/recommendations?M=8&genres=comedy').expect(200)).body,
    );
    assert.equal(user.items.length, 8);
    assert.ok(user.items.every((i) => i.genres.includes('Comedy')), 'genre names are case-insensitive');
    const similar = similarResponse.parse(
      (await request(handler).get('/api/similar/1?M=8&yearMax=1980').expect(200)).body,
    );
    assert.equal(similar.items.length, 8);
    assert.ok(similar.items.every((i) => yearOf(i.title) <= 1980));
  });
});

describe('explanations and order', () => {
  test('explain=true: each movie says which rated movies chose it, with shares from the person\'s ratings', async () => {
    const list = fullResponse.parse((await predict('M=10&explain=true').expect(200)).body);
    const rated = new Set(TEN_RATINGS[0]);
    for (const item of list.items) {
      assert.ok(item.because && item.because.length > 0, `${item.title} is explained`);
      for (const b of item.because) {
        assert.ok(rated.has(b.movieId), `${b.movieId} is one of the rated movies`);
        assert.ok(b.title.length > 0);
      }
      const shares = item.because.map((b) => b.share);
      for (let i = 1; i < shares.length; i++) assert.ok(shares[i - 1] >= shares[i], 'largest share first');
    }
    const unexplained = fullResponse.parse((await predict('M=10').expect(200)).body);
    assert.ok(unexplained.items.every((i) => i.because === undefined), 'no because without explain');
    assert.deepEqual(list.items.map((i) => i.movieId), unexplained.items.map((i) => i.movieId), 'same movies');
  });

  test('order=score holds the same movies as order=estimate, which is sorted by estimate', async () => {
    const byEstimate = fullResponse.parse((await predict('M=20').expect(200)).body);
    const byScore = fullResponse.parse((await predict('M=20&order=score').expect(200)).body);
    const ids = (l: typeof byEstimate) => l.items.map((i) => i.movieId);
    assert.deepEqual([...ids(byScore)].sort(), [...ids(byEstimate)].sort());
    const estimates = byEstimate.items.map((i) => i.rating);
    for (let i = 1; i < estimates.length; i++) assert.ok(estimates[i - 1] >= estimates[i]);
  });
});

describe('bad list parameters: 400 naming the parameter', () => {
  const cases: [string, string, RegExp][] = [
    ['genres=Comedy,Nonsense', 'genres', /unknown genre "Nonsense"/],
    ['excludeGenres=Westerns', 'excludeGenres', /unknown genre/],
    ['yearMin=2000&yearMax=1990', 'yearMin', /empty/],
    ['yearMin=1500', 'yearMin', /integer from/],
    ['yearMax=abc', 'yearMax', /integer/],
    ['minRatings=-1', 'minRatings', /integer from 0/],
    ['exclude=1,x', 'exclude', /integer/],
    ['explain=maybe', 'explain', /true or false/],
    ['order=random', 'order', /estimate/],
  ];
  for (const [query, field, message] of cases) {
    test(`${query} -> 400 field ${field}`, async () => {
      for (const path of ['/api/users/1/recommendations', 'predict']) {
        const res = path === 'predict' ? await predict(query) : await request(handler).get(`${path}?${query}`);
        assert.equal(res.status, 400, `${path}?${query}: ${JSON.stringify(res.body)}`);
        const got = String(res.body.error.field);
        assert.ok(got === field || got.startsWith(`${field}[`), `field ${got}: ${JSON.stringify(res.body)}`);
        assert.match(res.body.error.message, message);
      }
    });
  }

  test('more values than the limit is a 400 naming the list', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => i + 1).join(',');
    const res = await request(handler).get(`/api/similar/1?exclude=${many}`);
    assert.equal(res.status, 400);
    assert.equal(res.body.error.field, 'exclude');
  });
});
