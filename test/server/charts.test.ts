// GET /api/model/charts/:name on a real model: the training curve train wrote, the metrics chart only after an
// evaluation (404 before), any other name a 400 naming the parameter; documented in the OpenAPI document.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import request from 'supertest';
import { shutdownLogger } from '../../src/logger.js';
import type { ServiceApp } from '../../src/server/app.js';
import { makeApp, ML_LATEST_SMALL, trainedModel, type TrainedModel } from './helpers.js';

let trained: TrainedModel;
let app: ServiceApp;

before(async () => {
  trained = await trainedModel();
  app = makeApp(trained.model, trained.dataDir);
  await trained.model.warmup();
});

after(async () => {
  await shutdownLogger();
});

test('training-curve.svg is served as SVG with one point per iteration', async () => {
  const res = await request(app.callback()).get('/api/model/charts/training-curve.svg').expect(200);
  assert.match(String(res.headers['content-type']), /^image\/svg\+xml/);
  const svg = res.text || String(res.body);
  assert.match(svg, /^<svg xmlns=/);
  const history = trained.model.info()!.history;
  const d = /<path d="([^"]+)"/.exec(svg)?.[1] ?? '';
  assert.equal(d.split(/[ML]/).filter((s) => s.trim()).length, history.length);
});

test('metrics.svg is 404 until evaluate has run, then served', async () => {
  const missing = await request(app.callback()).get('/api/model/charts/metrics.svg').expect(404);
  assert.equal(missing.body.error.code, 'CHART_NOT_FOUND');
  assert.match(missing.body.error.message, /metrics\.svg has not been written yet/);
  const e = await trained.model.evaluate(ML_LATEST_SMALL);
  const res = await request(app.callback()).get('/api/model/charts/metrics.svg').expect(200);
  const svg = res.text || String(res.body);
  assert.ok(svg.includes(`>${e.model.rating.rmse.toFixed(4)}</text>`));
});

test('any other name is a 400 naming the parameter; the route is in the OpenAPI document', async () => {
  for (const name of ['model.json', '..%2Fmodel.json', 'training-curve.png']) {
    const res = await request(app.callback()).get(`/api/model/charts/${name}`).expect(400);
    assert.match(res.body.error.message, /name/);
  }
  const doc = (await request(app.callback()).get('/openapi.json').expect(200)).body;
  const op = doc.paths['/api/model/charts/{name}'].get;
  assert.equal(op.operationId, 'getModelChart');
  assert.deepEqual(op.parameters[0].schema.enum, ['training-curve.svg', 'metrics.svg']);
  assert.ok(op.responses['404']);
});
