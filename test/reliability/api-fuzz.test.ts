// API fuzzing: 10,000 generated requests across every route of the real app (in-process, on a loopback socket), against
// a real model trained on the tiny ml-latest fixture. Generated from the route specs (the same objects the OpenAPI
// document is built from): random and near-valid bodies, random query strings and path parameters, content types,
// methods, huge numbers, NaN strings, unicode. The promise: never a 5xx, every 4xx is `{"error":{"code","message"}}`
// with a non-empty message, and no stack trace or file path in any body.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { MyRecModel } from '../../src/model/index.js';
import type { ServiceApp } from '../../src/server/app.js';
import { listOptionsQuery } from '../../src/server/routes/listOptions.js';
import { REPO_ROOT, listen, logTo, makeApp, tempDataDir } from '../server/helpers.js';

const FIXTURE = join(REPO_ROOT, 'native', 'core', 'tests', 'fixtures', 'ml-latest', 'ratings.csv');
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);

let dataDir: string;
let app: ServiceApp;
let server: Server;
let baseUrl: string;

before(async () => {
  dataDir = tempDataDir('movierec-fuzz-');
  logTo(dataDir);
  const model = new MyRecModel({ dataDir, threads: 1 });
  await model.train(FIXTURE, { factors: 4, iterations: 3, seed: 3 });
  app = makeApp(model, dataDir);
  ({ server, url: baseUrl } = await listen(app));
});

after(async () => {
  await new Promise((ok) => server.close(ok));
  rmSync(dataDir, { recursive: true, force: true });
});

// Values a client might put anywhere: numbers at and beyond every edge, number-like strings, unicode, nesting.
const nasty = fc.oneof(
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e309', '-0', '0x10', '1_000', '', ' ', 'null', 'true', '[]', '{}'),
  fc.constantFrom('9007199254740993', '99999999999999999999999', '-1', '0', '1', '20', '1000', '1001', '2.5', '1e3'),
  fc.constantFrom('%00', '../../etc/passwd', '..%2F..%2Fetc%2Fpasswd', '/etc/passwd', 'C:\\Windows', '\u0000', 'é', '🎬'),
  fc.integer().map(String),
  fc.double().map(String),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
);
const number = fc.oneof(
  fc.integer({ min: -3, max: 200_000 }),
  fc.double({ noNaN: false }),
  fc.constantFrom(0, 0.5, 5, 5.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, 2 ** 32 + 1),
);
const ratingList = fc.array(fc.oneof(number, nasty as fc.Arbitrary<unknown>, fc.constant(null)), { maxLength: 12 });
const idList = fc.array(fc.oneof(fc.constantFrom(1, 2, 3, 6, 47, 50, 110, 4306), number, nasty as fc.Arbitrary<unknown>), {
  maxLength: 12,
});
const mValue = fc.oneof(number, nasty as fc.Arbitrary<unknown>, fc.constant(undefined));
// Near-valid /predict bodies: both documented shapes with every field possibly wrong.
const predictBody = fc.oneof(
  fc.tuple(idList, ratingList),
  fc.tuple(idList, ratingList, fc.anything()),
  fc.record({ movies: idList, ratings: ratingList, M: mValue }, { requiredKeys: [] }),
  fc.record({ movies: fc.anything(), ratings: fc.anything(), M: fc.anything() }, { requiredKeys: [] }),
);
// Near-valid bodies of the ratings routes: PUT {"rating"} and POST {"ratings": [{movieId, rating}]}.
const ratingValue = fc.oneof(number, fc.constantFrom(0.5, 3, 4.5, 5, 4.25, null), nasty as fc.Arbitrary<unknown>);
const ratingsBody = fc.oneof(
  fc.record({ rating: ratingValue }, { requiredKeys: [] }),
  fc.record({ ratings: fc.array(fc.record({ movieId: fc.oneof(idList, number), rating: ratingValue }), { maxLength: 6 }) }),
  fc.record({ ratings: fc.anything(), extra: fc.anything() }, { requiredKeys: [] }),
);
const bodyValue = fc.oneof(predictBody, ratingsBody, fc.jsonValue(), fc.anything());
// Near-valid values of the list parameters (filters, explain, order), so requests get past the schema to the core's
// checks: genre names right, wrong and in any case, years at and beyond the edges, id lists, flags.
const nearValidListValue = fc.constantFrom(
  'Comedy',
  'comedy,Drama',
  'Nonsense',
  'Comedy,,',
  '1995',
  '1799',
  '2201',
  '1,2,3',
  '1,-2',
  'true',
  'false',
  '1',
  'score',
  'estimate',
);

interface GeneratedRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  body: string | undefined;
}

