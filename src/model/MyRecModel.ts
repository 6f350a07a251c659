// MyRecModel: the product's API (see notes/model-contract.md). It owns the model's life: where it is saved, loading
// it, swapping a new one in, typed errors, titles. The CLI and the service use it and nothing below it.
//
// The loaded model is an immutable native handle plus its indexed catalogue. `reload` and `train` build a new one
// and swap the reference, so calls already running finish on the old one.

import fs from 'node:fs/promises';
import path from 'node:path';

import { config } from '../config.js';
import { getLogger } from '../logger.js';
import { native, type DatasetReport, type NativeBecause, type NativeDataset, type NativeModel } from '../native.js';
import { RecommendBatcher, type BatcherStats } from './batcher.js';
import { Catalogue } from './catalogue.js';
import { writeMetricsChart, writeTrainingCurve } from './charts/index.js';
import { fromNativeError, InvalidInputError, ModelNotFoundError, type ErrorContext } from './errors.js';
import { DEFAULT_M, MAX_ID, MAX_K, MAX_M } from './limits.js';
import { PARAMETER_SPEC, resolveParams, type TrainParams } from './params.js';
import type {
  DatasetInfo,
  EvaluationResult,
  FoldInEvaluationResult,
  IterationStats,
  ListOptions,
  ModelInfo,
  MovieInfo,
  NewUserEvaluationResult,
  PredictResult,
  RatingScale,
  RatingsPair,
  Recommendation,
  TrainOptions,
  TrainResult,
  UserPrediction,
} from './types.js';

const log = () => getLogger('model');


interface Loaded {
  handle: NativeModel;
  info: ModelInfo;
  catalogue: Catalogue;
}

export interface MyRecModelOptions {
  /** Default config DATA_DIR; the model lives in `${dataDir}/model`. */
  dataDir?: string;
  /** Worker threads of the native tasks; default config THREADS (0 = all cores). */
  threads?: number;
}

export class MyRecModel {
  readonly dataDir: string;
  readonly modelDir: string;
  /** Worker threads of the native tasks (0 = all cores). */
  readonly threads: number;
  private current: Loaded | null = null;
  private readonly batcher = new RecommendBatcher();
  /** Serialises train/evaluate (both write model.json). */
  private writing: Promise<unknown> = Promise.resolve();

  constructor(opts: MyRecModelOptions = {}) {
    this.dataDir = path.resolve(opts.dataDir ?? config().dataDir);
    this.modelDir = path.join(this.dataDir, 'model');
    const threads = opts.threads ?? config().threads;
    checkInt('threads', threads, 0, 1024);
    native.setThreads(threads);
    this.threads = threads;
  }

  /** The training defaults (Gibbs sampling, tuned on ml-1m): what `train` uses for every option left out. */
  static defaultParams(): TrainParams {
    return resolveParams({});
  }

  // ---- lifecycle ----

  isReady(): boolean {
    return this.current !== null;
  }

  info(): ModelInfo | null {
    return this.current?.info ?? null;
  }

  ratingScale(): RatingScale | null {
    return this.current?.info.scale ?? null;
  }

  /** Loads the model in `modelDir` and swaps it in. ModelNotFoundError when there is none. */
  async warmup(): Promise<ModelInfo> {
    return this.reload();
  }

  /** Loads the newest model; on any failure the current one stays and the error is thrown. */
  async reload(): Promise<ModelInfo> {
    const started = Date.now();
    const handle = await call('model', () => native.loadModel(this.modelDir));
    const loaded = toLoaded(handle);
    this.current = loaded;
    log().info(
      `model loaded from ${this.modelDir} in ${Date.now() - started} ms: trained ${loaded.info.trainedAt}, ` +
        `${loaded.info.counts.users} users, ${loaded.info.counts.movies} movies, ${loaded.info.counts.factors} factors`,
    );
    return loaded.info;
  }

  // ---- training and evaluation ----

