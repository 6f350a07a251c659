// POST /predict on a real model: both body shapes, M from the query or the body, the seed's response shape,
// ?format=full, unknown ids, the empty list, and every class of bad input (status, code, a message naming the
// field, and a warn line in the log).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { shutdownLogger } from '../../src/logger.js';
import type { ServiceApp } from '../../src/server/app.js';
import { fullResponse, pairResponse } from '../../src/server/routes/predict.js';
import { TEN_RATINGS, makeApp, trainedModel, waitForLogLine, type TrainedModel } from './helpers.js';

let trained: TrainedModel;
let app: ServiceApp;
let handler: ReturnType<ServiceApp['callback']>;

before(async () => {
  trained = await trainedModel();
  app = makeApp(trained.model, trained.dataDir, { bodyLimitBytes: 64 * 1024 });
  handler = app.callback();
});

after(async () => {
  await shutdownLogger();
});

function post(body: unknown, query = '') {
  return request(handler).post(`/predict${query}`).set('Content-Type', 'application/json').send(JSON.stringify(body));
}

describe('POST /predict answers', () => {
  test('the seed shape: [[ids],[ratings]] in, [[titles],[ratings]] out, best first, as the model says', async () => {
    const res = await post(TEN_RATINGS).expect(200).expect('Content-Type', /json/);
    const [titles, ratings] = pairResponse.parse(res.body);
    assert.equal(titles.length, 20, 'M defaults to 20');
    assert.equal(ratings.length, 20);
    for (let i = 1; i < ratings.length; i++) assert.ok(ratings[i - 1] >= ratings[i], 'sorted descending');
    const expected = await trained.model.recommend(TEN_RATINGS, 20);
    assert.deepEqual(titles, expected.items.map((r) => r.title));
    assert.deepEqual(ratings, expected.items.map((r) => r.rating));
    const inputTitles = TEN_RATINGS[0].map((id) => trained.model.movie(id)!.title);
    for (const t of inputTitles) assert.ok(!titles.includes(t), `input movie ${t} is not recommended back`);
    assert.equal(res.headers['x-unknown-movie-ids'], undefined, 'no header when every id is known');
  });

  test('the object shape with M in the body, and M in the query', async () => {
    const body = { movies: TEN_RATINGS[0], ratings: TEN_RATINGS[1], M: 7 };
    const fromBody = pairResponse.parse((await post(body).expect(200)).body);
    assert.equal(fromBody[0].length, 7);
    const fromQuery = pairResponse.parse((await post(TEN_RATINGS, '?M=7').expect(200)).body);
    assert.deepEqual(fromQuery, fromBody, 'same input, same M: same answer whichever way M came');
    const both = await post(body, '?M=7').expect(200);
    assert.equal(both.body[0].length, 7, 'the same M in both places is fine');
  });

  test('?format=full gives ids, titles, genres, ratings and the ignored ids; unknown ids go to a header and the log', async () => {
    const unknown = [4_000_000_000, 123_456_789];
    const input: [number[], number[]] = [[...TEN_RATINGS[0], ...unknown], [...TEN_RATINGS[1], 4, 2]];
    const res = await post(input, '?format=full&M=5').set('X-Request-Id', 'unknown-ids-test').expect(200);
    const full = fullResponse.parse(res.body);
    assert.equal(full.items.length, 5);
    assert.deepEqual([...full.ignoredIds].sort(), [...unknown].sort());
    assert.equal(full.personalised, true);
    for (const item of full.items) {
      assert.ok(!TEN_RATINGS[0].includes(item.movieId), 'input movies excluded');
      assert.equal(item.title, trained.model.movie(item.movieId)!.title);
      assert.deepEqual(item.genres, trained.model.movie(item.movieId)!.genres);
    }
    assert.deepEqual(res.headers['x-unknown-movie-ids'].split(',').map(Number).sort(), [...unknown].sort());
    const line = await waitForLogLine(trained.logFile, /unknown movie id.*request unknown-ids-test/);
    assert.match(line, /4000000000/);
  });

  test('an empty list is allowed: the non-personalised list', async () => {
    const res = await post([[], []], '?format=full&M=10').expect(200);
    const full = fullResponse.parse(res.body);
    assert.equal(full.items.length, 10);
    assert.equal(full.personalised, false);
    const pair = await post({ movies: [], ratings: [] }).expect(200);
    assert.equal(pair.body[0].length, 20);
  });

  test('only unknown ids: non-personalised, every id reported', async () => {
    const res = await post([[900_000_001, 900_000_002], [4, 5]], '?format=full').expect(200);
    assert.equal(res.body.personalised, false);
    assert.deepEqual(res.body.ignoredIds, [900_000_001, 900_000_002]);
    assert.equal(res.headers['x-unknown-movie-ids'], '900000001,900000002');
  });

  test('a movie given twice counts with its last rating', async () => {
    const twice = await post([[1, 2, 1], [4, 5, 3]], '?format=full').expect(200);
    const once = await post([[2, 1], [5, 3]], '?format=full').expect(200);
    assert.deepEqual(twice.body, once.body);
  });

  test('M = 1000 (the maximum) works', async () => {
    const res = await post(TEN_RATINGS, '?M=1000').expect(200);
    assert.equal(res.body[0].length, 1000);
  });
});

