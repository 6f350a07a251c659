// Cold movies (issue 17) through MyRecModel and HTTP: ml-latest-small with every rating of a few popular movies
// removed (their movies stay in movies.csv) trains a Gibbs model that knows them with no rating. Lists leave them
// out by default and let them in with includeCold, marked coldStart.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';

import { MyRecModel, type Recommendation } from '../../src/model';
import { missing, ML_LATEST_SMALL } from '../helpers/paths';
import { logTo, makeApp, tempDataDir } from '../server/helpers';

const REMOVED = [1, 260, 318, 356, 2571];
const USERS = Array.from({ length: 40 }, (_, i) => i + 1);

describe('cold movies (ml-latest-small, a few movies without ratings)', { skip: missing(ML_LATEST_SMALL) }, () => {
  const dataDir = tempDataDir();
  const inputDir = path.join(dataDir, 'input');
  let model: MyRecModel;
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  before(async () => {
    fs.mkdirSync(inputDir);
    const lines = fs.readFileSync(ML_LATEST_SMALL, 'utf8').split('\n');
    const kept = lines.filter((line, i) => i === 0 || !REMOVED.includes(Number(line.split(',')[1])));
    fs.writeFileSync(path.join(inputDir, 'ratings.csv'), kept.join('\n'));
    fs.copyFileSync(path.join(path.dirname(ML_LATEST_SMALL), 'movies.csv'), path.join(inputDir, 'movies.csv'));
    logTo(dataDir);
    model = new MyRecModel({ dataDir, threads: 2 });
    await model.train(path.join(inputDir, 'ratings.csv'), { seed: 7 });
  });

  const cold = (items: Recommendation[]) => items.filter((i) => i.coldStart);

  test('absent by default, present and marked with includeCold (known users, similar)', () => {
    let marked = 0;
    for (const user of USERS) {
      const plain = model.recommendForUser(user, 50);
      assert.ok(plain);
      assert.deepEqual(cold(plain.items), []);
      assert.ok(plain.items.every((i) => !REMOVED.includes(i.movieId) && !('coldStart' in i)));
      const asked = model.recommendForUser(user, 50, { includeCold: true });
      assert.ok(asked);
      assert.equal(asked.items.length, 50);
      for (const item of asked.items) assert.ok(item.coldStart === undefined || item.coldStart === true);
      marked += cold(asked.items).length;
    }
    assert.ok(marked > 0, 'includeCold admitted no cold movie in 40 lists of 50');
    assert.deepEqual(cold(model.similar(2, 50) ?? []), []);
    for (const id of REMOVED) assert.ok(model.similar(id, 5), `the model knows the cold movie ${id}`);
  });

  test('the same lists over HTTP: /api/users/:id/recommendations, /predict?format=full, /api/similar/:id', async () => {
    const handler = makeApp(model, dataDir).callback();
    let marked = 0;
    for (const user of USERS.slice(0, 10)) {
      const plain = await request(handler).get(`/api/users/${user}/recommendations?M=50`).expect(200);
      assert.deepEqual(cold(plain.body.items), []);
      const asked = await request(handler).get(`/api/users/${user}/recommendations?M=50&includeCold=true`).expect(200);
      assert.deepEqual(asked.body.items, model.recommendForUser(user, 50, { includeCold: true })?.items);
      marked += cold(asked.body.items).length;
    }
    assert.ok(marked > 0);
    const given = [[3114, 2355, 4886], [5, 5, 4]];
    const full = await request(handler).post('/predict?format=full&M=50&includeCold=true').send(given).expect(200);
    const direct = await model.recommend(given as [number[], number[]], 50, { includeCold: true });
    assert.deepEqual(full.body.items, direct.items);
    const plain = await request(handler).post('/predict?format=full&M=50').send(given).expect(200);
    assert.deepEqual(cold(plain.body.items), []);
    await request(handler).get('/api/similar/2?includeCold=maybe').expect(400);
  });
});
