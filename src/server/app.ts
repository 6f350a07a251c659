// createApp: the Koa application with its middleware and routes, without listen(), so tests run it in-process
// (supertest on app.callback()) and main.ts serves it.
//
// Middleware, outermost first: request id -> request log and metrics (on response finish) -> security headers ->
// errors (everything below throws; this answers JSON) -> the web page (static/web.ts, `/` and its assets) ->
// optional rate limit -> 404 -> routes (JSON body parser on the routes that take a body) -> 405.
import { METHODS } from 'node:http';
import Router, { type RouterMiddleware } from '@koa/router';
import Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import log4js, { type Logger } from 'log4js';
import { readBuildFacts } from './buildInfo.js';
import type { BuildFacts, RecModel, RouteDeps, ServiceSettings } from './deps.js';
import { ApiError, notFound } from './errors.js';
import { ModelLifecycle } from './lifecycle.js';
import { createMetrics, type ServiceMetrics } from './metrics.js';
import { errorHandler } from './middleware/errors.js';
import { rateLimit } from './middleware/rateLimit.js';
import { requestId } from './middleware/requestId.js';
import { requestLog } from './middleware/requestLog.js';
import { securityHeaders } from './middleware/securityHeaders.js';
import { allRoutes } from './routes/index.js';
import { serveWeb } from './static/web.js';
import type { RatingStore } from '../store/index.js';
import { parseOr400, type AnyRouteSpec } from './routes/spec.js';

export interface AppDeps {
  model: RecModel;
  /** The rating store (src/store): the ratings people give through the API. */
  store: RatingStore;
  settings: ServiceSettings;
  /** Log4js logger factory (categories "http" and "service"); default log4js.getLogger. */
  getLogger?: (category: string) => Logger;
  /** Default: read from BUILD_INFO_PATH, package.json and git. */
  build?: BuildFacts;
  /** Share one with main.ts (bootstrap, SIGHUP); default: a new one. */
  lifecycle?: ModelLifecycle;
  /** What GET /metrics answers; default: this app's registry (a cluster worker asks the primary for all workers). */
  renderMetrics?: () => Promise<string>;
  startedAt?: Date;
}

export interface ServiceApp extends Koa {
  router: Router;
  routes: AnyRouteSpec[];
  lifecycle: ModelLifecycle;
  metrics: ServiceMetrics;
}

export function createApp(deps: AppDeps): ServiceApp {
  const getLogger = deps.getLogger ?? ((category: string) => log4js.getLogger(category));
  const httpLogger = getLogger('http');
  const serviceLogger = getLogger('service');
  const lifecycle = deps.lifecycle ?? new ModelLifecycle(deps.model, serviceLogger);
  const metrics = createMetrics(deps.model, deps.renderMetrics);
  const routeDeps: RouteDeps = {
    model: deps.model,
    store: deps.store,
    lifecycle,
    metrics,
    logger: serviceLogger,
    settings: deps.settings,
    build: deps.build ?? readBuildFacts(deps.settings.buildInfoPath, serviceLogger),
    startedAt: deps.startedAt ?? new Date(),
  };

  const routes = allRoutes(routeDeps);
  // Every method Node's HTTP parser accepts counts as implemented, so allowedMethods answers an undeclared one on a
  // known path (TRACE, PUT on a GET route, ...) with 405 and Allow, never 501; OPTIONS gets 200 with Allow.
  const router = new Router({ methods: [...METHODS] });
  // Only routes that take a body parse one (JSON only; other types reach the handler unparsed and get a 415).
  const parseJson = bodyParser({
    enableTypes: ['json'],
    jsonLimit: String(deps.settings.bodyLimitBytes),
    strict: true,
  });
  for (const route of routes) {
    const handle: RouterMiddleware = async (ctx) => {
      const params = route.params ? parseOr400(route.params, ctx.params, 'path parameter') : {};
      const query = route.query ? parseOr400(route.query, ctx.query, 'query parameter') : {};
      await route.handler(ctx, { params, query });
    };
    if (route.body) router[route.method](route.path, parseJson, handle);
    else router[route.method](route.path, handle);
  }

  const app = new Koa() as ServiceApp;
  app.on('error', (err: unknown, ctx?: Koa.Context) => {
    const id = String((ctx?.state as { requestId?: string } | undefined)?.requestId ?? '-');
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    serviceLogger.error(`unexpected error in ${ctx?.method ?? '?'} ${ctx?.path ?? '?'} (request ${id}): ${detail}`);
  });
  app.use(requestId());
  app.use(requestLog({ logger: httpLogger, metrics }));
  app.use(securityHeaders());
  app.use(errorHandler({ logger: httpLogger, lifecycle, bodyLimitBytes: deps.settings.bodyLimitBytes }));
  // The web page (web/dist) at `/`; any other path goes on to the API.
  app.use(serveWeb());
  app.use(rateLimit(deps.settings.rateLimitPerSecond));
  // After the router and allowedMethods have run, an empty 404/405 becomes a JSON error (the Allow header stays).
  app.use(async (ctx, next) => {
    await next();
    if (ctx.body !== undefined && ctx.body !== null) return;
    if (ctx.status === 404) throw notFound(`no route for ${ctx.method} ${ctx.path}; see GET /openapi.json`);
    if (ctx.status === 405) {
      const allowed = ctx.response.get('Allow');
      throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${ctx.method} is not allowed on ${ctx.path} (allowed: ${allowed})`);
    }
  });
  app.use(router.routes());
  app.use(router.allowedMethods());

  return Object.assign(app, { router, routes, lifecycle, metrics });
}
