// The model's life in the service, with real models: start without one (BOOTSTRAP=none: 503s that say how to train,
// then a reload once one exists), the demo bootstrap (503 "bootstrapping" until trained), a corrupt model at start
// (refused, not overwritten), and POST /api/reload under load (no request dropped) or with a corrupt model (refused,
// the old model keeps answering).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { getLogger, shutdownLogger } from '../../src/logger.js';
import { MyRecModel, generateDemoDataset } from '../../src/model/index.js';
import { createApp } from '../../src/server/app.js';
import { bootstrapModel } from '../../src/server/bootstrap.js';
import { ModelLifecycle } from '../../src/server/lifecycle.js';
import { currentModelDir } from '../helpers/models.js';
import {
  ML_LATEST_SMALL,
  TEN_RATINGS,
  TRAIN_OPTIONS,
  copyDataDir,
  corruptModel,
  listen,
  settings,
  storeOf,
  tempDataDir,
  trainedModel,
  waitForLogLine,
  type TrainedModel,
} from './helpers.js';

let trained: TrainedModel;

before(async () => {
  trained = await trainedModel();
});

after(async () => {
  await shutdownLogger();
});

function serviceFor(model: MyRecModel, dataDir: string) {
  const lifecycle = new ModelLifecycle(model, getLogger('service'));
  const app = createApp({ model, store: storeOf(dataDir), lifecycle, settings: settings(dataDir) });
  return { app, lifecycle, handler: app.callback() };
}

