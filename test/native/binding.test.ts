// The napi binding on its own: conversions (typed arrays in and out, plain objects), AsyncTasks and their sync
// twins, progress through the threadsafe function, and the stable `code` of every error class.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { TrainParams } from '../../src/model/params';
import { native, type NativeModel } from '../../src/native';
import { FIXTURE_BAD, FIXTURE_ML_LATEST } from '../helpers/paths';
import { tempDir, tempFiles } from '../helpers/tmp';

/** Rejects (or throws) with a JS Error carrying `code`, and a message matching `message`. */
async function assertCode(work: () => unknown, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(
    () => Promise.resolve().then(work),
    (err: Error & { code?: string }) => {
      assert.ok(err instanceof Error, 'a real Error object');
      assert.equal(err.code, code, err.message);
      if (message) assert.match(err.message, message);
      return true;
    },
  );
}

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('readDataset', () => {
  test('reports what it read, with the movies file beside', async () => {
    const d = await native.readDataset(FIXTURE_ML_LATEST);
    const r = d.report;
    assert.equal(r.path, FIXTURE_ML_LATEST);
    assert.equal(r.layout, 'csv-header');
    assert.equal(r.sha256, sha256(FIXTURE_ML_LATEST));
    assert.equal(r.ratings, 50);
    assert.equal(r.users, 8);
    assert.equal(r.lines, 51);
    assert.equal(r.skippedInvalid, 0);
    assert.deepEqual(r.scale, { min: 0.5, max: 5, step: 0.5 });
    assert.equal(r.moviesFile, path.join(path.dirname(FIXTURE_ML_LATEST), 'movies.csv'));
    assert.equal(r.catalogueMovies, 16);
    assert.equal(d.length, 50);
  });

  test('triples come out as typed arrays sorted by (user, movie); the sync twin agrees', async () => {
    const t = (await native.readDataset(FIXTURE_ML_LATEST)).triples();
    assert.ok(t.users instanceof Uint32Array && t.movies instanceof Uint32Array && t.ratings instanceof Float32Array);
    assert.equal(t.users.length, 50);
    for (let i = 1; i < t.users.length; i++) {
      assert.ok(t.users[i - 1] < t.users[i] || (t.users[i - 1] === t.users[i] && t.movies[i - 1] < t.movies[i]));
    }
    // First data line of the fixture: 1,1,4.0
    assert.deepEqual([t.users[0], t.movies[0], t.ratings[0]], [1, 1, 4]);
    const s = native.readDatasetSync(FIXTURE_ML_LATEST).triples();
    assert.deepEqual(s, t);
  });

  test('error codes: I/O, malformed line (file:line), empty, unknown layout, wrong argument type', async () => {
    await assertCode(() => native.readDataset('/nonexistent/ratings.csv'), 'IO_ERROR', /nonexistent.*No such file/);
    assert.throws(() => native.readDatasetSync('/nonexistent/ratings.csv'), { code: 'IO_ERROR' });
    const nonNumeric = path.join(FIXTURE_BAD, 'non_numeric.dat');
    await assertCode(() => native.readDataset(nonNumeric), 'DATASET_ERROR', /non_numeric\.dat:6: movie id 'abc'/);
    await assertCode(() => native.readDataset(path.join(FIXTURE_BAD, 'empty.dat')), 'DATASET_ERROR', /empty/);
    await assertCode(
      () => native.readDataset(path.join(FIXTURE_BAD, 'unknown_separator.txt')),
      'DATASET_ERROR',
      /unknown layout/,
    );
    await assertCode(
      () => native.readDataset(path.join(FIXTURE_BAD, 'rating_out_of_range.csv')),
      'DATASET_ERROR',
      /:4: rating 5\.5 is outside/,
    );
    assert.throws(() => native.readDatasetSync(42 as unknown as string), { code: 'StringExpected' });
  });

  test('skipInvalid skips and counts, naming the skipped lines', async () => {
    const d = await native.readDataset(path.join(FIXTURE_BAD, 'non_numeric.dat'), { skipInvalid: true });
    assert.equal(d.report.skippedInvalid, 1);
    assert.match(d.report.skippedExamples[0], /non_numeric\.dat:6:/);
    assert.equal(d.report.ratings, 6);
    assert.equal(d.report.moviesFile, undefined);
  });
});

describe('threads', () => {
  test('setThreads / getThreads', () => {
    native.setThreads(1);
    assert.equal(native.getThreads(), 1);
    native.setThreads(0);
    assert.ok(native.getThreads() >= 1);
    native.setThreads(2);
    assert.equal(native.getThreads(), 2);
  });
});

