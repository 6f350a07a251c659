// GET /openapi.json documents every route the router serves (enumerated from the router itself, so a route added
// without a declaration fails here), with request and response schemas, and nothing the router does not serve.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import request from 'supertest';
import { shutdownLogger } from '../../src/logger.js';
import type { ServiceApp } from '../../src/server/app.js';
import { openApiPath } from '../../src/server/routes/spec.js';
import { makeApp, trainedModel } from './helpers.js';

interface Operation {
  operationId: string;
  parameters: { name: string; in: string; required: boolean; schema: object }[];
  requestBody?: { content: Record<string, { schema: object }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: object }> }>;
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
