// Data set helpers beside the model: train/test splits for experiments, and the synthetic demo catalogue.

import fs from 'node:fs/promises';
import path from 'node:path';

import { getLogger } from '../logger.js';
import { native } from '../native.js';
import { fromNativeError, InvalidInputError } from './errors.js';

export interface SplitResult {
  dataset: string;
  by: 'ratings' | 'users';
  testFraction: number;
  seed: number;
  trainFile: string;
  testFile: string;
  trainRatings: number;
  testRatings: number;
  /** Copied beside each part so titles stay available; null when the source has no movies file. */
  moviesFile: string | null;
}

/**
 * Splits a ratings file into `outDir/train/` and `outDir/test/` (same layout, movies file copied): `by: 'ratings'`
 * puts a random `testFraction` of all ratings in test; `by: 'users'` puts a random `testFraction` of the users,
 * with all their ratings, in test (for fold-in evaluation). Deterministic for a seed.
 */
export async function splitDataset(
  datasetPath: string,
  outDir: string,
  opts: { by?: 'ratings' | 'users'; testFraction?: number; seed?: number } = {},
): Promise<SplitResult> {
  const by = opts.by ?? 'ratings';
  const testFraction = opts.testFraction ?? 0.1;
  const seed = opts.seed ?? 42;
  if (by !== 'ratings' && by !== 'users') throw new InvalidInputError(`split by must be "ratings" or "users", got "${String(by)}"`);
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new InvalidInputError(`test fraction must be between 0 and 1 (exclusive), got ${testFraction}`);
  }
  if (!Number.isSafeInteger(seed) || seed < 0) throw new InvalidInputError(`seed must be a non-negative integer, got ${seed}`);
  const abs = path.resolve(datasetPath);
  const out = path.resolve(outDir);
  try {
    const dataset = await native.readDataset(abs, {}).catch((err: unknown) => {
      throw fromNativeError(err, 'dataset');
    });
    const r = await native.splitDataset(dataset, { by, testFraction, seed }, out);
    const result: SplitResult = {
      dataset: abs,
      by,
      testFraction,
      seed,
      trainFile: r.trainFile,
      testFile: r.testFile,
      trainRatings: r.trainRatings,
      testRatings: r.testRatings,
      moviesFile: r.trainMoviesFile ? path.basename(r.trainMoviesFile) : null,
    };
    getLogger('datasets').info(`split ${abs} into ${out}: ${JSON.stringify(result)}`);
    return result;
  } catch (err) {
    throw fromNativeError(err, 'other');
  }
}

/** How the demo catalogue is trained (CLI `demo`, the service's bootstrap): ALS, ~2 s instead of ~30 s for the
 * Gibbs default on 600,000 synthetic ratings; a quick start matters more there than the last 0.01 RMSE. */
export const DEMO_TRAIN_OPTIONS = { method: 'als' } as const;

export interface DemoDatasetResult {
  dir: string;
  ratingsFile: string;
  moviesFile: string;
  /** false when the folder already held the demo data set (it is deterministic, so it was kept). */
  generated: boolean;
  users?: number;
  movies?: number;
  ratings?: number;
  seed?: number;
  seconds: number;
}

/** Generates the demo catalogue (synthetic, MovieLens CSV format) into `dir`, unless it is already there. */
export async function generateDemoDataset(
  dir: string,
  opts: { force?: boolean; preset?: 'demo' | 'ml5m' | 'ml25m'; seed?: number } = {},
): Promise<DemoDatasetResult> {
  const abs = path.resolve(dir);
  const ratingsFile = path.join(abs, 'ratings.csv');
  const moviesFile = path.join(abs, 'movies.csv');
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  if (!opts.force && (await isFile(ratingsFile)) && (await isFile(moviesFile))) {
    return { dir: abs, ratingsFile, moviesFile, generated: false, seconds: seconds() };
  }
  try {
    const r = await native.generateDemo(abs, { preset: opts.preset, seed: opts.seed });
    const result: DemoDatasetResult = {
      dir: abs,
      ratingsFile: r.ratingsFile,
      moviesFile: r.moviesFile,
      generated: true,
      users: r.users,
      movies: r.movies,
      ratings: r.ratings,
      seed: r.seed,
      seconds: seconds(),
    };
    getLogger('datasets').info(`generated demo data set: ${JSON.stringify(result)}`);
    return result;
  } catch (err) {
    throw fromNativeError(err, 'other');
  }
}

async function isFile(p: string): Promise<boolean> {
  return fs.stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}