interface BadCase {
  name: string;
  send: () => request.Test;
  status: number;
  code: string;
  /** The message must name the field (or say what is wrong). */
  message: RegExp;
  /** `error.field` of the body, when the case names one. */
  field?: string;
}

const rawJson = (text: string, query = '') =>
  request(handler).post(`/predict${query}`).set('Content-Type', 'application/json').send(text);

const BAD: BadCase[] = [
  { name: 'body is a number', send: () => rawJson('5'), status: 400, code: 'INVALID_JSON', message: /JSON/ },
  { name: 'not JSON at all', send: () => rawJson('[[1,2],[3,'), status: 400, code: 'INVALID_JSON', message: /not valid JSON/ },
  { name: 'NaN literal', send: () => rawJson('[[1],[NaN]]'), status: 400, code: 'INVALID_JSON', message: /not valid JSON/ },
  { name: 'wrong shape: one list', send: () => post([1, 2, 3]), status: 400, code: 'INVALID_INPUT', message: /body\[0\]|movies/ },
  { name: 'wrong shape: three lists', send: () => post([[1], [2], [3]]), status: 400, code: 'INVALID_INPUT', message: /^body: .*2 items/ },
  { name: 'wrong shape: unknown key', send: () => post({ movies: [1], ratings: [4], movie: 3 }), status: 400, code: 'INVALID_INPUT', message: /body: .*"movie"/ },
  { name: 'wrong shape: missing ratings', send: () => post({ movies: [1] }), status: 400, code: 'INVALID_INPUT', message: /^ratings: / },
  { name: 'different lengths', send: () => post([[1, 2, 3], [4, 5]]), status: 400, code: 'INVALID_INPUT', message: /same length \(3 movie ids, 2 ratings\)/, field: 'ratings' },
  { name: 'non-integer id', send: () => post([[1, 2.5], [4, 5]]), status: 400, code: 'INVALID_INPUT', message: /^movies\[1\] \(body\[0\]\[1\]\): must be an integer/, field: 'movies[1]' },
  { name: 'negative id', send: () => post({ movies: [-3], ratings: [4] }), status: 400, code: 'INVALID_INPUT', message: /^movies\[0\]: must be a movie id/, field: 'movies[0]' },
  { name: 'id as a string', send: () => post([['1'], [4]]), status: 400, code: 'INVALID_INPUT', message: /^movies\[0\] \(body\[0\]\[0\]\): must be a number/ },
  { name: 'rating as a string', send: () => post([[1], ['4']]), status: 400, code: 'INVALID_INPUT', message: /^ratings\[0\] \(body\[1\]\[0\]\): must be a finite number/ },
  { name: 'rating Infinity (1e400)', send: () => rawJson('[[1],[1e400]]'), status: 400, code: 'INVALID_INPUT', message: /^ratings\[0\].*finite number/ },
  { name: 'rating null', send: () => post({ movies: [1], ratings: [null] }), status: 400, code: 'INVALID_INPUT', message: /^ratings\[0\]: / },
  { name: 'rating above the scale', send: () => post([[1, 2], [4, 7]]), status: 400, code: 'INVALID_INPUT', message: /^ratings\[1\]: 7 is outside the model's rating scale 0\.5\.\.5/, field: 'ratings[1]' },
  { name: 'rating below the scale', send: () => post([[1], [0]]), status: 400, code: 'INVALID_INPUT', message: /^ratings\[0\]: 0 is outside/ },
  { name: 'M = 0 in the query', send: () => post(TEN_RATINGS, '?M=0'), status: 400, code: 'INVALID_INPUT', message: /^query parameter M: must be an integer from 1 to 1000/, field: 'M' },
  { name: 'M = 1001 in the query', send: () => post(TEN_RATINGS, '?M=1001'), status: 400, code: 'INVALID_INPUT', message: /^query parameter M: / },
  { name: 'M not a number', send: () => post(TEN_RATINGS, '?M=ten'), status: 400, code: 'INVALID_INPUT', message: /^query parameter M: / },
  { name: 'M fractional', send: () => post(TEN_RATINGS, '?M=2.5'), status: 400, code: 'INVALID_INPUT', message: /^query parameter M: / },
  { name: 'M = 5000 in the body', send: () => post({ movies: [1], ratings: [4], M: 5000 }), status: 400, code: 'INVALID_INPUT', message: /^M: must be an integer from 1 to 1000/, field: 'M' },
  { name: 'M differs between query and body', send: () => post({ movies: [1], ratings: [4], M: 3 }, '?M=4'), status: 400, code: 'INVALID_INPUT', message: /^M: given in the query \(4\) and in the body \(3\)/, field: 'M' },
  { name: 'unknown format', send: () => post(TEN_RATINGS, '?format=xml'), status: 400, code: 'INVALID_INPUT', message: /^query parameter format: /, field: 'format' },
  { name: 'no body', send: () => request(handler).post('/predict'), status: 400, code: 'INVALID_INPUT', message: /JSON body is required/ },
  {
    name: 'body over the limit',
    send: () => post([Array.from({ length: 20_000 }, (_, i) => i + 1), Array.from({ length: 20_000 }, () => 4)]),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    message: /larger than the limit of 65536 bytes/,
  },
  {
    name: 'text/plain',
    send: () => request(handler).post('/predict').set('Content-Type', 'text/plain').send('[[1],[4]]'),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: /content type must be application\/json \(got text\/plain\)/,
  },
  {
    name: 'a form',
    send: () => request(handler).post('/predict').type('form').send({ movies: '1', ratings: '4' }),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: /application\/x-www-form-urlencoded/,
  },
  {
    name: 'XML',
    send: () => request(handler).post('/predict').set('Content-Type', 'application/xml').send('<ratings/>'),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: /\(got application\/xml\)/,
  },
];

describe('POST /predict refuses bad input', () => {
  for (const c of BAD) {
    test(`${c.name} -> ${c.status} ${c.code}`, async () => {
      const id = `bad-${c.name.replace(/[^A-Za-z0-9]+/g, '-')}`.slice(0, 60);
      const res = await c.send().set('X-Request-Id', id).expect(c.status).expect('Content-Type', /json/);
      assert.equal(res.body.error.code, c.code, JSON.stringify(res.body));
      assert.match(res.body.error.message, c.message);
      if (c.field !== undefined) assert.equal(res.body.error.field, c.field, JSON.stringify(res.body));
      assert.equal(res.body.error.requestId, id);
      assert.doesNotMatch(JSON.stringify(res.body), /\/tmp|\/work|node_modules|at .*\.ts:\d+/, 'no path or stack');
      const line = await waitForLogLine(trained.logFile, new RegExp(`WARN .*\\(request ${id}\\)`));
      assert.ok(line.includes(`${c.status} ${c.code}`), line);
    });
  }

  test('after all that the service still answers', async () => {
    await post(TEN_RATINGS).expect(200);
  });
});
