// Every response the service gives, checked against the OpenAPI document it serves: a sweep that produces each
// documented status of each operation (on a real model trained with a validation holdout and evaluated, without a
// model, with a corrupt one, with a tiny body limit, a rate limit, and a log path that is a folder), and checks that
// the status is documented for that operation and that the body validates against the documented schema with a
// JSON Schema 2020-12 validator (ajv), the dialect of OpenAPI 3.1. Then: every documented status was produced.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { shutdownLogger } from '../../src/logger.js';
import { MyRecModel } from '../../src/model/index.js';
import type { ServiceApp } from '../../src/server/app.js';
import { openApiPath } from '../../src/server/routes/spec.js';
import {
  ML_LATEST_SMALL,
  TEN_RATINGS,
  TRAIN_OPTIONS,
  copyDataDir,
  corruptModel,
  logTo,
  makeApp,
  tempDataDir,
} from './helpers.js';

interface MediaType {
  schema: object;
}
interface Operation {
  responses: Record<string, { content?: Record<string, MediaType>; headers?: Record<string, MediaType> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>> };

/** Statuses any operation may give whatever its input (documented on every operation, produced once here). */
const GENERIC = new Set(['429', '500']);

let doc: Doc;
let ready: ReturnType<ServiceApp['callback']>;
let dataDir: string;
let model: MyRecModel;
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const validators = new Map<object, ValidateFunction>();
const produced = new Set<string>();

before(async () => {
  dataDir = tempDataDir('movierec-conformance-');
  logTo(dataDir);
  model = new MyRecModel({ dataDir, threads: 2 });
  // A validation holdout and an evaluation: model.json then has every optional part /api/info shows.
  await model.train(ML_LATEST_SMALL, { ...TRAIN_OPTIONS, validationFraction: 0.1 });
  await model.evaluate(ML_LATEST_SMALL);
  ready = makeApp(model, dataDir).callback();
  doc = (await request(ready).get('/openapi.json').expect(200)).body as Doc;
});

after(async () => {
  await shutdownLogger();
});

function validator(schema: object): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) validators.set(schema, (validate = ajv.compile(schema)));
  return validate;
}

/**
 * Sends one request and checks its response against the document: `route` is the router path (`/api/movies/:id`),
 * `expected` the status this request must produce.
 */
async function check(route: string, method: 'get' | 'post' | 'put' | 'delete', req: request.Test, expected: number): Promise<request.Response> {
  const res = await req.buffer(true);
  // SVG is not text to superagent: its body arrives as bytes.
  const text = typeof res.text === 'string' ? res.text : Buffer.from(res.body as Buffer).toString('utf8');
  const where = `${method.toUpperCase()} ${route} -> ${res.status}`;
  assert.equal(res.status, expected, `${where}: ${text.slice(0, 300)}`);
  const operation = doc.paths[openApiPath(route)]?.[method];
  assert.ok(operation, `${method} ${route} is not in the document`);
  const documented = operation.responses[String(res.status)];
  assert.ok(documented, `${where}: status not documented (documented: ${Object.keys(operation.responses).join(', ')})`);
  const contentType = String(res.headers['content-type'] ?? '').split(';')[0];
  const media = documented.content?.[contentType];
  const documentedTypes = Object.keys(documented.content ?? {}).join(', ');
  assert.ok(media, `${where}: content type ${contentType} not documented (${documentedTypes})`);
  const body: unknown = contentType === 'application/json' ? res.body : text;
  const validate = validator(media.schema);
  assert.ok(validate(body), `${where}: body does not match its schema: ${ajv.errorsText(validate.errors)}`);
  for (const [name, header] of Object.entries(documented.headers ?? {})) {
    const value: unknown = res.headers[name.toLowerCase()];
    if (value === undefined) continue;
    const validateHeader = validator(header.schema);
    assert.ok(validateHeader(value), `${where}: header ${name}: ${ajv.errorsText(validateHeader.errors)}`);
  }
  produced.add(`${method} ${openApiPath(route)} ${res.status}`);
  return res;
}

const json = (req: request.Test, body: unknown) => req.set('Content-Type', 'application/json').send(JSON.stringify(body));

