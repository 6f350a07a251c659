// MyRecModel list options on the real ml-latest-small (defaults: the rating model with its ranking model beside it):
// filters hold before the cut, explanations decompose the choice, `order` reorders the same movies, the batched path
// gives the single-user list, and every refusal names the option at fault.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { configureLogger } from '../../src/logger';
import { InvalidInputError, MyRecModel, type ListOptions, type RatingsPair } from '../../src/model';
import { missing, ML_LATEST_SMALL } from '../helpers/paths';
import { currentModelDir } from '../helpers/models';

// The Toy Story fan of docs/quality.md, in ml-latest-small ids: Toy Story, Toy Story 2, A Bug's Life at 5 stars.
const FAN: RatingsPair = [
  [1, 3114, 2355],
  [5, 5, 5],
];

describe('MyRecModel list options (ml-latest-small)', { skip: missing(ML_LATEST_SMALL) }, () => {
  let model: MyRecModel;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'movierec-test-'));
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  before(async () => {
    configureLogger({ dataDir, level: 'warn', consoleLevel: 'off' });
    model = new MyRecModel({ dataDir, threads: 2 });
    await model.train(ML_LATEST_SMALL, { method: 'als', iterations: 5 });
  });

  test('the model folder has a ranking model, and the list is sorted by estimate by default', async () => {
    const json = JSON.parse(fs.readFileSync(path.join(currentModelDir(dataDir), 'model.json'), 'utf8'));
    assert.equal(json.params.ranking, 'implicit');
    assert.equal(json.ranking.params.feedback, 'implicit');
    assert.ok(fs.existsSync(path.join(currentModelDir(dataDir), 'ranking_item_factors.npy')));
    const r = await model.recommend(FAN, 10);
    assert.equal(r.items.length, 10);
    assert.ok(r.personalised);
    const ratings = r.items.map((i) => i.rating);
    assert.ok(ratings.every((x, i) => i === 0 || ratings[i - 1] >= x), `not by estimate: ${ratings.join(", ")}`);
    assert.ok(r.items.every((i) => !FAN[0].includes(i.movieId)), 'a rated movie is listed');
  });

  test('order: score holds the same movies as the default order', async () => {
    const byEstimate = await model.recommend(FAN, 10);
    const byScore = await model.recommend(FAN, 10, { order: 'score' });
    const ids = (r: typeof byEstimate) => r.items.map((i) => i.movieId).sort((a, b) => a - b);
    assert.deepEqual(ids(byScore), ids(byEstimate));
  });

  test('filters hold for every movie and the list stays M long', async () => {
    const options: ListOptions = { filters: { genres: ['Animation'], yearMin: 1990, yearMax: 2005, exclude: [4886] } };
    const r = await model.recommend(FAN, 10, options);
    assert.equal(r.items.length, 10);
    for (const item of r.items) {
      assert.ok(item.genres.includes('Animation'), `${item.title}: ${item.genres.join("|")}`);
      const year = Number(/\((\d{4})\)\s*$/.exec(item.title)?.[1]);
      assert.ok(year >= 1990 && year <= 2005, item.title);
      assert.notEqual(item.movieId, 4886);
    }
    const noComedy = await model.recommend(FAN, 10, { filters: { excludeGenres: ['Comedy'] } });
    assert.ok(noComedy.items.every((i) => !i.genres.includes('Comedy')));
    const known = model.recommendForUser(1, 10, { filters: { minRatings: 100 } });
    assert.ok(known && known.items.length === 10);
    const counts = known.items.map((i) => model.movie(i.movieId)?.ratingCount ?? 0);
    assert.ok(counts.every((c) => c >= 100), counts.join(", "));
    const similar = model.similar(1, 5, { filters: { genres: ['Children'] } });
    assert.ok(similar && similar.length === 5 && similar.every((i) => i.genres.includes('Children')));
  });

  test('explain names rated movies with shares, for new and known users', async () => {
    const r = await model.recommend(FAN, 5, { explain: true });
    for (const item of r.items) {
      assert.ok(item.because && item.because.length > 0 && item.because.length <= 3, item.title);
      for (const b of item.because) {
        assert.ok(FAN[0].includes(b.movieId), `${b.movieId} was not rated`);
        assert.ok(b.share > 0 && b.share <= 1.0001, `share ${b.share}`);
      }
      const shares = item.because.map((b) => b.share);
      assert.ok(shares.every((s, i) => i === 0 || shares[i - 1] >= s), 'largest first');
    }
    const known = model.recommendForUser(1, 3, { explain: true });
    assert.ok(known?.items.every((i) => (i.because?.length ?? 0) > 0));
    const plain = await model.recommend(FAN, 5);
    assert.ok(plain.items.every((i) => i.because === undefined));
  });

  test('the batched path gives exactly the single-user list, options included', async () => {
    const options: ListOptions = { filters: { genres: ['Comedy'] }, explain: true };
    const alone = await model.recommend(FAN, 10, options);
    const others: RatingsPair = [
      [260, 1196],
      [5, 4],
    ];
    const [a, , b] = await Promise.all([
      model.recommend(FAN, 10, options),
      model.recommend(others, 10),
      model.recommend(FAN, 10, options),
    ]);
    assert.deepEqual(a, alone);
    assert.deepEqual(b, alone);
  });

  test('refusals name the option', async () => {
    const cases: [unknown, string][] = [
      [{ filters: { genres: ['Cartoons'] } }, 'genres'],
      [{ filters: { yearMin: 2001, yearMax: 2000 } }, 'yearMin'],
      [{ filters: { yearMax: 1700 } }, 'yearMax'],
      [{ filters: { minRatings: -1 } }, 'minRatings'],
      [{ filters: { exclude: [1, 'x'] } }, 'exclude[1]'],
      [{ order: 'rating' }, 'order'],
      [{ explain: 'yes' }, 'explain'],
      [{ filter: {} }, 'filter'],
      [[], 'options'],
    ];
    for (const [options, field] of cases) {
      await assert.rejects(
        model.recommend(FAN, 10, options as ListOptions),
        (err: unknown) => err instanceof InvalidInputError && err.field === field,
        JSON.stringify(options),
      );
      assert.throws(
        () => model.recommendForUser(1, 10, options as ListOptions),
        (err: unknown) => err instanceof InvalidInputError && err.field === field,
      );
    }
  });
});
