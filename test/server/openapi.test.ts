// GET /openapi.json documents every route the router serves (enumerated from the router itself, so a route added
// without a declaration fails here), with request and response schemas, and nothing the router does not serve. The
// document is valid OpenAPI 3.1 by a standard validator (@readme/openapi-parser) and every schema in it is valid
// JSON Schema 2020-12 (ajv's meta-schema check: the validator does not look inside schemas). A method a route does not
// declare answers 405 with Allow. (That every response matches the document: conformance.test.ts.)
import assert from 'node:assert/strict';
import { METHODS } from 'node:http';
import { after, before, test } from 'node:test';
import { validate } from '@readme/openapi-parser';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { shutdownLogger } from '../../src/logger.js';
import type { ServiceApp } from '../../src/server/app.js';
import { openApiPath } from '../../src/server/routes/spec.js';
import { makeApp, trainedModel } from './helpers.js';

interface Operation {
  operationId: string;
  parameters: { name: string; in: string; required: boolean; schema: object }[];
  requestBody?: { content: Record<string, { schema: object }> };
  responses: Record<
    string,
    { description: string; content?: Record<string, { schema: object }>; headers?: Record<string, { schema: object }> }
  >;
}
type Doc = { openapi: string; info: { version: string }; paths: Record<string, Record<string, Operation>> };

let app: ServiceApp;
let doc: Doc;

before(async () => {
  const trained = await trainedModel();
  app = makeApp(trained.model, trained.dataDir);
  doc = (await request(app.callback()).get('/openapi.json').expect(200).expect('Content-Type', /json/)).body as Doc;
});

after(async () => {
  await shutdownLogger();
});

/** Every (method, path) the router answers, HEAD (automatic for GET) aside. */
function routerRoutes(): { method: string; path: string; params: string[] }[] {
  const out: { method: string; path: string; params: string[] }[] = [];
  for (const layer of app.router.stack) {
    for (const method of layer.methods) {
      if (method === 'HEAD') continue;
      out.push({ method: method.toLowerCase(), path: String(layer.path), params: layer.paramNames.map((k) => String(k.name)) });
    }
  }
  return out;
}

test('the document is OpenAPI 3.1 with the package version', () => {
  assert.equal(doc.openapi, '3.1.0');
  assert.match(doc.info.version, /^\d+\.\d+\.\d+/);
});

test('every route of the router is documented, with its path parameters', () => {
  const routes = routerRoutes();
  assert.ok(routes.length >= 13, `router has ${routes.length} routes`);
  const missing = routes.filter((r) => !doc.paths[openApiPath(r.path)]?.[r.method]);
  assert.deepEqual(missing, [], 'routes missing from /openapi.json');
  for (const r of routes) {
    const op = doc.paths[openApiPath(r.path)][r.method];
    const documented = op.parameters.filter((p) => p.in === 'path').map((p) => p.name);
    assert.deepEqual(documented.sort(), [...r.params].sort(), `${r.method} ${r.path} path parameters`);
  }
});

test('nothing is documented that the router does not serve', () => {
  const served = new Set(routerRoutes().map((r) => `${r.method} ${openApiPath(r.path)}`));
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of Object.keys(ops)) assert.ok(served.has(`${method} ${path}`), `${method} ${path} is not routed`);
  }
});

test('every operation has a unique id, a 2xx response with a schema, and error responses with the error schema', () => {
  const ids = new Set<string>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      assert.ok(!ids.has(op.operationId), `duplicate operationId ${op.operationId}`);
      ids.add(op.operationId);
      const ok = Object.entries(op.responses).find(([status]) => status.startsWith('2'));
      assert.ok(ok?.[1].content, `${method} ${path} has a 2xx response with content`);
      const error = op.responses['500'].content!['application/json'].schema as { properties?: Record<string, unknown> };
      assert.ok(error.properties?.error, `${method} ${path} 500 uses the error schema`);
      for (const p of op.parameters) assert.ok(p.schema && Object.keys(p.schema).length > 0, `${path} ${p.name} schema`);
    }
  }
});

test('POST /predict documents both body shapes, M and format, and the unknown-ids header', () => {
  const op = doc.paths['/predict'].post;
  const body = op.requestBody!.content['application/json'].schema as { anyOf: { type: string }[] };
  assert.deepEqual(body.anyOf.map((s) => s.type).sort(), ['array', 'object']);
  const params = Object.fromEntries(op.parameters.map((p) => [p.name, p]));
  assert.deepEqual(params.M.schema, {
    type: 'integer',
    minimum: 1,
    maximum: 1000,
    description: 'How many recommendations (1..1000, default 20)',
  });
  assert.deepEqual((params.format.schema as { enum: string[] }).enum, ['pair', 'full']);
  const ok = op.responses['200'] as unknown as { headers: Record<string, unknown> };
  assert.ok(ok.headers['X-Unknown-Movie-Ids']);
  for (const status of ['400', '413', '415', '503']) assert.ok(op.responses[status], `documents ${status}`);
});

