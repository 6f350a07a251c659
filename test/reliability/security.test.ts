// Security promises not covered elsewhere: the log endpoints read only the configured file, whatever path the client
// sends; the rate limit is off by default and configurable from the environment; the body limit comes from BODY_LIMIT.
// (Security headers, 413 and 429 are asserted in test/server/endpoints.test.ts and test/server/predict.test.ts; "no
// stack or path in any body" by test/reliability/api-fuzz.test.ts.)
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import request from 'supertest';
import { loadConfig } from '../../src/config.js';
import { MyRecModel } from '../../src/model/index.js';
import { FIXTURE_ML_LATEST } from '../helpers/paths.js';
import { logTo, makeApp, tempDataDir } from '../server/helpers.js';

let dataDir: string;
let handler: ReturnType<ReturnType<typeof makeApp>['callback']>;
const SECRET = 'TOP-SECRET-CONTENT-7f3a';

before(async () => {
  dataDir = tempDataDir('movierec-security-');
  logTo(dataDir);
  const model = new MyRecModel({ dataDir, threads: 1 });
  // With the ranking model (the default): its progress lines are all logged before train resolves, so none lands
  // after the known line below.
  await model.train(FIXTURE_ML_LATEST, { factors: 4, iterations: 2, seed: 1 });
  // A file beside the log that a path traversal would reach.
  mkdirSync(join(dataDir, 'private'));
  writeFileSync(join(dataDir, 'private', 'secret.txt'), `${SECRET}\n`);
  appendFileSync(join(dataDir, 'log_file.log'), '2026-01-01T00:00:00.000 INFO test a known log line\n');
  handler = makeApp(model, dataDir).callback();
});
after(() => rmSync(dataDir, { recursive: true, force: true }));

test('the log endpoints ignore any path the client sends (query, path segments, headers)', async () => {
  const attempts = [
    '/api/log?file=private/secret.txt',
    '/api/log?path=../private/secret.txt&n=20',
    '/api/log?n=20&file=%2Fetc%2Fpasswd',
    '/api/log/download?file=private/secret.txt',
    '/api/log/download?path=/etc/passwd',
    '/api/log/..%2Fprivate%2Fsecret.txt',
    '/api/log/download/..%2F..%2Fetc%2Fpasswd',
    '/api/log/%2e%2e/private/secret.txt',
  ];
  for (const url of attempts) {
    const res = await request(handler).get(url).set('X-File', 'private/secret.txt');
    assert.ok(res.status < 500, `${url} -> ${res.status}`);
    const text = res.text ?? '';
    assert.ok(!text.includes(SECRET), `${url} leaked another file`);
    assert.doesNotMatch(text, /root:x:0:0/, `${url} leaked /etc/passwd`);
    if (res.status === 200) assert.match(text, /a known log line/, `${url} answered 200 with something else than the log`);
  }
});

test('rate limit: off by default, configurable by RATE_LIMIT, refused when invalid', () => {
  assert.equal(loadConfig({}).service.rateLimitPerSecond, 0);
  assert.equal(loadConfig({ RATE_LIMIT: '50' }).service.rateLimitPerSecond, 50);
  assert.throws(() => loadConfig({ RATE_LIMIT: '-1' }), /RATE_LIMIT/);
});

test('body limit: 1 MB by default, configurable by BODY_LIMIT, enforced with a 413', async () => {
  assert.equal(loadConfig({}).service.bodyLimitBytes, 1024 * 1024);
  const limit = loadConfig({ BODY_LIMIT: '2kb' }).service.bodyLimitBytes;
  assert.equal(limit, 2048);
  const model = new MyRecModel({ dataDir, threads: 1 });
  await model.warmup();
  const small = makeApp(model, dataDir, { bodyLimitBytes: limit }).callback();
  const ids = Array.from({ length: 600 }, (_, i) => i + 1);
  const res = await request(small).post('/predict').send([ids, ids.map(() => 4)]).expect(413);
  assert.equal(res.body.error.code, 'PAYLOAD_TOO_LARGE');
  assert.match(res.body.error.message, /2048 bytes/);
});
