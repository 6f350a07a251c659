// Hyper-parameter search by k-fold cross-validation (`movierec tune`). The data set is read once and stays native;
// each fold's train/test parts are made in memory (`kfoldSplit`), and every configuration is trained on the train
// part and scored on the test part (`fitAndScore`, nothing written to disk). Folds are the outer loop, so only one
// fold's parts are in memory at a time.

import path from 'node:path';

import { getLogger } from '../logger.js';
import { native } from '../native.js';
import { fromNativeError, InvalidInputError } from './errors.js';
import { datasetInfo } from './MyRecModel.js';
import {
  PARAM_NAMES,
  PARAMETER_SPEC,
  parseParamValue,
  resolveParams,
  trainParamsSchema,
  type ParamName,
  type ParamSpec,
  type TrainParams,
} from './params.js';
import type { DatasetInfo } from './types.js';

const log = () => getLogger('tune');

/** Largest number of configurations one run may try (a typo in a grid should not start a day-long run). */
export const MAX_CONFIGS = 500;
export const MAX_FOLDS = 20;

export type Grid = Partial<Record<ParamName, TrainParams[ParamName][]>>;
/** A configuration of a search: the parameters it sets (the others take the defaults). */
export type Config = Partial<TrainParams>;

/**
 * `factors=32,64;regFactors=0.03,0.05` -> `{ factors: [32, 64], regFactors: [0.03, 0.05] }`. Every name and value is
 * checked by the parameters' schema; bad syntax, unknown names, duplicates and out-of-range values throw
 * InvalidInputError saying which.
 */
export function parseGrid(spec: string): Grid {
  const grid: Grid = {};
  const parts = spec.split(';').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) throw new InvalidInputError('--grid is empty; expected e.g. "factors=32,64;regFactors=0.03,0.05"');
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq <= 0) {
      throw new InvalidInputError(`--grid: "${part}" is not NAME=VALUE[,VALUE...] (e.g. "factors=32,64;regFactors=0.03,0.05")`);
    }
    const name = part.slice(0, eq).trim();
    if (!(PARAM_NAMES as string[]).includes(name)) {
      throw new InvalidInputError(`--grid: unknown parameter "${name}" (known: ${PARAM_NAMES.join(', ')})`);
    }
    const key = name as ParamName;
    if (grid[key]) throw new InvalidInputError(`--grid: parameter "${name}" is given twice`);
    const values = part.slice(eq + 1).split(',').map((v) => {
      try {
        return parseParamValue(key, v);
      } catch (err) {
        throw new InvalidInputError(`--grid: ${(err as Error).message}`);
      }
    });
    grid[key] = [...new Map(values.map((v) => [String(v), v])).values()];
  }
  return grid;
}

/** Every combination of the grid's values (the first parameter varies slowest). */
export function expandGrid(grid: Grid): Config[] {
  let configs: Config[] = [{}];
  for (const [name, values] of Object.entries(grid)) {
    configs = configs.flatMap((c) => (values ?? []).map((v) => ({ ...c, [name]: v })));
  }
  return configs;
}

type Searched = Extract<ParamSpec, { search: object }>;
type Space = Searched['search'];

/** Where random search samples when no grid is given (each parameter's `search` in the spec): around the defaults,
 * regularisation on a log scale. */
export const SEARCH_SPACE = Object.fromEntries(
  PARAMETER_SPEC.flatMap((spec) => ('search' in spec ? [[spec.name, spec.search]] : [])),
) as { [S in Searched as S['name']]: S['search'] };

/** A small seeded generator (mulberry32): the same seed gives the same trials. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `trials` distinct configurations: drawn from the grid's combinations when there is a grid, else from SEARCH_SPACE. */
export function sampleConfigs(trials: number, seed: number, grid?: Grid): Config[] {
  const next = random(seed);
  if (grid) {
    const all = expandGrid(grid);
    for (let i = all.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [all[i], all[j]] = [all[j], all[i]];
    }
    return all.slice(0, trials);
  }
  const round3 = (x: number) => Number(x.toPrecision(3));
  const logUniform = (lo: number, hi: number) => round3(Math.exp(Math.log(lo) + next() * (Math.log(hi) - Math.log(lo))));
  const draw = (space: Space): number => {
    if ('choices' in space) return space.choices[Math.floor(next() * space.choices.length)];
    if ('logMin' in space) {
      const x = logUniform(space.logMin, space.logMax);
      return 'integer' in space ? Math.round(x) : x;
    }
    return space.intMin + Math.floor(next() * (space.intMax - space.intMin + 1));
  };
  const seen = new Set<string>();
  const out: Config[] = [];
  for (let attempt = 0; out.length < trials && attempt < trials * 20; attempt++) {
    const config = trainParamsSchema.parse(
      Object.fromEntries(Object.entries(SEARCH_SPACE).map(([name, space]) => [name, draw(space)])),
    );
    const key = JSON.stringify(config);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(config);
    }
  }
  return out;
}

export interface FoldScore {
  fold: number;
  rmse: number;
  mae: number;
  trainingSeconds: number;
}

export interface ConfigResult {
  /** What was set for this configuration (the rest are the defaults). */
  config: Config;
  /** Every parameter as trained. */
  params: TrainParams;
  meanRmse: number;
  /** Sample standard deviation over folds. */
  sdRmse: number;
  meanMae: number;
  meanSeconds: number;
  folds: FoldScore[];
}

