// Every GET endpoint on a real model, plus the cross-cutting behaviour: JSON 404/405, security headers, request ids,
// the request log line, metrics, a real unexpected error (500 with a request id, stack in the log, process up) and
// the optional rate limit.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { shutdownLogger } from '../../src/logger.js';
import type { ServiceApp } from '../../src/server/app.js';
import { redactLogLines } from '../../src/server/logRedact.js';
import { healthResponse, readyResponse } from '../../src/server/routes/health.js';
import { infoResponse } from '../../src/server/routes/info.js';
import { logResponse } from '../../src/server/routes/log.js';
import { searchResponse } from '../../src/server/routes/movies.js';
import { movieSchema } from '../../src/server/routes/common.js';
import { similarResponse } from '../../src/server/routes/similar.js';
import { userRecommendationsResponse } from '../../src/server/routes/users.js';
import { REPO_ROOT, TEN_RATINGS, makeApp, trainedModel, waitForLogLine, type TrainedModel } from './helpers.js';

let trained: TrainedModel;
let app: ServiceApp;
let handler: ReturnType<ServiceApp['callback']>;

before(async () => {
  trained = await trainedModel();
  app = makeApp(trained.model, trained.dataDir);
  handler = app.callback();
});

after(async () => {
  await shutdownLogger();
});

/** supertest body parsers for the download: raw bytes, and text. */
function raw(res: request.Response, cb: (err: Error | null, body: Buffer) => void): void {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => cb(null, Buffer.concat(chunks)));
}
function text(r: request.Response, cb: (err: Error | null, body: string) => void): void {
  raw(r, (err, body) => cb(err, body.toString('utf8')));
}

/** Movies user 1 of ml-latest-small rated (read from the file, not from the model). */
function ratedByUser1(): Set<number> {
  const csv = readFileSync(join(REPO_ROOT, '..', 'shared', 'movielens', 'ml-latest-small', 'ratings.csv'), 'utf8');
  const out = new Set<number>();
  for (const line of csv.split('\n').slice(1)) {
    const [user, movie] = line.split(',');
    if (user === '1') out.add(Number(movie));
  }
  return out;
}

describe('catalogue and recommendation endpoints', () => {
  test('GET /api/movies?q= finds titles case- and accent-insensitively, best match first', async () => {
    const toy = searchResponse.parse((await request(handler).get('/api/movies?q=TOY%20story').expect(200)).body);
    assert.match(toy.items[0].title, /^Toy Story/);
    assert.ok(toy.items.every((m) => /toy/i.test(m.title) && /story/i.test(m.title)));
    const amelie = searchResponse.parse((await request(handler).get('/api/movies?q=amelie').expect(200)).body);
    assert.ok(amelie.items.some((m) => m.movieId === 4973 && m.title.includes('Amélie')), JSON.stringify(amelie));
    const limited = await request(handler).get('/api/movies?q=the&limit=3').expect(200);
    assert.equal(limited.body.items.length, 3);
    const none = await request(handler).get('/api/movies?q=zzqqxxnotatitle').expect(200);
    assert.deepEqual(none.body.items, []);
  });

  test('GET /api/movies refuses a bad limit or a repeated q', async () => {
    for (const q of ['?q=a&limit=0', '?q=a&limit=101', '?q=a&limit=x', '?q=a&q=b', '', '?q=%20%20']) {
      const res = await request(handler).get(`/api/movies${q}`).expect(400);
      assert.match(res.body.error.message, /^query parameter (limit|q): /, q);
    }
  });

  test('GET /api/movies/:id gives the movie, 404 when unknown, 400 when not an id', async () => {
    const toy = movieSchema.parse((await request(handler).get('/api/movies/1').expect(200)).body);
    assert.equal(toy.movieId, 1);
    assert.match(toy.title, /^Toy Story \(1995\)$/);
    assert.ok(toy.genres.includes('Animation'));
    assert.ok(toy.ratingCount > 100, 'Toy Story has 215 ratings in ml-latest-small');
    const missing = await request(handler).get('/api/movies/99999999').expect(404);
    assert.equal(missing.body.error.code, 'MOVIE_NOT_FOUND');
    const bad = await request(handler).get('/api/movies/abc').expect(400);
    assert.match(bad.body.error.message, /^path parameter id: must be an integer/);
    await request(handler).get('/api/movies/-1').expect(400);
    await request(handler).get('/api/movies/1.5').expect(400);
  });

  test('GET /api/similar/:id gives M neighbours, without the movie, most similar first', async () => {
    const res = similarResponse.parse((await request(handler).get('/api/similar/1?M=8').expect(200)).body);
    assert.equal(res.movieId, 1);
    assert.equal(res.items.length, 8);
    assert.ok(res.items.every((m) => m.movieId !== 1));
    for (let i = 1; i < res.items.length; i++) assert.ok(res.items[i - 1].rating >= res.items[i].rating);
    assert.ok(res.items.every((m) => m.rating <= 1 + 1e-6 && m.rating >= -1 - 1e-6), 'cosine similarities');
    assert.deepEqual(res.items, trained.model.similar(1, 8));
    assert.equal((await request(handler).get('/api/similar/1').expect(200)).body.items.length, 20, 'M defaults to 20');
    assert.equal((await request(handler).get('/api/similar/99999999').expect(404)).body.error.code, 'MOVIE_NOT_FOUND');
    assert.match((await request(handler).get('/api/similar/1?M=0').expect(400)).body.error.message, /query parameter M/);
  });

  test('GET /api/users/:id/recommendations: M movies the user has not rated; 404 for a stranger', async () => {
    const res = userRecommendationsResponse.parse(
      (await request(handler).get('/api/users/1/recommendations?M=15').expect(200)).body,
    );
    assert.equal(res.userId, 1);
    assert.equal(res.items.length, 15);
    assert.equal(res.personalised, true);
    const rated = ratedByUser1();
    assert.ok(rated.size > 100);
    for (const item of res.items) assert.ok(!rated.has(item.movieId), `user 1 already rated ${item.movieId}`);
    const stranger = await request(handler).get('/api/users/99999/recommendations').expect(404);
    assert.equal(stranger.body.error.code, 'USER_NOT_FOUND');
    await request(handler).get('/api/users/1/recommendations?M=1001').expect(400);
  });
});

