// The OpenAPI 3.1 document, generated from the route declarations (routes/*.ts) and their zod schemas, so it
// describes exactly what the code validates. Served at GET /openapi.json.
import { z } from 'zod';
import { errorSchema } from './routes/common.js';
import { defineRoute, openApiPath, type AnyRouteSpec, type ResponseSpec } from './routes/spec.js';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete out.$schema;
  return out;
}

function parameters(object: z.ZodObject<z.ZodRawShape> | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!object) return [];
  return Object.entries(object.shape).map(([name, field]) => {
    const schema = jsonSchema(field as z.ZodType, 'input');
    return {
      name,
      in: where,
      required: where === 'path' || !(field as z.ZodType).safeParse(undefined).success,
      description: schema.description,
      schema,
    };
  });
}

function response(spec: ResponseSpec): JsonSchema {
  const out: JsonSchema = { description: spec.description };
  if (spec.schema) {
    out.content = { [spec.contentType ?? 'application/json']: { schema: jsonSchema(spec.schema, 'output') } };
  }
  if (spec.headers) {
    out.headers = Object.fromEntries(
      Object.entries(spec.headers).map(([name, h]) => [
        name,
        { description: h.description, schema: jsonSchema(h.schema, 'output') },
      ]),
    );
  }
  return out;
}

const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

export function buildOpenApiDocument(routes: readonly AnyRouteSpec[], version: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const errorContent = { 'application/json': { schema: jsonSchema(errorSchema, 'output') } };
  for (const route of routes) {
    const responses: Record<string, JsonSchema> = {};
    for (const [status, spec] of Object.entries(route.responses)) responses[status] = response(spec);
    if (!PROBES.has(route.path)) {
      responses['429'] ??= { description: 'Rate limit exceeded (only when RATE_LIMIT is set)', content: errorContent };
    }
    responses['500'] ??= { description: 'Unexpected error; the message carries the request id', content: errorContent };
    const operation: JsonSchema = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      responses,
    };
    if (route.description) operation.description = route.description;
    if (route.body) {
      operation.requestBody = {
        required: route.body.required,
        description: route.body.description,
        content: { 'application/json': { schema: jsonSchema(route.body.schema, 'input') } },
      };
    }
    (paths[openApiPath(route.path)] ??= {})[route.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'movierec',
      version,
      description:
        'Movie recommendations from an ALS model. Every error is {"error": {"code", "message", "requestId"}}; ' +
        'every response carries X-Request-Id.',
    },
    tags: [
      { name: 'recommendations', description: 'Recommendations and similar movies' },
      { name: 'movies', description: 'The catalogue' },
      { name: 'ratings', description: "People's ratings, stored; their next list folds them in at once" },
      { name: 'operations', description: 'Health, metrics, logs, model reload, build information' },
    ],
    paths,
  };
}

/** GET /openapi.json, documenting `routes()` (which includes this route); built once, on first request. */
export function openApiRoute(routes: () => readonly AnyRouteSpec[], version: string): AnyRouteSpec {
  let document: JsonSchema | null = null;
  return defineRoute({
    method: 'get',
    path: '/openapi.json',
    operationId: 'openapi',
    tag: 'operations',
    summary: 'This OpenAPI document',
    responses: { 200: { description: 'OpenAPI 3.1 document', schema: z.record(z.string(), z.unknown()) } },
    handler: (ctx) => {
      document ??= buildOpenApiDocument(routes(), version);
      ctx.body = document;
    },
  });
}
