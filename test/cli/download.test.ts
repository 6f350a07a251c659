// `movierec download` against a local HTTP server serving archives built in the test (the machine has no internet;
// the base URL is configurable through MOVIELENS_BASE_URL).

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { downloadDataset } from '../../src/cli/download';
import { runCli } from '../helpers/cli';
import { FIXTURES } from '../helpers/paths';
import { tempDir } from '../helpers/tmp';
import { buildZip } from '../helpers/zip';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const fixture = (rel: string) => fs.readFileSync(path.join(FIXTURES, rel));

/** Archives by URL path; `.md5` entries are served as GroupLens writes them. */
const served = new Map<string, Buffer | string>();
const requests: string[] = [];
let server: http.Server;
let baseUrl: string;

const ml100k = buildZip([
  { name: 'ml-100k/', data: '' },
  { name: 'ml-100k/u.data', data: fixture('ml-100k/u.data') },
  { name: 'ml-100k/u.item', data: fixture('ml-100k/u.item') },
  { name: 'ml-100k/u.genre', data: fixture('ml-100k/u.genre') },
]);

before(async () => {
  served.set('/files/ml-100k.zip', ml100k);
  served.set('/files/ml-100k.zip.md5', `MD5 (ml-100k.zip) = ${md5(ml100k)}\n`);
  // ml-1m: the published md5 does not match the archive (corrupted in transit).
  const ml1m = buildZip([{ name: 'ml-1m/ratings.dat', data: fixture('ml-1m/ratings.dat') }]);
  served.set('/files/ml-1m.zip', ml1m);
  served.set('/files/ml-1m.zip.md5', `${'0'.repeat(32)}  ml-1m.zip\n`);
  // ml-10m: no md5 file at all; the archive unpacks to ml-10M100K/ like the real one.
  served.set('/files/ml-10m.zip', buildZip([{ name: 'ml-10M100K/ratings.dat', data: fixture('ml-10m/ratings.dat') }]));
  // ml-latest-small: a movies.csv whose sha256 is not the release's.
  const fake = buildZip([
    { name: 'ml-latest-small/ratings.csv', data: fixture('ml-latest/ratings.csv') },
    { name: 'ml-latest-small/movies.csv', data: fixture('ml-latest/movies.csv') },
  ]);
  served.set('/files/ml-latest-small.zip', fake);
  served.set('/files/ml-latest-small.zip.md5', md5(fake));
  // ml-25m: an entry that climbs out of the target folder.
  const evil = buildZip([{ name: 'ml-25m/../../evil.txt', data: 'x' }]);
  served.set('/files/ml-25m.zip', evil);
  served.set('/files/ml-25m.zip.md5', md5(evil));
  // ml-32m: not on the server (HTTP 404).

  server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = served.get(req.url ?? '');
    if (body === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-length': Buffer.byteLength(body) }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/files/`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

function datasetsDir(dataDir: string) {
  return path.join(dataDir, 'datasets');
}

/** Nothing but finished data sets in datasets/ (no temporary archive or unpack folder left behind). */
function leftovers(dataDir: string): string[] {
  const dir = datasetsDir(dataDir);
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.startsWith('.')) : [];
}

describe('movierec download', () => {
  test('fetches, verifies the published md5, unpacks, and the data set trains', async (t) => {
    const dataDir = tempDir(t);
    const env = { MOVIELENS_BASE_URL: baseUrl };
    const r = await runCli(['download', 'ml-100k', '--json'], { dataDir, env });
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.md5Verified, true);
    assert.equal(result.md5, md5(ml100k));
    assert.equal(result.bytes, ml100k.length);
    assert.deepEqual(result.files, ['u.data', 'u.genre', 'u.item']);
    const target = path.join(datasetsDir(dataDir), 'ml-100k');
    assert.equal(result.path, target);
    assert.deepEqual(fs.readFileSync(path.join(target, 'u.data')), fixture('ml-100k/u.data'));
    assert.deepEqual(leftovers(dataDir), []);

    const again = await runCli(['download', 'ml-100k'], { dataDir, env });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already in .*ml-100k/);

    const trained = await runCli(['train', `--dataset=${path.join(target, 'u.data')}`, '--iters', '3', '--json'], {
      dataDir,
    });
    assert.equal(trained.code, 0, trained.stderr);
    assert.equal(JSON.parse(trained.stdout).dataset.layout, 'tab');
  });

  test('a checksum mismatch fails with exit 1 and leaves nothing behind', async (t) => {
    const dataDir = tempDir(t);
    const r = await runCli(['download', 'ml-1m'], { dataDir, env: { MOVIELENS_BASE_URL: baseUrl } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /checksum mismatch .*ml-1m\.zip: md5 [0-9a-f]{32}, published 0{32}/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace without --verbose');
    assert.equal(fs.existsSync(path.join(datasetsDir(dataDir), 'ml-1m')), false);
    assert.deepEqual(leftovers(dataDir), []);
    assert.match(fs.readFileSync(path.join(dataDir, 'log_file.log'), 'utf8'), /checksum mismatch[\s\S]*\n\s+at /);
  });

  test('without a published md5 it unpacks, says it could not verify, and renames the top folder', async (t) => {
    const dataDir = tempDir(t);
    const r = await runCli(['download', 'ml-10m'], { dataDir, env: { MOVIELENS_BASE_URL: baseUrl } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /no published md5 found: not verified/);
    assert.ok(fs.existsSync(path.join(datasetsDir(dataDir), 'ml-10m', 'ratings.dat')));
  });

  test('a file whose sha256 differs from the known release is rejected', async (t) => {
    const dataDir = tempDir(t);
    const r = await runCli(['download', 'ml-latest-small'], { dataDir, env: { MOVIELENS_BASE_URL: baseUrl } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /checksum mismatch for ml-latest-small\/(movies|ratings)\.csv: sha256/);
    assert.equal(fs.existsSync(path.join(datasetsDir(dataDir), 'ml-latest-small')), false);
  });

  test('an entry escaping the folder is refused', async (t) => {
    const dataDir = tempDir(t);
    const r = await runCli(['download', 'ml-25m'], { dataDir, env: { MOVIELENS_BASE_URL: baseUrl } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /corrupt archive|outside/);
    assert.equal(fs.existsSync(path.join(dataDir, 'evil.txt')), false);
    assert.equal(fs.existsSync(path.join(path.dirname(dataDir), 'evil.txt')), false);
    assert.deepEqual(leftovers(dataDir), []);
  });

  test('HTTP 404, an unknown name and an unreachable server', async (t) => {
    const dataDir = tempDir(t);
    const missing = await runCli(['download', 'ml-32m'], { dataDir, env: { MOVIELENS_BASE_URL: baseUrl } });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /HTTP 404/);

    const unknown = await runCli(['download', 'ml-7m'], { dataDir, env: { MOVIELENS_BASE_URL: baseUrl } });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown data set "ml-7m"; choose one of ml-latest-small, ml-100k/);

    const down = await runCli(['download', 'ml-100k'], { dataDir, env: { MOVIELENS_BASE_URL: 'http://127.0.0.1:9/' } });
    assert.equal(down.code, 1);
    assert.match(down.stderr, /cannot fetch http:\/\/127\.0\.0\.1:9\/ml-100k\.zip/);

    const badUrl = await runCli(['download', 'ml-100k'], { dataDir, env: { MOVIELENS_BASE_URL: 'not a url' } });
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.stderr, /MOVIELENS_BASE_URL/);
  });

  test('reports progress while the archive arrives', async (t) => {
    const dataDir = tempDir(t);
    const seen: Array<[number, number | undefined]> = [];
    const r = await downloadDataset('ml-100k', {
      baseUrl,
      datasetsDir: datasetsDir(dataDir),
      onProgress: (got, total) => seen.push([got, total]),
    });
    assert.equal(r.alreadyPresent, false);
    assert.ok(seen.length > 0);
    assert.deepEqual(seen.at(-1), [ml100k.length, ml100k.length]);
  });
});