test('a model with everything: every 2xx and input 4xx of every route', async () => {
  const r = request(ready);
  await check('/predict', 'post', json(r.post('/predict'), TEN_RATINGS), 200);
  const full = await check('/predict', 'post', json(r.post('/predict?format=full&M=5'), [[1, 4_000_000_000], [5, 3]]), 200);
  assert.equal(full.headers['x-unknown-movie-ids'], '4000000000', 'the header was produced, and checked');
  await check('/predict', 'post', json(r.post('/predict'), [[1, 2], [5]]), 400);
  await check('/predict', 'post', r.post('/predict').set('Content-Type', 'text/plain').send('[[1],[5]]'), 415);
  await check('/api/movies', 'get', r.get('/api/movies?q=toy'), 200);
  await check('/api/movies', 'get', r.get('/api/movies?q=%20'), 400);
  await check('/api/movies/:id', 'get', r.get('/api/movies/1'), 200);
  await check('/api/movies/:id', 'get', r.get('/api/movies/99999999'), 404);
  await check('/api/movies/:id', 'get', r.get('/api/movies/x'), 400);
  await check('/api/similar/:id', 'get', r.get('/api/similar/1?M=5'), 200);
  await check('/api/similar/:id', 'get', r.get('/api/similar/99999999'), 404);
  await check('/api/similar/:id', 'get', r.get('/api/similar/1?M=0'), 400);
  await check('/api/users/:id/recommendations', 'get', r.get('/api/users/1/recommendations'), 200);
  await check('/api/users/:id/recommendations', 'get', r.get('/api/users/99999/recommendations'), 404);
  await check('/api/users/:id/recommendations', 'get', r.get('/api/users/-1/recommendations'), 400);
  const rating = '/api/users/:id/ratings/:movieId';
  await check(rating, 'put', json(r.put('/api/users/900001/ratings/1'), { rating: 4.5 }), 200);
  await check(rating, 'put', json(r.put('/api/users/900001/ratings/1'), { rating: 4.25 }), 400);
  await check(rating, 'put', json(r.put('/api/users/900001/ratings/99999999'), { rating: 4 }), 404);
  await check(rating, 'put', r.put('/api/users/900001/ratings/1').set('Content-Type', 'text/plain').send('4'), 415);
  await check(rating, 'delete', r.delete('/api/users/900001/ratings/2'), 200);
  await check(rating, 'delete', r.delete('/api/users/900001/ratings/x'), 400);
  await check(rating, 'delete', r.delete('/api/users/900001/ratings/99999999'), 404);
  const ratings = '/api/users/:id/ratings';
  await check(ratings, 'post', json(r.post('/api/users/1/ratings'), { ratings: [{ movieId: 1, rating: 1 }, { movieId: 2, rating: null }] }), 200);
  await check(ratings, 'post', json(r.post('/api/users/1/ratings'), { ratings: [] }), 400);
  await check(ratings, 'post', json(r.post('/api/users/1/ratings'), { ratings: [{ movieId: 99999999, rating: 1 }] }), 404);
  await check(ratings, 'post', r.post('/api/users/1/ratings').set('Content-Type', 'text/plain').send('x'), 415);
  const page = await check(ratings, 'get', r.get('/api/users/1/ratings?limit=5'), 200);
  assert.equal(page.body.items.length, 5);
  await check(ratings, 'get', r.get('/api/users/1/ratings?limit=0'), 400);
  const listed = await check('/api/users/:id/recommendations', 'get', r.get('/api/users/900001/recommendations'), 200);
  assert.equal(listed.body.storedRatings, 2, 'a new person with stored ratings has a list');
  const info = await check('/api/info', 'get', r.get('/api/info'), 200);
  assert.ok(info.body.model.metrics, 'the evaluation is in /api/info');
  assert.ok(info.body.model.history.some((h: { validationRmse?: number }) => h.validationRmse !== undefined));
  await check('/api/model/charts/:name', 'get', r.get('/api/model/charts/training-curve.svg'), 200);
  await check('/api/model/charts/:name', 'get', r.get('/api/model/charts/metrics.svg'), 200);
  await check('/api/model/charts/:name', 'get', r.get('/api/model/charts/other.svg'), 400);
  await check('/api/log', 'get', r.get('/api/log?n=3'), 200);
  await check('/api/log', 'get', r.get('/api/log?n=0'), 400);
  await check('/api/log/download', 'get', r.get('/api/log/download'), 200);
  await check('/api/reload', 'post', r.post('/api/reload'), 200);
  const models = await check('/api/models', 'get', r.get('/api/models'), 200);
  const current = models.body.current as string;
  await check('/api/reload', 'post', r.post(`/api/reload?version=${current}`), 200);
  await check('/api/reload', 'post', r.post('/api/reload?version=..%2Fmodel'), 400);
  await check('/api/reload', 'post', r.post('/api/reload?version=20000101T000000.000Z-000000'), 404);
  await check('/healthz', 'get', r.get('/healthz'), 200);
  await check('/readyz', 'get', r.get('/readyz'), 200);
  await check('/metrics', 'get', r.get('/metrics'), 200);
  await check('/openapi.json', 'get', r.get('/openapi.json'), 200);
});

