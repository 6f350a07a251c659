// The middleware that serves the built page (src/server/static/web.ts), on a hand-made folder: content types,
// caching by name, ETag revalidation, gzip, and that no request path reaches a file outside the folder.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Koa from 'koa';
import request from 'supertest';
import { findWebDist, serveWeb } from '../../src/server/static/web.js';

const BIG_SCRIPT = `console.log(${JSON.stringify('x'.repeat(4000))});\n`;

function appFor(root: string): Koa {
  const app = new Koa();
  app.use(serveWeb({ root }));
  // What the API would answer for anything the page does not have.
  app.use((ctx) => {
    ctx.status = 404;
    ctx.body = { error: { code: 'NOT_FOUND', message: `no route for ${ctx.method} ${ctx.path}` } };
  });
  return app;
}

describe('serveWeb', () => {
  let parent: string;
  let root: string;
  let server: ReturnType<Koa['callback']>;

  before(() => {
    parent = mkdtempSync(join(tmpdir(), 'movierec-static-'));
    root = join(parent, 'dist');
    mkdirSync(join(root, 'img'), { recursive: true });
    writeFileSync(join(parent, 'secret.txt'), 'outside the page folder\n');
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>page</title>\n');
    writeFileSync(join(root, 'app.0123456789ab.js'), BIG_SCRIPT);
    writeFileSync(join(root, 'app.0123456789ab.css'), 'body{margin:0}\n');
    writeFileSync(join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>\n');
    writeFileSync(join(root, 'img', 'a.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    writeFileSync(join(root, 'notes.md'), '# not a served type\n');
    server = appFor(root).callback();
  });

  after(() => rmSync(parent, { recursive: true, force: true }));

  test('/ and /index.html answer the page, revalidated on every visit', async () => {
    for (const path of ['/', '/index.html']) {
      const res = await request(server).get(path).expect(200);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.match(res.headers.etag ?? '', /^"[\w-]+"$/);
      assert.match(res.text, /<title>page<\/title>/);
    }
  });

  test('hashed bundles are cached for good; other files are revalidated; types follow the extension', async () => {
    const js = await request(server).get('/app.0123456789ab.js').expect(200);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
    const css = await request(server).get('/app.0123456789ab.css').expect(200);
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
    const svg = await request(server).get('/favicon.svg').expect(200);
    assert.equal(svg.headers['content-type'], 'image/svg+xml');
    assert.equal(svg.headers['cache-control'], 'no-cache');
    const png = await request(server).get('/img/a.png').expect(200);
    assert.equal(png.headers['content-type'], 'image/png');
  });

  test('a matching If-None-Match gets 304 without a body; HEAD gets the headers only', async () => {
    const first = await request(server).get('/');
    const again = await request(server).get('/').set('If-None-Match', first.headers.etag).expect(304);
    assert.equal(again.text, '');
    const head = await request(server).head('/app.0123456789ab.js').set('Accept-Encoding', 'identity').expect(200);
    assert.equal(head.headers['content-length'], String(Buffer.byteLength(BIG_SCRIPT)));
  });

  test('gzip when the client takes it, identity otherwise', async () => {
    const zipped = await request(server).get('/app.0123456789ab.js').set('Accept-Encoding', 'gzip');
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.ok(Number(zipped.headers['content-length']) < Buffer.byteLength(BIG_SCRIPT) / 10);
    assert.equal(zipped.text, BIG_SCRIPT, 'the client inflates it back to the file');
    assert.match(zipped.headers.vary ?? '', /Accept-Encoding/);
    const plain = await request(server).get('/app.0123456789ab.js').set('Accept-Encoding', 'identity');
    assert.equal(plain.headers['content-encoding'], undefined);
  });

  test('paths out of the folder, odd encodings and unknown files go on to the API (404), never to the disk', async () => {
    const attempts = [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E%2Fsecret.txt',
      '/img/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/index.html%00.js',
      '/%E0%A4%A',
      '/notes.md',
      '/missing.js',
      '/img',
      '/img/',
    ];
    for (const path of attempts) {
      const res = await request(server).get(path);
      assert.equal(res.status, 404, `${path} -> ${res.status}`);
      assert.equal(res.body?.error?.code, 'NOT_FOUND', `${path} reaches the next middleware`);
      assert.doesNotMatch(res.text, /outside the page folder/);
    }
  });

  test('other methods go on to the API', async () => {
    const res = await request(server).post('/').send({});
    assert.equal(res.status, 404);
    assert.equal(res.body.error.message, 'no route for POST /');
  });

  test('without a built page, / says how to build it and the API still answers', async () => {
    const empty = appFor(join(parent, 'not-built')).callback();
    const res = await request(empty).get('/').expect(404);
    assert.match(res.text, /npm run build:web/);
    await request(empty).get('/api/anything').expect(404);
  });

  test('findWebDist finds the repository web/dist from this module, from src/ or dist/', () => {
    const found = findWebDist(parent);
    assert.equal(found, null, 'no web/dist above a temporary folder');
    const fake = join(parent, 'repo');
    mkdirSync(join(fake, 'web', 'dist'), { recursive: true });
    writeFileSync(join(fake, 'web', 'dist', 'index.html'), '');
    const deep = join(fake, 'dist', 'src', 'server', 'static');
    mkdirSync(deep, { recursive: true });
    assert.equal(findWebDist(deep), join(fake, 'web', 'dist'));
  });
});