describe('trainModel and NativeModel', () => {
  let root: string | undefined;
  let modelDir: string;
  let model: NativeModel;
  after(() => root && fs.rmSync(root, { recursive: true, force: true }));
  const progress: Array<{ iteration: number; trainRmse: number; elapsedSeconds: number; phase: string }> = [];

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'movierec-native-'));
    modelDir = path.join(root, 'model');
    const dataset = await native.readDataset(FIXTURE_ML_LATEST);
    // priorCount 0: on a 50-rating fixture the default prior shrinks nearly everything, and the training RMSE (which
    // ALS does not promise to lower; it lowers the regularised loss) then creeps up; without it the fit must improve.
    const params = native.resolveParams({ method: 'als', factors: 4, iterations: 5, priorCount: 0 });
    model = await native.trainModel(dataset, params, modelDir, (p) => progress.push(p));
  });

  test('defaults are the tuned ones', () => {
    const d = native.resolveParams({}) as TrainParams;
    assert.deepEqual(Object.keys(d).sort(), [
      'alpha', 'burnIn', 'cgSteps', 'confidence', 'confidenceLow', 'confidenceMid', 'earlyStopping', 'factors',
      'feedback', 'iterations', 'method', 'noiseStd', 'priorCount', 'ranking', 'regBias', 'regFactors', 'regScaling',
      'samples', 'seed', 'solver', 'threads', 'validationFraction',
    ]);
    assert.equal(d.solver, 'cholesky', 'exact row solves by default');
    assert.ok(d.factors >= 1 && d.iterations >= 1 && d.regFactors > 0);
    assert.equal(d.feedback, 'explicit');
    assert.equal(d.method, 'gibbs', 'Gibbs sampling is the default');
    assert.ok(d.samples >= 1 && d.noiseStd > 0);
    const a = native.resolveParams({ method: 'als' });
    assert.equal(a.method, 'als');
    assert.equal(native.resolveParams({ feedback: 'implicit' }).method, 'als');
    const i = native.resolveParams({ feedback: 'implicit' }) as TrainParams;
    assert.equal(i.feedback, 'implicit');
    assert.equal(d.ranking, 'implicit', 'a ranking model chooses the lists by default');
    assert.equal(i.regScaling, 'plain');
    assert.equal(i.regFactors, 0, 'implicit feedback: a plain lambda from the data size by default');
  });

  test('progress arrives once per iteration, in order, on the JS thread', () => {
    const rating = progress.filter((p) => p.phase === 'rating');
    assert.deepEqual(
      rating.map((p) => p.iteration),
      [1, 2, 3, 4, 5],
    );
    const ranking = progress.filter((p) => p.phase === 'ranking');
    assert.deepEqual(progress, [...rating, ...ranking], 'the rating model first, then the ranking model');
    assert.equal(ranking.length, native.resolveParams({ feedback: 'implicit' }).iterations);
    for (const p of rating) {
      assert.ok(Number.isFinite(p.trainRmse) && p.trainRmse > 0 && p.trainRmse < 2, String(p.trainRmse));
      assert.ok(p.elapsedSeconds >= 0);
    }
    assert.ok(rating[4].trainRmse <= rating[0].trainRmse);
  });

  test('the model folder is written, and meta() is model.json', () => {
    assert.ok(fs.existsSync(path.join(modelDir, 'model.json')));
    const meta = model.meta();
    assert.deepEqual(meta, JSON.parse(fs.readFileSync(path.join(modelDir, 'model.json'), 'utf8')));
    assert.match(String(meta.trainedAt), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    assert.deepEqual(model.scale, { min: 0.5, max: 5, step: 0.5 });
  });

  test('recommendNewUser: typed arrays in and out, sorted, input movies left out, unknown ids reported', () => {
    const r = model.recommendNewUser(Uint32Array.from([1, 2, 999_999]), Float32Array.from([5, 1, 4]), 5);
    assert.ok(r.movieIds instanceof Uint32Array && r.scores instanceof Float32Array);
    assert.equal(r.movieIds.length, 5);
    assert.equal(r.scores.length, 5);
    for (let i = 1; i < r.scores.length; i++) assert.ok(r.scores[i - 1] >= r.scores[i]);
    assert.ok(!r.movieIds.includes(1) && !r.movieIds.includes(2));
    assert.deepEqual([...r.unknownIds], [999_999]);
    assert.equal(r.personalised, true);
    for (const s of r.scores) assert.ok(s >= 0.5 && s <= 5);
    // A view into a larger buffer is read in place (no copy needed by the caller).
    const buf = new Uint32Array([0, 1, 2, 0]);
    const view = model.recommendNewUser(buf.subarray(1, 3), Float32Array.from([5, 1]), 5);
    assert.deepEqual([...view.movieIds], [...r.movieIds]);
  });

  test('no known movie gives the non-personalised list', () => {
    const r = model.recommendNewUser(new Uint32Array(0), new Float32Array(0), 3);
    assert.equal(r.personalised, false);
    // The minimum-support guard keeps only the most-rated movies of this tiny fixture.
    assert.ok(r.movieIds.length >= 1 && r.movieIds.length <= 3);
    assert.deepEqual([...model.popular(3).movieIds], [...r.movieIds]);
  });

  test('errors carry the code, the field at fault and the core\'s message, sync and async', async () => {
    const fields = (work: () => unknown, code: string, field: string | undefined, message: RegExp) =>
      assert.rejects(
        () => Promise.resolve().then(work),
        (err: Error & { code?: string; field?: string }) => {
          assert.ok(err instanceof Error, 'a real Error object');
          assert.deepEqual([err.code, err.field], [code, field], err.message);
          assert.match(err.message, message);
          return true;
        },
      );
    const one = Float32Array.from([4]);
    await fields(() => model.recommendNewUser(Uint32Array.from([1]), one, 0), 'INVALID_INPUT', 'M', /^M must be in 1\.\.=1000, got 0$/);
    await fields(() => model.recommendNewUser(Uint32Array.from([1, 2]), one, 5), 'INVALID_INPUT', 'ratings', /^2 movie ids but 1 ratings/);
    await fields(() => model.recommendNewUser(Uint32Array.from([1]), Float32Array.from([9]), 5), 'INVALID_INPUT', 'ratings[0]', /^rating 9 for movie 1/);
    const dataset = await native.readDataset(FIXTURE_ML_LATEST);
    await fields(() => native.evaluateModel(model, dataset, 0), 'INVALID_INPUT', 'k', /^k must be in 1\.\.=1000, got 0$/);
    await fields(() => native.kfoldSplit(dataset, 3, 3, 1), 'INVALID_INPUT', 'fold', /^fold 3 does not exist/);
    await fields(() => native.readDataset('/nonexistent/ratings.csv'), 'IO_ERROR', undefined, /nonexistent/);
  });

  test('bad input is INVALID_INPUT', () => {
    assert.throws(() => model.recommendNewUser(Uint32Array.from([1]), Float32Array.from([4]), 0), { code: 'INVALID_INPUT' });
    assert.throws(() => model.recommendNewUser(Uint32Array.from([1, 2]), Float32Array.from([4]), 5), {
      code: 'INVALID_INPUT',
    });
    assert.throws(() => model.recommendNewUser(Uint32Array.from([1]), Float32Array.from([9]), 5), {
      code: 'INVALID_INPUT',
    });
    assert.throws(() => model.recommendNewUser([1] as unknown as Uint32Array, Float32Array.from([4]), 5));
  });

  test('known users, similar movies, catalogue', () => {
    const known = model.recommendKnownUser(1, 3);
    assert.ok(known);
    assert.equal(known.movieIds.length, 3);
    assert.equal(model.recommendKnownUser(424_242, 3), null);
    const sim = model.similar(1, 4);
    assert.ok(sim);
    assert.equal(sim.movieIds.length, 4);
    assert.ok(!sim.movieIds.includes(1));
    for (const s of sim.scores) assert.ok(s >= -1.0001 && s <= 1.0001);
    assert.equal(model.similar(424_242, 4), null);
    const c = model.catalogue();
    assert.equal(c.movieIds.length, 16);
    assert.equal(c.titles.length, 16);
    assert.equal(c.titles[0], 'Toy Story (1995)');
    const genresOf = (i: number) => [...c.genreIds.subarray(c.genreOffsets[i], c.genreOffsets[i + 1])].map((g) => c.genreNames[g]);
    assert.deepEqual(genresOf(0), ['Adventure', 'Animation', 'Children', 'Comedy', 'Fantasy']);
    assert.equal(c.genreOffsets.length, 17);
    assert.equal(new Set(c.genreNames).size, c.genreNames.length, 'each genre name once');
    assert.ok(c.ratingCounts[0] > 0);
  });

  test('loadModel (async and sync) reads back the same model', async () => {
    const loaded = await native.loadModel(modelDir);
    assert.deepEqual(loaded.meta(), model.meta());
    const a = loaded.recommendNewUser(Uint32Array.from([1]), Float32Array.from([5]), 5);
    const b = model.recommendNewUser(Uint32Array.from([1]), Float32Array.from([5]), 5);
    assert.deepEqual(a, b);
    assert.deepEqual(native.loadModelSync(modelDir).meta(), model.meta());
  });

  test('evaluateModel, evaluateFoldIn, storeEvaluation', async () => {
    const dataset = await native.readDataset(FIXTURE_ML_LATEST);
    const e = await native.evaluateModel(model, dataset, 5);
    assert.equal(e.model.rating.count, 50);
    assert.ok(e.model.rating.rmse < e.biasOnly.rating.rmse + 1e-9 || e.model.rating.rmse < 1);
    assert.equal(e.model.ranking.k, 5);
    assert.ok('ranking' in e.popularity);
    await assertCode(() => native.evaluateModel(model, dataset, 0), 'INVALID_INPUT', /k must be/);
    const f = await native.evaluateFoldIn(model, dataset, 0.8, 1);
    assert.equal(f.usersKnown, 8, 'every user of the training file is known, so skipped');
    native.storeEvaluation(modelDir, { marker: 42 });
    const stored = JSON.parse(fs.readFileSync(path.join(modelDir, 'model.json'), 'utf8'));
    assert.deepEqual(stored.evaluation, { marker: 42 });
  });

  test('bad parameters are refused before any work, naming the parameter', async () => {
    const refused = (partial: Record<string, unknown>, field: string, message?: RegExp) =>
      assert.throws(() => native.resolveParams(partial), (err: Error & { code?: string; field?: string }) => {
        assert.equal(err.code, 'INVALID_INPUT', err.message);
        assert.equal(err.field, field, err.message);
        if (message) assert.match(err.message, message);
        return true;
      });
    refused({ factors: 0 }, 'factors');
    refused({ seed: -1 }, 'seed');
    refused({ method: 'svd' }, 'method', /method must be "gibbs" or "als", got "svd"/);
    refused({ feedback: 'implicit', method: 'gibbs' }, 'method', /implicit feedback trains with method als/);
    refused({ factor: 8 }, 'factor', /unknown parameter "factor"/);
    // The trainers check again (the core is safe called directly), before reading anything or writing the folder.
    const dataset = await native.readDataset(FIXTURE_ML_LATEST);
    const dir = path.join(modelDir, '..', 'never');
    await assert.rejects(native.trainModel(dataset, { ...native.resolveParams({}), factors: 0 }, dir), {
      code: 'INVALID_INPUT',
      field: 'factors',
      message: /factors/,
    });
    const incomplete = { code: 'INVALID_INPUT', field: 'regFactors', message: /missing parameter regFactors/ };
    assert.throws(() => native.trainModel(dataset, { factors: 4 }, dir), incomplete);
    assert.throws(() => native.fitAndScore(dataset, dataset, { factors: 4 }), incomplete);
    assert.equal(fs.existsSync(dir), false);
  });

  test('options left out take the defaults of the method asked for', async () => {
    const dataset = await native.readDataset(FIXTURE_ML_LATEST);
    const dir = path.join(modelDir, '..', 'als-defaults');
    const als = native.resolveParams({ method: 'als' });
    const { factors, regFactors, regBias, iterations, seed, threads } = als;
    await native.trainModel(dataset, native.resolveParams({ factors, regFactors, regBias, iterations, seed, threads, method: 'als' }), dir);
    const stored = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    assert.equal(stored.params.method, 'als');
    assert.equal(stored.params.priorCount, als.priorCount);
    assert.notEqual(stored.params.priorCount, native.resolveParams({}).priorCount);
  });
});

