// Typed errors of MyRecModel. Each carries the stable `code` the native core gives (CoreError::code in
// native/core/src/error.rs) and, for bad input, the `field` at fault, so the CLI and the service branch on classes,
// codes and fields, never on messages.

export interface MovieRecErrorOptions {
  cause?: unknown;
  /** The input at fault (`M`, `ratings[3]`, a parameter name), when the error is about one. */
  field?: string;
}

export class MovieRecError extends Error {
  readonly code: string;
  readonly field?: string;
  constructor(code: string, message: string, options: MovieRecErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.field !== undefined) this.field = options.field;
    this.name = new.target.name;
  }
}

/** Arguments that cannot be used: bad ratings pair, hyper-parameters, M, ... */
export class InvalidInputError extends MovieRecError {
  constructor(message: string, options?: MovieRecErrorOptions) {
    super('INVALID_INPUT', message, options);
  }
}

/** No trained model in the model folder (train one first). */
export class ModelNotFoundError extends MovieRecError {
  constructor(message: string, options?: MovieRecErrorOptions) {
    super('MODEL_NOT_FOUND', message, options);
  }
}

/** A model version that is not in `DATA_DIR/models` (or nothing to roll back to). */
export class VersionNotFoundError extends MovieRecError {
  constructor(message: string, options?: MovieRecErrorOptions) {
    super('VERSION_NOT_FOUND', message, options);
  }
}

/** A ratings or movies file that is missing, unreadable or malformed (the message names file and line). */
export class DatasetError extends MovieRecError {
  constructor(message: string, options?: MovieRecErrorOptions) {
    super('DATASET_ERROR', message, options);
  }
}

/** A model folder that exists but cannot be used (other format version, bad shapes, non-finite numbers). */
export class InvalidModelError extends MovieRecError {
  constructor(message: string, options?: MovieRecErrorOptions) {
    super('INVALID_MODEL', message, options);
  }
}

/** A file that could not be read or written outside a data set (the model folder, the disk is full, ...). */
export class StorageError extends MovieRecError {
  constructor(message: string, options?: MovieRecErrorOptions) {
    super('IO_ERROR', message, options);
  }
}

/** A long-running task (training) stopped because its caller asked it to. */
export class CancelledError extends MovieRecError {
  constructor(message: string, options?: MovieRecErrorOptions) {
    super('CANCELLED', message, options);
  }
}

/** What the failing call was doing: an I/O failure while reading a data set is a DatasetError. */
export type ErrorContext = 'dataset' | 'model' | 'other';

/** napi's own argument checks (a wrong type crossed the boundary): bad input, named by napi. */
const NAPI_ARGUMENT_CODES = new Set(['InvalidArg', 'NumberExpected', 'StringExpected', 'ObjectExpected', 'ArrayExpected']);

/**
 * Turns an error thrown by the addon (a JS Error with the core's `code` and, for bad input, `field`) into the typed
 * error. Anything that is not a native error with a known code is returned unchanged (bugs stay visible).
 */
export function fromNativeError(err: unknown, context: ErrorContext = 'other'): unknown {
  if (err instanceof MovieRecError || !(err instanceof Error)) return err;
  const { code, field } = err as Error & { code?: unknown; field?: unknown };
  const opts: MovieRecErrorOptions = { cause: err, ...(typeof field === 'string' ? { field } : {}) };
  switch (code) {
    case 'INVALID_INPUT':
      return new InvalidInputError(err.message, opts);
    case 'MODEL_NOT_FOUND':
      return new ModelNotFoundError(err.message, opts);
    case 'DATASET_ERROR':
      return new DatasetError(err.message, opts);
    case 'INVALID_MODEL':
      return new InvalidModelError(err.message, opts);
    case 'IO_ERROR':
      return context === 'dataset' ? new DatasetError(err.message, opts) : new StorageError(err.message, opts);
    case 'CANCELLED':
      return new CancelledError(err.message, opts);
    default:
      return typeof code === 'string' && NAPI_ARGUMENT_CODES.has(code) ? new InvalidInputError(err.message, opts) : err;
  }
}