function requestArbitrary(): fc.Arbitrary<GeneratedRequest> {
  const routes = app.routes;
  const queryKeys = [...new Set(routes.flatMap((r) => Object.keys(r.query?.shape ?? {})))];
  const pathSegment = fc.oneof(nasty, fc.constantFrom('1', '2', '47', '999999', '610'));
  const queryValue = fc.oneof(nasty, nearValidListValue);
  const query = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...queryKeys, 'M', 'format', 'n'), nasty), queryValue), {
    maxLength: 4,
  });
  const routePath = fc
    .tuple(fc.constantFrom(...routes), fc.array(pathSegment, { minLength: 3, maxLength: 3 }))
    .map(([route, segs]) => {
      let i = 0;
      const path = route.path.replace(/:[A-Za-z]+/g, () => encodeURIComponent(segs[i++] ?? ''));
      return { route, path };
    });
  const anyPath = fc.oneof(
    { weight: 9, arbitrary: routePath },
    {
      weight: 1,
      arbitrary: fc
        .array(nasty, { minLength: 1, maxLength: 3 })
        .map((segs) => ({ route: undefined, path: '/' + segs.map((s) => encodeURIComponent(s)).join('/') })),
    },
  );
  const contentType = fc.constantFrom(
    'application/json',
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/xml',
    'application/json; charset=latin-1',
    undefined,
  );
  const rawBody = fc.oneof(
    { weight: 6, arbitrary: bodyValue.map((v) => JSON.stringify(v) as string | undefined) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constantFrom('{', '[[1,2],[3', 'NaN', '[[1],[NaN]]', '{"movies":[1e999],"ratings":[4]}', '') },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
  return fc
    .tuple(
      anyPath,
      query,
      fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD') }),
      contentType,
      rawBody,
    )
    .map(([{ route, path }, q, methodOverride, ct, body]) => {
      const method = methodOverride ?? (route?.method ?? 'get').toUpperCase();
      const search = q.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
      const hasBody = method !== 'GET' && method !== 'HEAD';
      return {
        method,
        path: search ? `${path}?${search}` : path,
        contentType: hasBody ? ct : undefined,
        body: hasBody ? body : undefined,
      };
    });
}

// A stack frame ("at fn (file:line:col)"), or an absolute path of this machine (the temp data folder, the repo, node's
// own files).
const STACK = /\bat [^\n]*:\d+:\d+/;
function leaksPath(text: string): boolean {
  return text.includes(dataDir) || text.includes(REPO_ROOT) || /node:internal|node_modules|\/tmp\/|\.ts:\d+/.test(text);
}

async function send(req: GeneratedRequest): Promise<{ status: number; text: string; contentType: string }> {
  const headers: Record<string, string> = {};
  if (req.contentType) headers['content-type'] = req.contentType;
  const res = await fetch(baseUrl + req.path, { method: req.method, headers, body: req.body });
  return { status: res.status, text: await res.text(), contentType: res.headers.get('content-type') ?? '' };
}

test(`${RUNS} generated requests across every route: no 5xx, every 4xx a JSON error with a message, no leaks`, async () => {
  const statuses = new Map<number, number>();
  const routesHit = new Set<string>();
  const keysSent = new Set<string>();
  await fc.assert(
    fc.asyncProperty(requestArbitrary(), async (req) => {
      const { status, text, contentType } = await send(req);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      routesHit.add(`${req.method} ${req.path.split('?')[0]?.split('/').slice(0, 3).join('/')}`);
      for (const key of new URLSearchParams(req.path.split('?')[1] ?? '').keys()) keysSent.add(key);
      const where = `${req.method} ${req.path} (${req.contentType ?? 'no content type'}) body=${req.body?.slice(0, 200)}`;
      assert.ok(status < 500, `${where} -> ${status} ${text.slice(0, 300)}`);
      // The log endpoints return the service's own log lines by design; everything else must not show paths.
      const isLog = req.path.startsWith('/api/log') && status < 400;
      if (!isLog) {
        assert.doesNotMatch(text, STACK, `${where} -> stack in body`);
        assert.ok(!leaksPath(text), `${where} -> file path in body: ${text.slice(0, 300)}`);
      }
      if (status >= 400 && req.method !== 'HEAD') {
        assert.match(contentType, /application\/json/, `${where} -> ${status} not JSON`);
        const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
        assert.equal(typeof body.error?.code, 'string', `${where} -> no error.code: ${text}`);
        assert.ok(typeof body.error?.message === 'string' && body.error.message.trim().length > 0, `${where} -> empty message`);
      }
    }),
    { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261127), endOnFailure: true },
  );
  const total = [...statuses.values()].reduce((a, b) => a + b, 0);
  assert.equal(total, RUNS);
  // Every declared route was exercised (path prefixes), and both successes and rejections happened.
  assert.ok([...statuses.keys()].some((s) => s < 300), 'no request succeeded: the generator is too far off');
  assert.ok([...statuses.keys()].some((s) => s >= 400), 'no request was rejected');
  for (const key of Object.keys(listOptionsQuery.shape)) assert.ok(keysSent.has(key), `list parameter ${key} was fuzzed`);
  console.log(`fuzz: ${total} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
});
