// Turns every failure into `{"error": {"code", "field"?, "message", "requestId"}}` with the right status. Expected
// failures (bad input, no model, not found) are logged at warn with the message that names the field; anything else
// is a 500 whose details stay in the log (emitted as the app's 'error' event, logged with its stack) and never reach
// the client.
import type { Context, Middleware } from 'koa';
import type { Logger } from 'log4js';
import { ApiError, badRequest, withoutPaths } from '../errors.js';
import { errorCode, type ModelLifecycle } from '../lifecycle.js';

export interface ErrorBody {
  error: { code: string; field?: string; message: string; requestId?: string };
}

interface HttpLikeError {
  status?: unknown;
  statusCode?: unknown;
  expose?: unknown;
  type?: unknown;
  message?: unknown;
}

const CODES_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  411: 'LENGTH_REQUIRED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
  501: 'NOT_IMPLEMENTED',
};


/** Maps a thrown value to the client-facing status, code and message; null when it is unexpected (500). */
function classify(
  err: unknown,
  lifecycle: ModelLifecycle,
  bodyLimitBytes: number,
): ApiError | null {
  if (err instanceof ApiError) return err;
  const code = errorCode(err);
  if (code === 'INVALID_INPUT' && err instanceof Error) {
    const field = (err as { field?: unknown }).field;
    return badRequest(withoutPaths(err.message), typeof field === 'string' ? field : undefined);
  }
  if (code === 'MODEL_NOT_FOUND') return lifecycle.notReadyError();
  if (code === 'STORE_ERROR') {
    return new ApiError(503, 'STORE_UNAVAILABLE', 'the rating store is unavailable; try again shortly', {
      headers: { 'Retry-After': '5' },
    });
  }
  const http = (err ?? {}) as HttpLikeError;
  const status = Number(http.status ?? http.statusCode);
  if (!Number.isInteger(status) || status < 400 || status >= 500 || http.expose === false) return null;
  const message = typeof http.message === 'string' ? http.message : 'bad request';
  if (status === 413) {
    return new ApiError(413, 'PAYLOAD_TOO_LARGE', `request body is larger than the limit of ${bodyLimitBytes} bytes`);
  }
  if (status === 415) {
    return new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `unsupported request body: ${withoutPaths(message)}`);
  }
  if (status === 400 && (http.type === 'entity.parse.failed' || /JSON/.test(message))) {
    return new ApiError(400, 'INVALID_JSON', `request body is not valid JSON: ${withoutPaths(message)}`);
  }
  return new ApiError(status, CODES_BY_STATUS[status] ?? 'BAD_REQUEST', withoutPaths(message));
}

export function errorHandler(opts: {
  logger: Logger;
  lifecycle: ModelLifecycle;
  bodyLimitBytes: number;
}): Middleware {
  return async (ctx: Context, next) => {
    try {
      await next();
    } catch (err) {
      const requestId = String(ctx.state.requestId ?? '');
      const known = classify(err, opts.lifecycle, opts.bodyLimitBytes);
      // The client learns only that the store is unavailable; why (a path, a server address) goes to the log.
      if (known?.code === 'STORE_UNAVAILABLE') opts.logger.error(`${ctx.method} ${ctx.path}: ${String(err)} (request ${requestId})`);
      if (known) {
        ctx.status = known.status;
        ctx.set(known.headers);
        const field = known.field === undefined ? {} : { field: known.field };
        ctx.body = { error: { code: known.code, ...field, message: known.message, requestId } } satisfies ErrorBody;
        // Refused input is worth a warning; "no model yet" is a state the probes will ask about every few seconds.
        const level = known.status === 503 ? 'info' : 'warn';
        opts.logger[level](`${ctx.method} ${ctx.path} -> ${known.status} ${known.code}: ${known.message} (request ${requestId})`);
        return;
      }
      ctx.status = 500;
      ctx.body = {
        error: {
          code: 'INTERNAL_ERROR',
          message: `internal error; quote request id ${requestId} when reporting it`,
          requestId,
        },
      } satisfies ErrorBody;
      // The app's error listener logs it with its stack (see createApp).
      ctx.app.emit('error', err, ctx);
    }
  };
}