describe('loadModel errors', () => {
  test('no model: MODEL_NOT_FOUND; damaged model.json: INVALID_MODEL', async (t) => {
    const empty = tempDir(t);
    await assertCode(() => native.loadModel(path.join(empty, 'model')), 'MODEL_NOT_FOUND');
    assert.throws(() => native.loadModelSync(path.join(empty, 'model')), { code: 'MODEL_NOT_FOUND' });
    const damaged = tempFiles(t, { 'model/model.json': '{"formatVersion": 999' });
    await assertCode(() => native.loadModel(path.join(damaged, 'model')), 'INVALID_MODEL');
  });
});

describe('splitDataset and generateDemo', () => {
  test('split by ratings writes both parts in the same layout with the movies file', async (t) => {
    const out = tempDir(t);
    const d = await native.readDataset(FIXTURE_ML_LATEST);
    const r = await native.splitDataset(d, { by: 'ratings', testFraction: 0.2, seed: 7 }, out);
    assert.equal(r.trainRatings + r.testRatings, 50);
    assert.equal(r.testRatings, 10);
    assert.equal(r.trainFile, path.join(out, 'train', 'ratings.csv'));
    assert.equal(r.testMoviesFile, path.join(out, 'test', 'movies.csv'));
    const back = await native.readDataset(r.testFile);
    assert.equal(back.report.layout, 'csv-header');
    assert.equal(back.report.ratings, 10);
    const again = await native.splitDataset(d, { by: 'ratings', testFraction: 0.2, seed: 7 }, tempDir(t));
    assert.equal(fs.readFileSync(again.testFile, 'utf8'), fs.readFileSync(r.testFile, 'utf8'), 'same seed, same split');
    assert.throws(() => native.splitDataset(d, { by: 'movies', testFraction: 0.2, seed: 7 }, out), {
      code: 'INVALID_INPUT',
    });
    await assertCode(() => native.splitDataset(d, { by: 'users', testFraction: 1.5, seed: 7 }, out), 'INVALID_INPUT');
  });

  test('generateDemo writes a MovieLens CSV data set that reads back', async (t) => {
    const out = tempDir(t);
    const r = await native.generateDemo(out, { users: 60, movies: 200, ratings: 3000, seed: 5 });
    assert.equal(r.ratings, 3000);
    const d = await native.readDataset(r.ratingsFile);
    assert.equal(d.report.ratings, 3000);
    assert.equal(d.report.users, 60);
    assert.equal(d.report.catalogueMovies, 200);
    assert.throws(() => native.generateDemo(out, { preset: 'huge' }), { code: 'INVALID_INPUT' });
    assert.throws(() => native.generateDemo(out, { users: 1, ratings: 5 }), { code: 'INVALID_INPUT' });
  });
});

