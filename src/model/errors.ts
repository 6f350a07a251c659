// Typed errors of MyRecModel. Each carries the stable `code` the native core gives (CoreError::code in
// native/core/src/error.rs), so the CLI and the service branch on classes or codes, never on messages.

export class MovieRecError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Arguments that cannot be used: bad ratings pair, hyper-parameters, M, ... */
export class InvalidInputError extends MovieRecError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_INPUT', message, options);
  }
}

/** No trained model in the model folder (train one first). */
export class ModelNotFoundError extends MovieRecError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MODEL_NOT_FOUND', message, options);
  }
}

/** A ratings or movies file that is missing, unreadable or malformed (the message names file and line). */
export class DatasetError extends MovieRecError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DATASET_ERROR', message, options);
  }
}

/** A model folder that exists but cannot be used (other format version, bad shapes, non-finite numbers). */
export class InvalidModelError extends MovieRecError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_MODEL', message, options);
  }
}

/** A file that could not be read or written outside a data set (the model folder, the disk is full, ...). */
export class StorageError extends MovieRecError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IO_ERROR', message, options);
  }
}

/** What the failing call was doing: an I/O failure while reading a data set is a DatasetError. */
export type ErrorContext = 'dataset' | 'model' | 'other';

/**
 * Turns an error thrown by the addon (a JS Error whose `code` is a CoreError code) into the typed error.
 * Anything that is not a native error with a known code is returned unchanged (bugs stay visible).
 */
export function fromNativeError(err: unknown, context: ErrorContext = 'other'): unknown {
  if (err instanceof MovieRecError || !(err instanceof Error)) return err;
  const code = (err as Error & { code?: unknown }).code;
  const opts = { cause: err };
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
    case 'InvalidArg':
    case 'NumberExpected':
    case 'StringExpected':
    case 'ObjectExpected':
    case 'ArrayExpected':
      // napi's own argument checks: a wrong type crossed the boundary.
      return new InvalidInputError(err.message, opts);
    default:
      return err;
  }
}
