// One log line per request (method, path, status, duration, request id) and the request metrics. It hooks the
// response's 'finish'/'close' so it sees the final status, including error responses and streamed bodies.
import type { Middleware } from 'koa';
import type { Logger } from 'log4js';
import type { ServiceMetrics } from '../metrics.js';

export function requestLog(opts: { logger: Logger; metrics: ServiceMetrics }): Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const aborted = !ctx.res.writableFinished;
      // Route templates, never raw paths, keep label cardinality bounded.
      const route = typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : 'unmatched';
      const labels = { method: ctx.method, route, status: String(ctx.status) };
      opts.metrics.httpRequests.inc(labels);
      opts.metrics.httpDuration.observe(labels, seconds);
      opts.logger.info(
        `${ctx.method} ${ctx.path} ${ctx.status} ${(seconds * 1000).toFixed(1)}ms id=${ctx.state.requestId}` +
          (aborted ? ' (client went away)' : ''),
      );
    };
    ctx.res.once('finish', finish);
    ctx.res.once('close', finish);
    await next();
  };
}
