// `movierec train --engine spark`: the ratings the product read, written as a temporary CSV, trained by the PySpark
// job shipped in spark/als_job.py on the user's Spark (pyspark from PyPI, Java 17+), then imported. What is missing
// (java, a Java older than Spark needs, python, pyspark) is said exactly, before anything runs.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { ImportResult, MyRecModel } from '../model/index.js';
import { MovieRecError } from '../model/index.js';

/** The job, shipped with the project (from src/cli or dist/src/cli). */
const JOB = ['../../spark/als_job.py', '../../../spark/als_job.py']
  .map((relative) => path.resolve(__dirname, relative))
  .find((candidate) => fs.existsSync(candidate));
/** Spark 4 runs on Java 17 or newer. */
const MIN_JAVA = 17;

/** Spark is not there to run the job: the message says exactly what to install. */
export class SparkUnavailableError extends MovieRecError {
  constructor(message: string) {
    super('SPARK_UNAVAILABLE', message);
  }
}

/** The ALS estimator's parameters; each left out is Spark's default. */
export interface SparkJob {
  rank?: number;
  regParam?: number;
  maxIter?: number;
  seed?: number;
  implicitPrefs: boolean;
  alpha?: number;
  /** Spark master URL (`local[*]`: all cores of this machine). */
  master: string;
  /** The Python that has pyspark. */
  python: string;
}

/** The java Spark will start: `$JAVA_HOME/bin/java` when JAVA_HOME is set (as Spark's launcher does), else `java`. */
function javaCommand(env: NodeJS.ProcessEnv): string {
  return env.JAVA_HOME ? path.join(env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** Throws SparkUnavailableError naming what is missing; returns what was found. */
export function checkSpark(python: string, env: NodeJS.ProcessEnv = process.env): { java: string; pyspark: string } {
  const javaExe = javaCommand(env);
  const java = spawnSync(javaExe, ['-version'], { encoding: 'utf8', env });
  if (java.error || java.status !== 0) {
    throw new SparkUnavailableError(
      `Java is missing: Spark needs Java ${MIN_JAVA} or newer, and ${env.JAVA_HOME ? `JAVA_HOME's ${javaExe}` : 'no java is on PATH'} ` +
        `(${java.error?.message ?? `exit ${java.status}`}). Install it (Debian: apt-get install openjdk-${MIN_JAVA}-jre-headless) ` +
        'or set JAVA_HOME.',
    );
  }
  const version = /version "(\d+)(?:\.(\d+))?/.exec(java.stderr)?.slice(1) ?? [];
  const major = Number(version[0] === '1' ? version[1] : version[0]);
  if (!(major >= MIN_JAVA)) {
    throw new SparkUnavailableError(
      `Java ${MIN_JAVA} or newer is needed by Spark; ${javaExe} is ${java.stderr.split('\n')[0] || 'of an unknown version'}. ` +
        `Install it (Debian: apt-get install openjdk-${MIN_JAVA}-jre-headless) or set JAVA_HOME.`,
    );
  }
  const probe = spawnSync(python, ['-c', 'import pyspark; print(pyspark.__version__)'], { encoding: 'utf8', env });
  if (probe.error) {
    throw new SparkUnavailableError(
      `Python is missing: ${python} cannot be run (${probe.error.message}). Install Python 3 with pyspark, or name it with --python.`,
    );
  }
  if (probe.status !== 0) {
    throw new SparkUnavailableError(
      `pyspark is missing: ${python} cannot import it. Install it from PyPI (${python} -m pip install -r spark/requirements.txt), ` +
        'or name a Python that has it with --python (or PYSPARK_PYTHON).',
    );
  }
  return { java: `java ${major}`, pyspark: probe.stdout.trim() };
}

/**
 * Trains on `ratingsPath` with Spark and imports the model into `model`. `onLine` gets the job's stderr lines
 * (Spark's own log).
 */
export async function trainWithSpark(
  model: MyRecModel,
  ratingsPath: string,
  job: SparkJob,
  options: { skipInvalid: boolean; onLine?: (line: string) => void },
): Promise<ImportResult & { spark: Record<string, unknown> }> {
  if (!JOB) throw new Error('spark/als_job.py is not shipped beside the CLI');
  checkSpark(job.python);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'movierec-spark-'));
  try {
    const csv = path.join(work, 'ratings.csv');
    await model.writeRatingsCsv(ratingsPath, csv, { skipInvalid: options.skipInvalid });
    const out = path.join(work, 'als-model');
    const given: [string, number | undefined][] = [
      ['--rank', job.rank],
      ['--reg-param', job.regParam],
      ['--max-iter', job.maxIter],
      ['--seed', job.seed],
      ['--alpha', job.alpha],
    ];
    const args = [
      JOB,
      ...['--ratings', csv, '--out', out, '--master', job.master],
      ...given.flatMap(([flag, value]) => (value === undefined ? [] : [flag, String(value)])),
      ...(job.implicitPrefs ? ['--implicit-prefs'] : []),
    ];
    const summary = await runJob(job.python, args, options.onLine);
    // What Spark trained with (its defaults filled in): a saved ALSModel does not keep it.
    const used = summary.params as { regParam: number; implicitPrefs: boolean; alpha: number; maxIter: number; seed: number };
    const result = await model.importSpark(out, {
      ratings: ratingsPath,
      skipInvalid: options.skipInvalid,
      regParam: used.regParam,
      implicitPrefs: used.implicitPrefs,
      alpha: used.alpha,
      maxIter: used.maxIter,
      seed: used.seed,
    });
    return { ...result, spark: summary };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Runs the job; resolves to the JSON object of its last stdout line. */
function runJob(python: string, args: string[], onLine?: (line: string) => void): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYSPARK_PYTHON: python } });
    let stdout = '';
    const tail: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    let pending = '';
    child.stderr.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        onLine?.(line);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`the Spark job failed (exit ${code}); its last lines:\n${tail.join('\n')}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Record<string, unknown>);
      } catch {
        reject(new Error(`the Spark job printed no summary: ${stdout.slice(-500)}`));
      }
    });
  });
}
