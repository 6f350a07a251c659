// Environment -> config (validated once) and the log4js set-up (file in DATA_DIR, rolled by size; console on stderr).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { ConfigError, DEFAULT_MOVIELENS_BASE_URL, loadConfig } from '../../src/config';
import { configureLogger, getLogger, shutdownLogger } from '../../src/logger';
import { tempDir } from '../helpers/tmp';

describe('loadConfig', () => {
  test('defaults: ./data against the working folder, info, all cores, GroupLens', () => {
    const c = loadConfig({}, '/srv/app');
    assert.equal(c.dataDir, '/srv/app/data');
    assert.equal(c.logLevel, 'info');
    assert.equal(c.threads, 0);
    assert.equal(c.movielensBaseUrl, DEFAULT_MOVIELENS_BASE_URL);
  });

  test('values are parsed, and empty strings mean unset', () => {
    const c = loadConfig(
      { DATA_DIR: 'var/d', LOG_LEVEL: 'DEBUG', THREADS: '3', MOVIELENS_BASE_URL: 'http://127.0.0.1:8080/ml' },
      '/x',
    );
    assert.equal(c.dataDir, '/x/var/d');
    assert.equal(c.logLevel, 'debug');
    assert.equal(c.threads, 3);
    assert.equal(c.movielensBaseUrl, 'http://127.0.0.1:8080/ml/');
    assert.equal(loadConfig({ THREADS: '', DATA_DIR: '' }, '/y').threads, 0);
    assert.equal(loadConfig({ DATA_DIR: '/abs' }, '/y').dataDir, '/abs');
  });

  test('bad values fail once, naming the variable', () => {
    assert.throws(() => loadConfig({ THREADS: 'many' }), (e: Error) => e instanceof ConfigError && /THREADS/.test(e.message));
    assert.throws(() => loadConfig({ THREADS: '-1' }), /THREADS/);
    assert.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL/);
    assert.throws(() => loadConfig({ MOVIELENS_BASE_URL: 'ftp://x/' }), /MOVIELENS_BASE_URL/);
  });
});

describe('logger', () => {
  test('writes DATA_DIR/log_file.log, errors with their stack, flushed by shutdownLogger', async (t) => {
    const dir = tempDir(t);
    const file = configureLogger({ dataDir: dir, level: 'info', consoleLevel: 'off' });
    assert.equal(file, path.join(dir, 'log_file.log'));
    const log = getLogger('test');
    log.debug('not at info');
    log.info('hello from the test');
    log.error('it failed', new Error('boom'));
    await shutdownLogger();
    const text = fs.readFileSync(file, 'utf8');
    assert.match(text, /INFO test \[\d+\] hello from the test/);
    assert.match(text, /ERROR test \[\d+\] it failed Error: boom\n\s+at /);
    assert.doesNotMatch(text, /not at info/);
  });
});