test('no model: 503 where one is needed, 409 on reload, 404 for charts and a missing log; info says null', async () => {
  const emptyDir = tempDataDir('movierec-conformance-empty-');
  const r = request(makeApp(new MyRecModel({ dataDir: emptyDir }), emptyDir).callback());
  await check('/predict', 'post', json(r.post('/predict'), TEN_RATINGS), 503);
  await check('/api/movies', 'get', r.get('/api/movies?q=toy'), 503);
  await check('/api/movies/:id', 'get', r.get('/api/movies/1'), 503);
  await check('/api/similar/:id', 'get', r.get('/api/similar/1'), 503);
  await check('/api/users/:id/recommendations', 'get', r.get('/api/users/1/recommendations'), 503);
  await check('/api/users/:id/ratings/:movieId', 'put', json(r.put('/api/users/1/ratings/1'), { rating: 4 }), 503);
  await check('/api/users/:id/ratings/:movieId', 'delete', r.delete('/api/users/1/ratings/1'), 503);
  await check('/api/users/:id/ratings', 'post', json(r.post('/api/users/1/ratings'), { ratings: [{ movieId: 1, rating: 4 }] }), 503);
  await check('/api/users/:id/ratings', 'get', r.get('/api/users/1/ratings'), 503);
  await check('/readyz', 'get', r.get('/readyz'), 503);
  assert.equal((await check('/api/info', 'get', r.get('/api/info'), 200)).body.model, null);
  await check('/api/model/charts/:name', 'get', r.get('/api/model/charts/training-curve.svg'), 404);
  await check('/api/log/download', 'get', r.get('/api/log/download'), 404);
  await check('/api/reload', 'post', r.post('/api/reload'), 409);
  assert.deepEqual((await check('/api/models', 'get', r.get('/api/models'), 200)).body.versions, []);
});

test('a corrupt model folder: 422 on reload', async () => {
  const corrupt = copyDataDir(dataDir);
  corruptModel(corrupt);
  const r = request(makeApp(new MyRecModel({ dataDir: corrupt }), corrupt).callback());
  await check('/api/reload', 'post', r.post('/api/reload'), 422);
});

test('limits and failures: 413 over the body limit, 429 over the rate limit, 500 on an unexpected error', async () => {
  const small = request(makeApp(model, dataDir, { bodyLimitBytes: 64 }).callback());
  await check('/predict', 'post', json(small.post('/predict'), [Array.from({ length: 50 }, (_, i) => i + 1), []]), 413);
  const many = { ratings: Array.from({ length: 10 }, (_, i) => ({ movieId: i + 1, rating: 4 })) };
  await check('/api/users/:id/ratings', 'post', json(small.post('/api/users/1/ratings'), many), 413);
  const limited = request(makeApp(model, dataDir, { rateLimitPerSecond: 1 }).callback());
  await check('/api/movies/:id', 'get', limited.get('/api/movies/1'), 200);
  await check('/api/movies/:id', 'get', limited.get('/api/movies/1'), 429);
  const folder = join(dataDir, 'a-folder-not-a-log');
  mkdirSync(folder, { recursive: true });
  const broken = request(makeApp(model, dataDir, { logFile: folder }).callback());
  await check('/api/log', 'get', broken.get('/api/log'), 500);
});

test('every documented status of every operation was produced and matched the document', () => {
  const missing: string[] = [];
  const generic = new Set<string>();
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const status of Object.keys(operation.responses)) {
        const key = `${method} ${path} ${status}`;
        if (GENERIC.has(status)) {
          if (produced.has(key)) generic.add(status);
        } else if (!produced.has(key)) missing.push(key);
      }
    }
  }
  assert.deepEqual(missing, [], 'documented but never produced by the sweep');
  assert.deepEqual([...generic].sort(), [...GENERIC].sort(), 'the statuses every operation documents');
});