describe('kfoldSplit and fitAndScore', () => {
  test('the folds partition the ratings, are balanced and seeded; a fit scores the held-out fold', async () => {
    const dataset = native.readDatasetSync(FIXTURE_ML_LATEST);
    const key = (t: ReturnType<typeof dataset.triples>, i: number) => `${t.users[i]}:${t.movies[i]}`;
    const all = dataset.triples();
    const seen = new Map<string, number>();
    for (let fold = 0; fold < 3; fold++) {
      const [train, test] = await native.kfoldSplit(dataset, 3, fold, 11);
      assert.equal(train.length + test.length, dataset.length);
      assert.ok(Math.abs(test.length - dataset.length / 3) <= 1, `balanced: ${test.length} of ${dataset.length}`);
      assert.match(test.report.path, /#fold \d\/3 test$/);
      assert.equal(test.report.ratings, test.length);
      const t = test.triples();
      for (let i = 0; i < test.length; i++) seen.set(key(t, i), (seen.get(key(t, i)) ?? 0) + 1);
      const again = (await native.kfoldSplit(dataset, 3, fold, 11))[1].triples();
      assert.deepEqual(again.movies, t.movies, 'same seed, same fold');
    }
    assert.equal(seen.size, dataset.length, 'every rating is in exactly one test fold');
    assert.ok([...seen.values()].every((c) => c === 1));
    assert.ok(Array.from({ length: all.users.length }, (_, i) => key(all, i)).every((k) => seen.has(k)));

    const [train, test] = await native.kfoldSplit(dataset, 3, 0, 11);
    const params = native.resolveParams({ factors: 4, iterations: 3, threads: 1 });
    const score = await native.fitAndScore(train, test, params);
    assert.ok(score.rmse > 0 && score.rmse < 3, `rmse ${score.rmse}`);
    assert.ok(score.mae > 0 && score.mae <= score.rmse);
    assert.equal(score.count + score.unknownUser + score.unknownMovie, test.length);
    assert.ok(score.trainingSeconds >= 0 && Number.isFinite(score.finalTrainRmse));
    const { trainingSeconds: _first, ...scored } = score;
    const { trainingSeconds: _second, ...again } = await native.fitAndScore(train, test, params);
    assert.deepEqual(again, scored, 'a seed gives the same fit');

    await assertCode(() => native.kfoldSplit(dataset, 3, 3, 11), 'INVALID_INPUT', /fold 3 does not exist/);
    await assertCode(() => native.kfoldSplit(dataset, 1, 0, 11), 'INVALID_INPUT', /k-fold needs 2 <= k/);
    await assertCode(() => native.fitAndScore(train, test, { ...params, factors: 0 }), 'INVALID_INPUT', /factors/);
  });
});