  /** Reads `datasetPath`, trains, saves atomically to `modelDir` and swaps the new model in. */
  async train(datasetPath: string, options: TrainOptions = {}): Promise<TrainResult> {
    return this.exclusive(async () => {
      const given = paramsOf(options);
      const params = resolveParams({ ...given, threads: given.threads ?? this.threads });
      const dataset = await this.readDataset(datasetPath, options.skipInvalid ?? false);
      const report = dataset.report;
      log().info(
        `training on ${report.path}: ${report.ratings} ratings, ${report.users} users, ${report.movies} movies; ` +
          `params ${JSON.stringify(params)}`,
      );
      const steps = totalSteps(params);
      const onIteration = (stats: IterationStats) => {
        const validation = stats.validationRmse === undefined ? '' : `, validation RMSE ${stats.validationRmse.toFixed(4)}`;
        log().info(
          `${stepName(params, stats)} ${stats.iteration}/${stepsOf(params, stats.phase)}: ` +
            `train RMSE ${stats.trainRmse.toFixed(4)}${validation}, ${stats.elapsedSeconds.toFixed(2)} s`,
        );
        try {
          options.onIteration?.(stats, steps);
        } catch (err) {
          // A broken progress callback must not break training.
          log().warn('onIteration callback failed', err);
        }
      };
      const handle = await call('model', () => native.trainModel(dataset, params, this.modelDir, onIteration));
      const loaded = toLoaded(handle);
      this.current = loaded;
      const info = loaded.info;
      log().info(
        `model saved to ${this.modelDir} in ${info.trainingSeconds.toFixed(2)} s of training; final train RMSE ` +
          `${info.history.at(-1)?.trainRmse.toFixed(4) ?? 'n/a'}`,
      );
      await writeTrainingCurve(this.modelDir, info);
      return {
        modelDir: this.modelDir,
        dataset: info.dataset,
        params: { ...params },
        trainingSeconds: info.trainingSeconds,
        history: info.history,
      };
    });
  }

  /** Evaluates the model on a ratings file beside the bias-only and popularity baselines; stores it in model.json. */
  async evaluate(datasetPath: string, opts: { k?: number } = {}): Promise<EvaluationResult> {
    const k = opts.k ?? 10;
    checkInt('k', k, 1, MAX_K);
    return this.exclusive(async () => {
      const loaded = await this.ensureLoaded();
      const dataset = await this.readDataset(datasetPath, false);
      const evaluation = (await call('other', () => native.evaluateModel(loaded.handle, dataset, k))) as Pick<
        EvaluationResult,
        'model' | 'biasOnly' | 'popularity'
      >;
      const result: EvaluationResult = {
        dataset: datasetInfo(dataset.report),
        model: { ...evaluation.model, rating: nanForMissing(evaluation.model.rating) },
        biasOnly: evaluation.biasOnly,
        popularity: evaluation.popularity,
        evaluatedAt: new Date().toISOString(),
      };
      if (await this.storeEvaluation(loaded, result, native.storeEvaluation)) await writeMetricsChart(this.modelDir, result);
      loaded.info = { ...loaded.info, evaluation: result };
      log().info(`evaluation on ${result.dataset.path}: ${JSON.stringify(result)}`);
      return result;
    });
  }

  /**
   * The new-user protocol on the users of a ratings file the model never saw (see `NewUserEvaluationResult`): the
   * product's lists beside the same lists by ranking score and popularity, at `k` (default 10), split by `seed`
   * (default 42). Stored in model.json as `newUserEvaluation`.
   */
  async evaluateNewUsers(datasetPath: string, opts: { k?: number; seed?: number } = {}): Promise<NewUserEvaluationResult> {
    const k = opts.k ?? 10;
    const seed = opts.seed ?? 42;
    checkInt('k', k, 1, MAX_K);
    checkInt('seed', seed, 0, Number.MAX_SAFE_INTEGER);
    return this.exclusive(async () => {
      const loaded = await this.ensureLoaded();
      const dataset = await this.readDataset(datasetPath, false);
      const r = (await call('other', () => native.evaluateNewUsers(loaded.handle, dataset, k, seed))) as Omit<
        NewUserEvaluationResult,
        'dataset' | 'evaluatedAt'
      >;
      const result: NewUserEvaluationResult = {
        dataset: datasetInfo(dataset.report),
        ...r,
        evaluatedAt: new Date().toISOString(),
      };
      await this.storeEvaluation(loaded, result, native.storeNewUserEvaluation);
      loaded.info = { ...loaded.info, newUserEvaluation: result };
      log().info(`new-user evaluation on ${result.dataset.path}: ${JSON.stringify(result)}`);
      return result;
    });
  }

