// Native errors (JS Errors with a CoreError code and, for bad input, a field) become the typed errors of
// src/model/errors.ts.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  CancelledError,
  DatasetError,
  fromNativeError,
  InvalidInputError,
  InvalidModelError,
  ModelNotFoundError,
  MovieRecError,
  StorageError,
} from '../../src/model/errors';

const coded = (code: string, message = 'm') => Object.assign(new Error(message), { code });

test('each native code maps to its class, keeping message and cause', () => {
  const cases: Array<[string, new (...a: never[]) => MovieRecError]> = [
    ['INVALID_INPUT', InvalidInputError],
    ['MODEL_NOT_FOUND', ModelNotFoundError],
    ['DATASET_ERROR', DatasetError],
    ['INVALID_MODEL', InvalidModelError],
    ['IO_ERROR', StorageError],
    ['CANCELLED', CancelledError],
    ['StringExpected', InvalidInputError],
  ];
  for (const [code, cls] of cases) {
    const original = coded(code, `msg ${code}`);
    const mapped = fromNativeError(original) as MovieRecError;
    assert.ok(mapped instanceof cls, code);
    assert.ok(mapped instanceof MovieRecError);
    assert.equal(mapped.message, `msg ${code}`);
    assert.equal(mapped.cause, original);
    assert.equal(mapped.name, cls.name);
    assert.equal(mapped.code, code === 'StringExpected' ? 'INVALID_INPUT' : code);
    assert.equal(mapped.field, undefined);
  }
});

test('the field at fault comes along', () => {
  const mapped = fromNativeError(Object.assign(coded('INVALID_INPUT', 'M must be in 1..=1000, got 0'), { field: 'M' }));
  assert.ok(mapped instanceof InvalidInputError);
  assert.equal(mapped.field, 'M');
  assert.equal(mapped.message, 'M must be in 1..=1000, got 0');
  assert.equal(new InvalidInputError('x', { field: 'ratings[2]' }).field, 'ratings[2]');
});

test('an I/O error while reading a data set is a DatasetError; unknown errors pass through', () => {
  assert.ok(fromNativeError(coded('IO_ERROR'), 'dataset') instanceof DatasetError);
  const bug = new TypeError('x is undefined');
  assert.equal(fromNativeError(bug), bug);
  assert.equal(fromNativeError('text'), 'text');
  const already = new InvalidInputError('x');
  assert.equal(fromNativeError(already), already);
  assert.equal(new ModelNotFoundError('x').code, 'MODEL_NOT_FOUND');
});