describe('operations endpoints', () => {
  test('GET /api/info: author, version, commit, not from an image, the model, uptime; no paths', async () => {
    const res = await request(handler).get('/api/info').expect(200);
    const info = infoResponse.parse(res.body);
    assert.deepEqual(info.author, { name: 'Ada Tester', contact: 'ada@example.org' });
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    assert.equal(info.version, pkg.version);
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT }).toString().trim();
    assert.equal(info.commit, head);
    assert.equal(info.imageBuiltAt, 'not running from an image');
    assert.equal(info.modelStatus, 'ready');
    assert.ok(info.model);
    assert.equal(info.model.trainedAt, trained.model.info()!.trainedAt);
    assert.equal(info.model.params.factors, 16);
    assert.equal(info.model.dataset.name, 'ml-latest-small/ratings.csv');
    assert.equal(info.model.dataset.ratings, 100_836);
    assert.deepEqual(info.model.scale, { min: 0.5, max: 5, step: 0.5 });
    assert.ok(info.uptimeSeconds >= 0);
    assert.doesNotMatch(JSON.stringify(res.body), /\/tmp\/|\/work\//, 'no file paths');
  });

  test('GET /api/info reads the image build facts from the build-info file', async () => {
    const buildInfoPath = join(trained.dataDir, 'build-info.json');
    writeFileSync(buildInfoPath, JSON.stringify({ version: '9.9.9', commit: 'abcdef1234567', buildDate: '2026-01-31T12:00:00.000Z' }));
    const imageApp = makeApp(trained.model, trained.dataDir, { buildInfoPath });
    const info = infoResponse.parse((await request(imageApp.callback()).get('/api/info').expect(200)).body);
    assert.equal(info.imageBuiltAt, '2026-01-31T12:00:00.000Z');
    assert.equal(info.commit, 'abcdef1234567');
    assert.equal(info.version, '9.9.9');
  });

  test('GET /api/log returns the last lines of the log file; n is capped; bad n is refused', async () => {
    await request(handler).get('/api/movies/1').set('X-Request-Id', 'log-marker').expect(200);
    await waitForLogLine(trained.logFile, /id=log-marker/);
    const res = logResponse.parse((await request(handler).get('/api/log').expect(200)).body);
    assert.equal(res.n, 20);
    assert.equal(res.lines.length, 20);
    const fileLines = redactLogLines(readFileSync(trained.logFile, 'utf8').split('\n').filter(Boolean));
    // The file may have grown by this request's own lines since: our 20 lines are a window of it, ending late.
    const start = fileLines.indexOf(res.lines[0]);
    assert.ok(start >= 0);
    assert.deepEqual(fileLines.slice(start, start + 20), res.lines);
    assert.ok(fileLines.length - (start + 20) <= 3, 'the window is at the end of the file');
    const five = await request(handler).get('/api/log?n=5').expect(200);
    assert.equal(five.body.lines.length, 5);
    const long = join(trained.dataDir, 'long.log');
    const longLines = Array.from({ length: 1500 }, (_, i) => `2026-01-01 INFO line ${i}`);
    writeFileSync(long, `${longLines.join('\n')}\n`);
    const longApp = makeApp(trained.model, trained.dataDir, { logFile: long }).callback();
    const capped = await request(longApp).get('/api/log?n=50000').expect(200);
    assert.equal(capped.body.n, 1000);
    assert.deepEqual(capped.body.lines, longLines.slice(-1000));
    for (const n of ['0', '-2', 'abc', '2.5']) {
      const bad = await request(handler).get(`/api/log?n=${n}`).expect(400);
      assert.match(bad.body.error.message, /^query parameter n: must be a positive integer/);
    }
  });

  test('GET /api/log and /api/log/download leave out stack frames and file paths', async () => {
    const secret = join(trained.dataDir, 'secret.log');
    writeFileSync(
      secret,
      [
        '2026-01-01T00:00:00.000 INFO http [1] GET /api/movies/1 200 0.3ms id=a',
        '2026-01-01T00:00:01.000 ERROR service [1] unexpected error in GET /api/log (request b): Error: EISDIR',
        '    at FileHandle.read (node:internal/fs/promises:123:4)',
        '    at tailLines (/srv/app/src/server/logTail.ts:41:7)',
        '2026-01-01T00:00:02.000 INFO model [1] model loaded from /srv/app/data/model in 12 ms',
        '',
      ].join('\n'),
    );
    const app2 = makeApp(trained.model, trained.dataDir, { logFile: secret }).callback();
    const expected = [
      '2026-01-01T00:00:00.000 INFO http [1] GET /api/movies/1 200 0.3ms id=a',
      '2026-01-01T00:00:01.000 ERROR service [1] unexpected error in GET /api/log (request b): Error: EISDIR',
      '2026-01-01T00:00:02.000 INFO model [1] model loaded from <path> in 12 ms',
    ];
    assert.deepEqual((await request(app2).get('/api/log').expect(200)).body.lines, expected);
    assert.deepEqual((await request(app2).get('/api/log?n=2').expect(200)).body.lines, expected.slice(1));
    const download = await request(app2).get('/api/log/download').buffer(true).parse(text).expect(200);
    assert.equal(download.body, `${expected.join('\n')}\n`);
  });

  test('GET /api/log/download is an attachment with the (redacted) file content', async () => {
    const before = Buffer.from(redactLogLines(readFileSync(trained.logFile, 'utf8').split('\n').filter(Boolean)).join('\n'));
    const res = await request(handler).get('/api/log/download').buffer(true).parse(raw).expect(200);
    assert.equal(res.headers['content-disposition'], 'attachment; filename="log_file.log"');
    assert.match(res.headers['content-type'], /^text\/plain/);
    const body = res.body as Buffer;
    assert.ok(body.length >= before.length);
    assert.ok(body.subarray(0, before.length).equals(before), 'the download starts with what the file held');
  });

  test('GET /api/log/download with no log file yet is a JSON 404; /api/log gives []', async () => {
    const empty = makeApp(trained.model, trained.dataDir, { logFile: join(trained.dataDir, 'absent.log') });
    const res = await request(empty.callback()).get('/api/log/download').expect(404);
    assert.equal(res.body.error.code, 'LOG_NOT_FOUND');
    assert.deepEqual((await request(empty.callback()).get('/api/log').expect(200)).body.lines, []);
  });

  test('GET /healthz and /readyz', async () => {
    healthResponse.parse((await request(handler).get('/healthz').expect(200)).body);
    const ready = readyResponse.parse((await request(handler).get('/readyz').expect(200)).body);
    assert.equal(ready.trainedAt, trained.model.info()!.trainedAt);
  });

  test('GET /metrics: requests and latency by route and status, model age, recommendations, process metrics', async () => {
    await request(handler).post('/predict').send(TEN_RATINGS).expect(200);
    await request(handler).get('/api/similar/1').expect(200);
    await request(handler).get('/nope').expect(404);
    const res = await request(handler).get('/metrics').expect(200).expect('Content-Type', /text\/plain/);
    const text = res.text;
    assert.match(text, /^http_requests_total\{method="POST",route="\/predict",status="200"\} [1-9]/m);
    assert.match(text, /^http_requests_total\{method="GET",route="unmatched",status="404"\} [1-9]/m);
    assert.match(text, /^http_request_duration_seconds_bucket\{le="0\.005",method="POST",route="\/predict",status="200"\} \d+/m);
    assert.match(text, /^recommendations_served_total\{endpoint="predict"\} [1-9]/m);
    assert.match(text, /^recommendations_served_total\{endpoint="similar"\} [1-9]/m);
    const age = Number(/^model_age_seconds (\S+)$/m.exec(text)?.[1]);
    assert.ok(age >= 0 && age < 3600, `model age ${age}`);
    assert.match(text, /^model_loaded 1$/m);
    assert.match(text, /^process_resident_memory_bytes \d+/m);
    assert.match(text, /^nodejs_eventloop_lag_seconds /m);
  });
});