export interface TuneResult {
  dataset: DatasetInfo;
  folds: number;
  seed: number;
  /** Best first (lowest mean RMSE). */
  results: ConfigResult[];
  totalSeconds: number;
}

export interface FitProgress {
  done: number;
  total: number;
  fold: number;
  configIndex: number;
  score: FoldScore;
  /** Lowest mean RMSE so far over the folds finished by each configuration. */
  best: { configIndex: number; meanRmse: number };
}

export interface TuneOptions {
  folds: number;
  seed: number;
  /** Worker threads of each fit (0 = the process setting). */
  threads: number;
  onFit?: (p: FitProgress) => void;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function sd(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/** k-fold cross-validation of each configuration on one ratings file; results ranked by mean RMSE. */
export async function crossValidate(datasetPath: string, configs: Config[], opts: TuneOptions): Promise<TuneResult> {
  const { folds, seed } = opts;
  if (!Number.isInteger(folds) || folds < 2 || folds > MAX_FOLDS) {
    throw new InvalidInputError(`folds must be an integer in 2..${MAX_FOLDS} (each fold is held out once), got ${folds}`);
  }
  if (configs.length === 0) throw new InvalidInputError('no configuration to try');
  if (configs.length > MAX_CONFIGS) {
    throw new InvalidInputError(`${configs.length} configurations is more than ${MAX_CONFIGS}; narrow the grid or use --trials`);
  }
  // A configuration that does not name its method is tuned as ALS: the search space and typical grids are ALS
  // regularisations (the Gibbs default's flat priors are of another scale), and a Gibbs fit costs 10x an ALS one.
  // `method=gibbs` in the grid tunes the sampler.
  const params = configs.map((c) => resolveParams({ method: 'als', ...c, threads: c.threads ?? opts.threads }));
  if (params.some((p) => p.feedback === 'implicit')) {
    // Ranking by RMSE needs predicted ratings; implicit scores are preferences (evaluate ranks them instead).
    throw new InvalidInputError('tune ranks configurations by RMSE, which implicit feedback does not have; use feedback=explicit');
  }
  const started = process.hrtime.bigint();
  const abs = path.resolve(datasetPath);
  const dataset = await native.readDataset(abs, {}).catch((err: unknown) => {
    throw fromNativeError(err, 'dataset');
  });
  const info = datasetInfo(dataset.report);
  log().info(
    `cross-validating ${configs.length} configurations x ${folds} folds (seed ${seed}) on ${abs}: ` +
      `${info.ratings} ratings, ${info.users} users, ${info.movies} movies`,
  );
  const scores: FoldScore[][] = configs.map(() => []);
  const total = configs.length * folds;
  let done = 0;
  for (let fold = 0; fold < folds; fold++) {
    const [train, test] = await native.kfoldSplit(dataset, folds, fold, seed).catch((err: unknown) => {
      throw fromNativeError(err, 'other');
    });
    for (let c = 0; c < configs.length; c++) {
      const r = await native.fitAndScore(train, test, params[c]).catch((err: unknown) => {
        throw fromNativeError(err, 'other');
      });
      const score: FoldScore = { fold: fold + 1, rmse: r.rmse, mae: r.mae, trainingSeconds: r.trainingSeconds };
      scores[c].push(score);
      done++;
      log().info(
        `fit ${done}/${total}: fold ${fold + 1}/${folds}, config ${c + 1} ${JSON.stringify(configs[c])}: ` +
          `RMSE ${r.rmse.toFixed(4)}, MAE ${r.mae.toFixed(4)}, ${r.trainingSeconds.toFixed(2)} s ` +
          `(${r.count} test pairs scored, ${r.unknownUser + r.unknownMovie} not)`,
      );
      opts.onFit?.({ done, total, fold: fold + 1, configIndex: c, score, best: bestSoFar(scores) });
    }
  }
  const results = configs
    .map((config, c) => {
      const rmses = scores[c].map((s) => s.rmse);
      return {
        config,
        params: params[c],
        meanRmse: mean(rmses),
        sdRmse: sd(rmses),
        meanMae: mean(scores[c].map((s) => s.mae)),
        meanSeconds: mean(scores[c].map((s) => s.trainingSeconds)),
        folds: scores[c],
      };
    })
    .sort((a, b) => (Number.isNaN(a.meanRmse) ? 1 : Number.isNaN(b.meanRmse) ? -1 : a.meanRmse - b.meanRmse));
  const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  log().info(
    `cross-validation done in ${totalSeconds.toFixed(1)} s; best ${JSON.stringify(results[0].config)}: ` +
      `mean RMSE ${results[0].meanRmse.toFixed(4)} +- ${results[0].sdRmse.toFixed(4)}`,
  );
  return { dataset: info, folds, seed, results, totalSeconds };
}

function bestSoFar(scores: FoldScore[][]): FitProgress['best'] {
  let best = { configIndex: -1, meanRmse: Number.POSITIVE_INFINITY };
  scores.forEach((s, c) => {
    if (s.length === 0) return;
    const m = mean(s.map((x) => x.rmse));
    if (m < best.meanRmse) best = { configIndex: c, meanRmse: m };
  });
  return best;
}
