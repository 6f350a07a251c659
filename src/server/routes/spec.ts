// One declaration per route: method, path, zod schemas for its path parameters, query, body and responses, and the
// handler. app.ts registers the handlers on the router from these, and openapi.ts documents them from the same
// objects, so the document cannot describe a schema the code does not enforce.
import type { RouterContext } from '@koa/router';
import { z } from 'zod';
import { ApiError, badRequest } from '../errors.js';

export interface ResponseSpec {
  description: string;
  /** JSON body schema (content type application/json) unless contentType says otherwise. */
  schema?: z.ZodType;
  contentType?: string;
  headers?: Record<string, { description: string; schema: z.ZodType }>;
}

type AnyObject = z.ZodObject<z.ZodRawShape>;

export interface RouteSpec<P extends AnyObject = AnyObject, Q extends AnyObject = AnyObject> {
  method: 'get' | 'post' | 'put' | 'delete';
  /** Koa router path, e.g. `/api/movies/:id`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  params?: P;
  query?: Q;
  /** Documented request body; the handler validates it (bodies need route-specific messages). */
  body?: { schema: z.ZodType; required: boolean; description: string };
  responses: Record<number, ResponseSpec>;
  handler: (ctx: RouterContext, input: { params: z.output<P>; query: z.output<Q> }) => unknown;
}

export type AnyRouteSpec = RouteSpec<AnyObject, AnyObject>;

type NoFields = z.ZodObject<Record<string, never>>;

export function defineRoute<P extends AnyObject = NoFields, Q extends AnyObject = NoFields>(
  spec: RouteSpec<P, Q>,
): AnyRouteSpec {
  // The handler's input type is checked here, against P and Q; the registry only needs the erased shape.
  return spec;
}

/** `ratings[3]`, `movies`, `M`: a zod issue path as the client wrote it. */
export function fieldName(path: readonly PropertyKey[], root = ''): string {
  let out = root;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || 'body';
}

/** Messages for every issue, each naming its field, e.g. `query parameter M: Too big: expected number to be <=1000`. */
export function describeIssues(error: z.ZodError, where: string, rename?: (path: readonly PropertyKey[]) => string): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const name = rename ? rename(issue.path) : fieldName(issue.path);
      return `${where ? `${where} ` : ''}${name}: ${issue.message}`;
    })
    .join('; ');
}

/** The field of the first issue, as `field` of the error body. */
export function firstField(error: z.ZodError, name: (path: readonly PropertyKey[]) => string = fieldName): string {
  return name(error.issues[0]?.path ?? []);
}

/** Parses `value` with `schema` or throws a 400 naming the offending field. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw badRequest(describeIssues(result.error, where), firstField(result.error));
  return result.data;
}

/**
 * The parsed JSON body of a route that takes one: 400 when there is none (`shape` says what to send), 415 when it
 * is not JSON.
 */
export function jsonBody(ctx: RouterContext, shape: string): unknown {
  if (!ctx.request.is('application/json')) {
    if (!ctx.request.type && !ctx.request.length) throw badRequest(`a JSON body is required: ${shape}`, 'body');
    throw new ApiError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `content type must be application/json (got ${ctx.request.type || 'none'})`,
    );
  }
  return (ctx.request as { body?: unknown }).body;
}

/** `/api/movies/:id` -> `/api/movies/{id}` (OpenAPI path templating). */
export function openApiPath(koaPath: string): string {
  return koaPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
