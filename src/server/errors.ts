// Errors the routes throw on purpose. The error middleware turns them into `{"error": {"code", "message"}}` with
// their status; anything else is an unexpected failure (500, logged with its stack, message kept generic).

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers (e.g. Retry-After). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** How to get a model, repeated wherever the service says it has none. */
export const HOW_TO_TRAIN =
  'train one with `npx movierec train --dataset <ratings file>` or `npx movierec demo` (the demo catalogue), ' +
  'then POST /api/reload or send SIGHUP';

export function badRequest(message: string, code = 'INVALID_INPUT'): ApiError {
  return new ApiError(400, code, message);
}

export function notFound(message: string, code = 'NOT_FOUND'): ApiError {
  return new ApiError(404, code, message);
}
