// Paths of the data the Node tests use: the hand-made fixtures of the core (committed) and the real MovieLens
// files in ../shared/movielens (never copied into the repo; present on developer machines and in CI).

import fs from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CLI_BIN = path.join(REPO_ROOT, 'bin', 'movierec.js');
export const FIXTURES = path.join(REPO_ROOT, 'native', 'core', 'tests', 'fixtures');

/** 8 users x 16 movies, CSV with header, half stars; movies.csv has quoted titles. */
export const FIXTURE_ML_LATEST = path.join(FIXTURES, 'ml-latest', 'ratings.csv');
export const FIXTURE_BAD = path.join(FIXTURES, 'bad');

export const SHARED_MOVIELENS = path.resolve(REPO_ROOT, '..', 'shared', 'movielens');
export const ML_LATEST_SMALL = path.join(SHARED_MOVIELENS, 'ml-latest-small', 'ratings.csv');
export const ML_1M = path.join(SHARED_MOVIELENS, 'ml-1m', 'ratings.dat');

/** For `{ skip }` of tests that need the shared real data. */
export function missing(file: string): string | false {
  return fs.existsSync(file) ? false : `${file} not present`;
}