  /**
   * Fold-in accuracy for users the model never saw: each user's ratings are split (seeded) into a history
   * (`historyFraction`, default 0.8) folded in as a new user, and a target whose ratings are predicted.
   */
  async evaluateFoldIn(
    datasetPath: string,
    opts: { historyFraction?: number; seed?: number } = {},
  ): Promise<FoldInEvaluationResult> {
    const historyFraction = opts.historyFraction ?? 0.8;
    const seed = opts.seed ?? 42;
    if (!(historyFraction > 0 && historyFraction < 1)) {
      throw new InvalidInputError(`historyFraction must be between 0 and 1 (exclusive), got ${historyFraction}`);
    }
    checkInt('seed', seed, 0, Number.MAX_SAFE_INTEGER);
    const loaded = await this.ensureLoaded();
    const dataset = await this.readDataset(datasetPath, false);
    const r = (await call('other', () =>
      native.evaluateFoldIn(loaded.handle, dataset, historyFraction, seed),
    )) as Omit<FoldInEvaluationResult, 'dataset' | 'seed' | 'evaluatedAt'>;
    const result: FoldInEvaluationResult = {
      dataset: datasetInfo(dataset.report),
      ...r,
      rating: nanForMissing(r.rating),
      seed,
      evaluatedAt: new Date().toISOString(),
    };
    log().info(`fold-in evaluation on ${result.dataset.path}: ${JSON.stringify(result)}`);
    return result;
  }

  // ---- recommendations ----

  /** The seed API: `[[movieIds], [ratings]]` in, the top M `[[movieIds], [estimatedRatings]]` out, best first. */
  async predict(input: RatingsPair, M: number = DEFAULT_M, options: ListOptions = {}): Promise<RatingsPair> {
    const r = await this.recommend(input, M, options);
    return [r.items.map((i) => i.movieId), r.items.map((i) => i.rating)];
  }

  /**
   * Like predict, with titles and genres, the input ids the model does not know, and whether it is personalised.
   * Scored off the JS thread, batched with the other requests that come in meanwhile (see batcher.ts); the list is
   * the one `recommendNewUser` gives alone. Input errors reject this call only.
   */
  async recommend(input: RatingsPair, M: number = DEFAULT_M, options: ListOptions = {}): Promise<PredictResult> {
    const [ids, ratings] = checkRatingsPair(input);
    checkInt('M', M, 1, MAX_M);
    // The model current now: a reload meanwhile does not change what this request is scored on.
    const loaded = this.requireLoaded();
    const r = await this.batcher.submit(loaded.handle, ids, ratings, M, nativeOptions(options));
    return toPredictResult(loaded, r.movieIds, r.scores, r.unknownIds, r.personalised, r.explanations);
  }

  /** How many batches and requests the recommend batcher has handled (diagnostics, tests). */
  batchStats(): Readonly<BatcherStats> {
    return { ...this.batcher.stats };
  }

  /** Top M for a user of the training data (their rated movies left out); null when the model does not know them. */
  recommendForUser(userId: number, M: number = DEFAULT_M, options: ListOptions = {}): PredictResult | null {
    checkInt('userId', userId, 0, MAX_ID);
    checkInt('M', M, 1, MAX_M);
    const loaded = this.requireLoaded();
    const r = callSync('other', () => loaded.handle.recommendKnownUser(userId, M, nativeOptions(options)));
    return r ? toPredictResult(loaded, r.movieIds, r.scores, [], true, r.explanations ?? undefined) : null;
  }

  /** The M movies closest to `id` (cosine of item factors; `rating` holds the similarity); null for an unknown movie. */
  similar(id: number, M: number = DEFAULT_M, options: ListOptions = {}): Recommendation[] | null {
    checkInt('movieId', id, 0, MAX_ID);
    checkInt('M', M, 1, MAX_M);
    const loaded = this.requireLoaded();
    const r = callSync('other', () => loaded.handle.similar(id, M, nativeOptions(options)));
    return r ? items(loaded, r.movieIds, r.scores) : null;
  }

  /** For every user of a ratings file, that user's ratings as a new user's input: the top M, in user order. */
  async *predictDataset(
    datasetPath: string,
    M: number = DEFAULT_M,
    options: ListOptions = {},
  ): AsyncGenerator<UserPrediction> {
    checkInt('M', M, 1, MAX_M);
    const listOptions = nativeOptions(options);
    const loaded = await this.ensureLoaded();
    const dataset = await this.readDataset(datasetPath, false);
    const { users, movies, ratings } = dataset.triples(); // sorted by (user, movie)
    let start = 0;
    while (start < users.length) {
      let end = start + 1;
      while (end < users.length && users[end] === users[start]) end++;
      const r = callSync('other', () =>
        loaded.handle.recommendNewUser(movies.subarray(start, end), ratings.subarray(start, end), M, listOptions),
      );
      const result = toPredictResult(loaded, r.movieIds, r.scores, [...r.unknownIds], r.personalised, r.explanations ?? undefined);
      yield { user: users[start], result };
      start = end;
    }
  }