describe('cross-cutting behaviour', () => {
  test('unknown routes and methods are JSON errors', async () => {
    const res = await request(handler).get('/nope').expect(404).expect('Content-Type', /json/);
    assert.equal(res.body.error.code, 'NOT_FOUND');
    const wrong = await request(handler).delete('/predict').expect(405);
    assert.equal(wrong.body.error.code, 'METHOD_NOT_ALLOWED');
    assert.equal(wrong.headers.allow, 'POST');
    await request(handler).get('/predict').expect(405);
  });

  test('security headers on successes and errors', async () => {
    for (const res of [await request(handler).get('/healthz'), await request(handler).get('/nope')]) {
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['x-frame-options'], 'DENY');
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
      assert.match(res.headers['content-security-policy'], /default-src 'self'/);
      assert.match(res.headers['content-security-policy'], /frame-ancestors 'none'/);
      assert.equal(res.headers['x-powered-by'], undefined);
    }
  });

  test('X-Request-Id: echoed when sane, generated otherwise, and in the request log line', async () => {
    const mine = await request(handler).get('/api/movies/1').set('X-Request-Id', 'abc-123').expect(200);
    assert.equal(mine.headers['x-request-id'], 'abc-123');
    const generated = await request(handler).get('/healthz').expect(200);
    assert.match(generated.headers['x-request-id'], /^[0-9a-f-]{36}$/);
    const hostile = await request(handler).get('/healthz').set('X-Request-Id', 'x'.repeat(65)).expect(200);
    assert.match(hostile.headers['x-request-id'], /^[0-9a-f-]{36}$/);
    const line = await waitForLogLine(trained.logFile, /id=abc-123/);
    assert.match(line, /INFO http .*GET \/api\/movies\/1 200 \d+\.\dms id=abc-123/);
  });

  test('an unexpected error is a 500 with the request id, logged with its stack, and the service stays up', async () => {
    const dirAsLog = join(trained.dataDir, 'a-directory');
    mkdirSync(dirAsLog, { recursive: true });
    const broken = makeApp(trained.model, trained.dataDir, { logFile: dirAsLog });
    const res = await request(broken.callback()).get('/api/log').set('X-Request-Id', 'boom-1').expect(500);
    assert.deepEqual(res.body, {
      error: { code: 'INTERNAL_ERROR', message: 'internal error; quote request id boom-1 when reporting it', requestId: 'boom-1' },
    });
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    const line = await waitForLogLine(trained.logFile, /ERROR .*request boom-1.*EISDIR/);
    assert.match(line, /unexpected error in GET \/api\/log/);
    const text = readFileSync(trained.logFile, 'utf8');
    assert.match(text.slice(text.indexOf('request boom-1')), /\n\s+at /, 'the stack follows');
    await request(broken.callback()).get('/healthz').expect(200);
  });

  test('RATE_LIMIT: over the limit is a 429 with Retry-After; probes are exempt', async () => {
    const limited = makeApp(trained.model, trained.dataDir, { rateLimitPerSecond: 3 }).callback();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await request(limited).get('/api/movies/1')).status);
    assert.deepEqual(statuses.slice(0, 3), [200, 200, 200]);
    assert.equal(statuses[4], 429);
    const res = await request(limited).get('/api/movies/1').expect(429);
    assert.equal(res.body.error.code, 'TOO_MANY_REQUESTS');
    assert.ok(Number(res.headers['retry-after']) >= 1);
    for (let i = 0; i < 5; i++) await request(limited).get('/healthz').expect(200);
  });
});