describe('no model and BOOTSTRAP=none', () => {
  test('starts, answers 503 saying how to train, then serves once a model is trained and reloaded', async () => {
    const dataDir = tempDataDir();
    const model = new MyRecModel({ dataDir, threads: 2 });
    const { lifecycle, handler } = serviceFor(model, dataDir);
    await bootstrapModel({
      model,
      lifecycle,
      mode: 'none',
      logger: getLogger('service'),
      generateDemo: () => Promise.reject(new Error('must not be called with BOOTSTRAP=none')),
    });

    await request(handler).get('/healthz').expect(200);
    const ready = await request(handler).get('/readyz').expect(503);
    assert.equal(ready.body.error.code, 'MODEL_NOT_READY');
    assert.match(ready.body.error.message, /no model loaded: train one with `npx movierec train/);
    const predict = await request(handler).post('/predict').send(TEN_RATINGS).expect(503);
    assert.match(predict.body.error.message, /movierec train/);
    assert.equal(predict.headers['retry-after'], '5');
    await request(handler).get('/api/movies?q=toy').expect(503);
    await request(handler).get('/api/similar/1').expect(503);
    await request(handler).get('/api/users/1/recommendations').expect(503);
    const info = await request(handler).get('/api/info').expect(200);
    assert.equal(info.body.model, null);
    assert.equal(info.body.modelStatus, 'no-model');
    const reload = await request(handler).post('/api/reload').expect(409);
    assert.equal(reload.body.error.code, 'MODEL_NOT_FOUND');
    // Bad input is still refused as such without a model.
    await request(handler).post('/predict').send([[1, 2], [3]]).expect(400);

    // Someone trains (the CLI, another process: here another MyRecModel on the same folder), then reloads.
    await new MyRecModel({ dataDir, threads: 2 }).train(ML_LATEST_SMALL, TRAIN_OPTIONS);
    const ok = await request(handler).post('/api/reload').expect(200);
    assert.equal(ok.body.reloaded, true);
    await request(handler).get('/readyz').expect(200);
    const recs = await request(handler).post('/predict').send(TEN_RATINGS).expect(200);
    assert.equal(recs.body[0].length, 20);
  });
});

describe('BOOTSTRAP=demo', () => {
  test('an empty data folder: 503 "bootstrapping" while the demo catalogue is generated and trained, then ready', async () => {
    const dataDir = tempDataDir();
    const model = new MyRecModel({ dataDir, threads: 2 });
    const { lifecycle, handler } = serviceFor(model, dataDir);
    const demoDir = join(dataDir, 'datasets', 'demo');
    const done = bootstrapModel({
      model,
      lifecycle,
      mode: 'demo',
      logger: getLogger('service'),
      generateDemo: async () => (await generateDemoDataset(demoDir)).ratingsFile,
    });
    // First the (failing) look for an existing model, then the bootstrap starts.
    while (lifecycle.status === 'starting') await new Promise((r) => setTimeout(r, 5));
    assert.equal(lifecycle.status, 'bootstrapping');
    const during = await request(handler).get('/readyz').expect(503);
    assert.equal(during.body.error.code, 'BOOTSTRAPPING');
    assert.match(during.body.error.message, /^bootstrapping/);
    assert.equal((await request(handler).post('/api/reload').expect(409)).body.error.code, 'BOOTSTRAPPING');
    await done;
    await request(handler).get('/readyz').expect(200);
    const info = await request(handler).get('/api/info').expect(200);
    assert.equal(info.body.model.dataset.name, 'demo/ratings.csv');
    const popular = await request(handler).post('/predict?format=full&M=3').send([[], []]).expect(200);
    const ids = popular.body.items.map((m: { movieId: number }) => m.movieId);
    assert.equal(ids.length, 3);
    const recs = await request(handler).post('/predict?format=full&M=5').send([ids, [5, 4, 3]]).expect(200);
    assert.equal(recs.body.items.length, 5);
    assert.equal(recs.body.personalised, true);
  });

  test('a corrupt model at start is refused and left alone (not overwritten by the demo)', async () => {
    const dataDir = copyDataDir(trained.dataDir);
    corruptModel(dataDir);
    const modelDir = currentModelDir(dataDir);
    const snapshot = readdirSync(modelDir).map((f) => readFileSync(join(modelDir, f)));
    const model = new MyRecModel({ dataDir, threads: 2 });
    const { lifecycle, handler } = serviceFor(model, dataDir);
    let demoCalled = false;
    await bootstrapModel({
      model,
      lifecycle,
      mode: 'demo',
      logger: getLogger('service'),
      generateDemo: () => {
        demoCalled = true;
        return Promise.reject(new Error('must not bootstrap over a refused model'));
      },
    });
    assert.equal(demoCalled, false);
    const ready = await request(handler).get('/readyz').expect(503);
    assert.match(ready.body.error.message, /^the model in the data folder was refused/);
    assert.doesNotMatch(ready.body.error.message, /\/tmp\//, 'no path in the message');
    const after = readdirSync(modelDir).map((f) => readFileSync(join(modelDir, f)));
    assert.deepEqual(after, snapshot);
  });
});

describe('POST /api/reload', () => {
  test('200 concurrent /predict while a new model is swapped in: every one answers 200', async () => {
    const dataDir = copyDataDir(trained.dataDir);
    const model = new MyRecModel({ dataDir, threads: 2 });
    await model.warmup();
    const oldTrainedAt = model.info()!.trainedAt;
    // A newer model lands in the folder (trained elsewhere), while this service keeps the old one loaded.
    await new MyRecModel({ dataDir, threads: 2 }).train(ML_LATEST_SMALL, { ...TRAIN_OPTIONS, seed: 99 });
    const { app } = serviceFor(model, dataDir);
    const { server, url } = await listen(app);
    try {
      const body = JSON.stringify(TEN_RATINGS);
      const predicts = Array.from({ length: 200 }, () =>
        fetch(`${url}/predict`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body }),
      );
      const reload = fetch(`${url}/api/reload`, { method: 'POST' });
      const more = Array.from({ length: 50 }, () =>
        fetch(`${url}/predict`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body }),
      );
      const responses = await Promise.all([...predicts, ...more]);
      const statuses = responses.map((r) => r.status);
      assert.deepEqual(statuses.filter((s) => s !== 200), [], 'no request failed');
      for (const r of responses) assert.equal(((await r.json()) as unknown[]).length, 2);
      const reloaded = await reload;
      assert.equal(reloaded.status, 200);
      const info = (await reloaded.json()) as { trainedAt: string };
      assert.notEqual(info.trainedAt, oldTrainedAt, 'the new model is serving');
      assert.equal(model.info()!.trainedAt, info.trainedAt);
    } finally {
      server.close();
    }
  });

  test('a corrupt model is refused with 422; the old model keeps answering the same', async () => {
    const dataDir = copyDataDir(trained.dataDir);
    const model = new MyRecModel({ dataDir, threads: 2 });
    await model.warmup();
    const { handler } = serviceFor(model, dataDir);
    const beforeAnswer = (await request(handler).post('/predict').send(TEN_RATINGS).expect(200)).body;
    const trainedAt = model.info()!.trainedAt;
    corruptModel(dataDir);
    const res = await request(handler).post('/api/reload').set('X-Request-Id', 'corrupt-reload').expect(422);
    assert.equal(res.body.error.code, 'INVALID_MODEL');
    assert.match(res.body.error.message, /corrupt or incompatible; keeping the current model/);
    assert.doesNotMatch(JSON.stringify(res.body), /\/tmp\//);
    await waitForLogLine(trained.logFile, /ERROR .*model reload refused .*keeping the current model/);
    const afterAnswer = (await request(handler).post('/predict').send(TEN_RATINGS).expect(200)).body;
    assert.deepEqual(afterAnswer, beforeAnswer);
    assert.equal(model.info()!.trainedAt, trainedAt);
    await request(handler).get('/readyz').expect(200);
    const info = await request(handler).get('/api/info').expect(200);
    assert.equal(info.body.model.trainedAt, trainedAt);
  });

  test('concurrent reloads share one load', async () => {
    const { lifecycle, handler } = serviceFor(trained.model, trained.dataDir);
    const first = lifecycle.reload();
    assert.equal(lifecycle.reload(), first, 'a second reload while one runs joins it');
    await first;
    const [a, b] = await Promise.all([
      request(handler).post('/api/reload').expect(200),
      request(handler).post('/api/reload').expect(200),
    ]);
    assert.equal(a.body.trainedAt, b.body.trainedAt);
  });
});