  // ---- catalogue ----

  searchMovies(q: string, limit = 20): MovieInfo[] {
    if (typeof q !== 'string') throw new InvalidInputError('search query must be a string');
    checkInt('limit', limit, 1, 1000);
    return this.requireLoaded().catalogue.search(q, limit);
  }

  movie(id: number): MovieInfo | null {
    if (!Number.isInteger(id)) return null;
    return this.requireLoaded().catalogue.movie(id);
  }

  // ---- internals ----

  /**
   * Writes the evaluation into model.json, but only when the model on disk is still the one evaluated (another
   * process may have trained a new one meanwhile; its model.json must not get this model's figures).
   */
  private async storeEvaluation(
    loaded: Loaded,
    result: EvaluationResult | NewUserEvaluationResult,
    store: (dir: string, json: unknown) => void,
  ): Promise<boolean> {
    const onDisk = await readTrainedAt(path.join(this.modelDir, 'model.json'));
    if (onDisk !== loaded.info.trainedAt) {
      log().warn(
        `evaluation not stored: the model in ${this.modelDir} (trained ${onDisk ?? 'n/a'}) is not the one evaluated ` +
          `(trained ${loaded.info.trainedAt})`,
      );
      return false;
    }
    // Through JSON: NaN metrics (an implicit model's RMSE) become null, which JSON (and the addon) can hold.
    const json: unknown = JSON.parse(JSON.stringify(result));
    callSync('model', () => store(this.modelDir, json));
    return true;
  }

  private async readDataset(datasetPath: string, skipInvalid: boolean): Promise<NativeDataset> {
    if (typeof datasetPath !== 'string' || datasetPath.trim() === '') {
      throw new InvalidInputError('a dataset path is required');
    }
    const abs = path.resolve(datasetPath);
    const dataset = await call('dataset', () => native.readDataset(abs, { skipInvalid }));
    const r = dataset.report;
    if (r.skippedInvalid > 0) {
      log().warn(`${abs}: skipped ${r.skippedInvalid} malformed lines, e.g. ${r.skippedExamples.slice(0, 3).join('; ')}`);
    }
    if (r.duplicates > 0) {
      log().warn(`${abs}: ${r.duplicates} repeated (user, movie) pairs; the last rating in the file was kept`);
    }
    if (!r.moviesFile) {
      log().warn(`${abs}: no movies file beside the ratings (movies.dat, u.item or movies.csv); titles will be missing`);
    }
    return dataset;
  }

  private requireLoaded(): Loaded {
    if (!this.current) {
      throw new ModelNotFoundError(`no model loaded; train one (movierec train) or call warmup() (looked in ${this.modelDir})`);
    }
    return this.current;
  }

  private async ensureLoaded(): Promise<Loaded> {
    if (!this.current) await this.reload();
    return this.requireLoaded();
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.writing.then(work, work);
    this.writing = run.catch(() => undefined);
    return run;
  }
}

// ---- helpers (pure) ----

async function readTrainedAt(file: string): Promise<string | undefined> {
  try {
    const json = JSON.parse(await fs.readFile(file, 'utf8')) as { trainedAt?: unknown };
    return typeof json.trainedAt === 'string' ? json.trainedAt : undefined;
  } catch {
    return undefined;
  }
}

async function call<T>(context: ErrorContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw fromNativeError(err, context);
  }
}

function callSync<T>(context: ErrorContext, work: () => T): T {
  try {
    return work();
  } catch (err) {
    throw fromNativeError(err, context);
  }
}

function checkInt(name: string, value: unknown, min: number, max: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidInputError(`${name} must be an integer in ${min}..${max}, got ${JSON.stringify(value)}`, { field: name });
  }
}

/** `[[ids], [ratings]]` -> typed arrays, or InvalidInputError saying what is wrong. */
export function checkRatingsPair(input: unknown): [Uint32Array, Float32Array] {
  if (!Array.isArray(input) || input.length !== 2 || !Array.isArray(input[0]) || !Array.isArray(input[1])) {
    throw new InvalidInputError('input must be [[movieIds], [ratings]]: an array of two arrays');
  }
  const [ids, ratings] = input as [unknown[], unknown[]];
  if (ids.length !== ratings.length) {
    throw new InvalidInputError(`${ids.length} movie ids but ${ratings.length} ratings; the two arrays must match`, {
      field: 'ratings',
    });
  }
  const outIds = new Uint32Array(ids.length);
  const outRatings = new Float32Array(ratings.length);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > MAX_ID) {
      throw new InvalidInputError(`movie id at position ${i} must be a non-negative integer, got ${JSON.stringify(id)}`, {
        field: `movies[${i}]`,
      });
    }
    const r = ratings[i];
    if (typeof r !== 'number' || !Number.isFinite(r)) {
      throw new InvalidInputError(`rating at position ${i} must be a number, got ${JSON.stringify(r)}`, {
        field: `ratings[${i}]`,
      });
    }
    outIds[i] = id;
    outRatings[i] = r;
  }
  return [outIds, outRatings];
}