test('a standard OpenAPI validator finds the document valid, with no warning', async () => {
  const result = await validate(structuredClone(doc) as unknown as Parameters<typeof validate>[0]);
  assert.deepEqual(result, { valid: true, warnings: [], specification: 'OpenAPI' });
});

/** Every schema of the document (parameters, bodies, responses, headers), with where it is. */
function schemas(): [string, object][] {
  const out: [string, object][] = [];
  const media = (where: string, content?: Record<string, { schema: object }>) => {
    for (const [type, m] of Object.entries(content ?? {})) out.push([`${where} ${type}`, m.schema]);
  };
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      for (const p of op.parameters) out.push([`${method} ${path} parameter ${p.name}`, p.schema]);
      media(`${method} ${path} request body`, op.requestBody?.content);
      for (const [status, response] of Object.entries(op.responses)) {
        media(`${method} ${path} ${status}`, response.content);
        for (const [name, header] of Object.entries(response.headers ?? {})) {
          out.push([`${method} ${path} ${status} header ${name}`, header.schema]);
        }
      }
    }
  }
  return out;
}

test('every schema in the document is valid JSON Schema 2020-12 (tuples as prefixItems, not an array under items)', () => {
  const ajv = new Ajv2020({ strict: true });
  addFormats(ajv);
  const all = schemas();
  assert.ok(all.length > 50, `${all.length} schemas`);
  for (const [where, schema] of all) {
    assert.ok(ajv.validateSchema(schema), `${where}: ${ajv.errorsText(ajv.errors)}`);
    assert.doesNotThrow(() => ajv.compile(schema), where);
  }
  const pair = doc.paths['/predict'].post.responses['200'].content!['application/json'].schema as { anyOf: object[] };
  assert.ok(pair.anyOf.some((s) => 'prefixItems' in s), 'the [[titles],[ratings]] answer is a prefixItems tuple');
});

test('the document states what the service enforces: q needs a non-space character, lengths must agree', async () => {
  const q = doc.paths['/api/movies'].get.parameters.find((p) => p.name === 'q')!.schema as { pattern: string };
  assert.ok(!new RegExp(q.pattern, 'u').test('   '), 'an all-space q is outside the documented pattern');
  assert.ok(new RegExp(q.pattern, 'u').test(' toy '));
  await request(app.callback()).get('/api/movies?q=%20%20%20').expect(400);
  const description = (doc.paths['/predict'].post as unknown as { description: string }).description;
  assert.match(description, /different lengths/);
  assert.match(description, /outside the model's scale/);
  assert.match(description, /M given in both the query and the body with different values/);
});

test('a method a route does not declare answers 405 with Allow; OPTIONS answers 200 with Allow; HEAD works on GET', async () => {
  const handler = app.callback();
  const byPath = new Map<string, Set<string>>();
  for (const r of routerRoutes()) {
    const path = r.path.replace(':name', 'training-curve.svg').replace(/:[A-Za-z]+/g, '1');
    (byPath.get(path) ?? byPath.set(path, new Set()).get(path)!).add(r.method.toUpperCase());
  }
  assert.ok(byPath.size >= 13);
  // Methods an HTTP client can send on a path (CONNECT takes an authority, not a path).
  const others = METHODS.filter((m) => m !== 'CONNECT');
  for (const [path, declared] of byPath) {
    const allow = new Set([...declared, ...(declared.has('GET') ? ['HEAD'] : [])]);
    for (const method of others.filter((m) => !allow.has(m) && m !== 'OPTIONS')) {
      const res = await request(handler)[method.toLowerCase() as 'get'](path);
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.deepEqual(new Set(String(res.headers.allow).split(', ')), allow, `${method} ${path} Allow`);
      if (method !== 'HEAD') assert.equal(res.body.error.code, 'METHOD_NOT_ALLOWED', `${method} ${path}`);
    }
    const options = await request(handler).options(path).expect(200);
    assert.deepEqual(new Set(String(options.headers.allow).split(', ')), allow, `OPTIONS ${path}`);
    if (declared.has('GET')) {
      const get = await request(handler).get(path);
      const head = await request(handler).head(path);
      assert.equal(head.status, get.status, `HEAD ${path}`);
      assert.equal(head.text ?? '', '', `HEAD ${path} has no body`);
    }
  }
});
