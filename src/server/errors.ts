// Errors the routes throw on purpose. The error middleware turns them into `{"error": {"code", "field"?,
// "message"}}` with their status; anything else is an unexpected failure (500, logged with its stack, message kept
// generic).

export interface ApiErrorOptions {
  /** Extra response headers (e.g. Retry-After). */
  headers?: Record<string, string>;
  /** The input at fault (`M`, `ratings[3]`, a parameter name), when the error is about one. */
  field?: string;
}

export class ApiError extends Error {
  readonly headers: Record<string, string>;
  readonly field?: string;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options: ApiErrorOptions = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.headers = options.headers ?? {};
    if (options.field !== undefined) this.field = options.field;
  }
}

/** How to get a model, repeated wherever the service says it has none. */
export const HOW_TO_TRAIN =
  'train one with `npx movierec train --dataset <ratings file>` or `npx movierec demo` (the demo catalogue), ' +
  'then POST /api/reload or send SIGHUP';

/** A 400 `INVALID_INPUT` about `field`, when one is at fault. */
export function badRequest(message: string, field?: string): ApiError {
  return new ApiError(400, 'INVALID_INPUT', message, field === undefined ? {} : { field });
}

export function notFound(message: string, code = 'NOT_FOUND'): ApiError {
  return new ApiError(404, code, message);
}

/** Strips anything that looks like a file-system path from a message before it goes to a client. */
export function withoutPaths(message: string): string {
  return message.replace(/(^|[\s'"`(=])(?:\.{1,2}\/|\/|[A-Za-z]:\\)[^\s'"`,):]*/g, '$1<path>');
}