type StepParams = Pick<TrainParams, 'method' | 'feedback' | 'iterations' | 'burnIn' | 'samples' | 'ranking'>;

/** Progress steps a training reports: the rating model's ALS iterations or Gibbs sweeps (burn-in + samples), then
 * the ranking model's iterations when one is trained beside it. */
export function totalSteps(p: StepParams): number {
  return stepsOf(p, 'rating') + stepsOf(p, 'ranking');
}

function stepsOf(p: StepParams, phase: IterationStats['phase']): number {
  if (phase === 'ranking') {
    // The ranking model trains with the implicit defaults (AlsParams::ranking_params in the core).
    const iterations = PARAMETER_SPEC.find((s) => s.name === 'iterations')?.defaults.implicit;
    return p.feedback === 'explicit' && p.ranking === 'implicit' ? Number(iterations) : 0;
  }
  return p.method === 'gibbs' && p.feedback === 'explicit' ? p.burnIn + p.samples : p.iterations;
}

function stepName(p: StepParams, stats: IterationStats): string {
  if (stats.phase === 'ranking') return 'ranking model iteration';
  return p.method === 'gibbs' && p.feedback === 'explicit' ? 'sweep' : 'iteration';
}

/** The training parameters among `options` (the others say how to read the data and follow the training). */
function paramsOf(options: TrainOptions): Partial<TrainParams> {
  const { skipInvalid: _skipInvalid, onIteration: _onIteration, ...params } = options;
  return params;
}

/** Implicit models have no RMSE/MAE: the addon gives null, the typed result NaN (JSON still shows null). */
function nanForMissing<T extends { rmse: number | null; mae: number | null }>(r: T): T {
  return { ...r, rmse: r.rmse ?? Number.NaN, mae: r.mae ?? Number.NaN };
}

export function datasetInfo(r: DatasetReport): DatasetInfo {
  return {
    path: r.path,
    layout: r.layout as DatasetInfo['layout'],
    sha256: r.sha256,
    ratings: r.ratings,
    users: r.users,
    movies: r.movies,
    skippedInvalid: r.skippedInvalid,
    duplicates: r.duplicates,
  };
}

function toLoaded(handle: NativeModel): Loaded {
  const info = handle.meta() as ModelInfo;
  const catalogue = new Catalogue(handle.catalogue());
  // Not awaited: the search index fills in slices between requests (search completes it itself if asked first).
  void catalogue.prepareSearch();
  return { handle, info, catalogue };
}

/** Estimates as the API gives them: 4 decimals (float32 noise is not information). */
function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

function items(loaded: Loaded, ids: Uint32Array, scores: Float32Array, explanations?: NativeBecause[][]): Recommendation[] {
  const out: Recommendation[] = [];
  for (let i = 0; i < ids.length; i++) {
    const item: Recommendation = {
      movieId: ids[i],
      title: loaded.catalogue.title(ids[i]),
      genres: loaded.catalogue.genres(ids[i]),
      rating: round4(scores[i]),
    };
    if (explanations) {
      item.because = (explanations[i] ?? []).map((b) => ({
        movieId: b.movieId,
        title: loaded.catalogue.title(b.movieId),
        share: round4(b.share),
      }));
    }
    out.push(item);
  }
  return out;
}

function toPredictResult(
  loaded: Loaded,
  ids: Uint32Array,
  scores: Float32Array,
  unknownIds: number[],
  personalised: boolean,
  explanations?: NativeBecause[][],
): PredictResult {
  return { items: items(loaded, ids, scores, explanations), unknownIds, personalised };
}

/** The options as the addon reads them: the core checks every field and names the one at fault. */
function nativeOptions(options: ListOptions): object | null {
  if (options === undefined || options === null) return null;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidInputError('options must be an object { filters?, explain?, order? }', { field: 'options' });
  }
  return options;
}

