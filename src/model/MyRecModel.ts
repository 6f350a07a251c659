// MyRecModel: the product's API (see notes/model-contract.md). It owns the model's life: where it is saved, loading
// it, swapping a new one in, typed errors, titles. The CLI and the service use it and nothing below it.
//
// The loaded model is an immutable native handle plus its indexed catalogue. `reload`, `promote`, `rollback` and
// `train` build a new one and swap the reference, so calls already running finish on the old one.
//
// Models are versions in DATA_DIR/models (versions.ts): `train` writes a new version through the atomic save, then moves
// the current pointer to it; `reload` loads whatever the pointer names. No version is made current before it has been
// loaded here, which validates it.

import fs from 'node:fs/promises';
import path from 'node:path';

import { config } from '../config.js';
import { getLogger } from '../logger.js';
import { native, type DatasetReport, type NativeBecause, type NativeDataset, type NativeModel } from '../native.js';
import { RecommendBatcher, type BatcherStats } from './batcher.js';
import { Catalogue } from './catalogue.js';
import { writeMetricsChart, writeTrainingCurve } from './charts/index.js';
import {
  fromNativeError,
  InvalidInputError,
  ModelNotFoundError,
  VersionNotFoundError,
  type ErrorContext,
} from './errors.js';
import { DEFAULT_M, MAX_ID, MAX_K, MAX_M } from './limits.js';
import { PARAMETER_SPEC, resolveParams, type TrainParams } from './params.js';
import type {
  DatasetInfo,
  EvaluationResult,
  FoldInEvaluationResult,
  ImportOptions,
  ImportResult,
  IterationStats,
  ListOptions,
  ModelInfo,
  MovieInfo,
  NewUserEvaluationResult,
  PredictResult,
  RatingEvents,
  RatingScale,
  RatingsPair,
  Recommendation,
  SparkImportOptions,
  TrainOptions,
  TrainResult,
  UserPrediction,
  VersionList,
} from './types.js';
import { ModelStore, newVersionId } from './versions.js';

const log = () => getLogger('model');


interface Loaded {
  handle: NativeModel;
  info: ModelInfo;
  catalogue: Catalogue;
  /** The version id and the folder it was loaded from. */
  version: string;
  dir: string;
}

export interface MyRecModelOptions {
  /** Default config DATA_DIR; the model versions live in `${dataDir}/models`. */
  dataDir?: string;
  /** Worker threads of the native tasks; default config THREADS (0 = all cores). */
  threads?: number;
  /** Versions kept after a train; default config MODEL_VERSIONS_KEEP. */
  keepVersions?: number;
  /** Called after every swap, with the version now served (the service records it in its lease). */
  onSwap?: (version: string, info: ModelInfo) => void;
}

export class MyRecModel {
  readonly dataDir: string;
  /** The versions and the current pointer of `dataDir`. */
  readonly store: ModelStore;
  /** Worker threads of the native tasks (0 = all cores). */
  readonly threads: number;
  readonly keepVersions: number;
  private readonly onSwap: MyRecModelOptions['onSwap'];
  private current: Loaded | null = null;
  private readonly batcher = new RecommendBatcher();
  /** Serialises train/evaluate (both write model.json). */
  private writing: Promise<unknown> = Promise.resolve();

  constructor(opts: MyRecModelOptions = {}) {
    this.dataDir = path.resolve(opts.dataDir ?? config().dataDir);
    this.store = new ModelStore(this.dataDir);
    const threads = opts.threads ?? config().threads;
    checkInt('threads', threads, 0, 1024);
    native.setThreads(threads);
    this.threads = threads;
    const keep = opts.keepVersions ?? config().modelVersionsKeep;
    checkInt('keepVersions', keep, 1, 1000);
    this.keepVersions = keep;
    this.onSwap = opts.onSwap;
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

  /** The version being served, or null before the first load. */
  servedVersion(): string | null {
    return this.current?.version ?? null;
  }

  /** The folder of the version being served (its charts are read from there), or null. */
  servedDir(): string | null {
    return this.current?.dir ?? null;
  }

  /** Loads the current version and swaps it in. ModelNotFoundError when there is none. */
  async warmup(): Promise<ModelInfo> {
    return this.reload();
  }

  /** Loads the current version (the pointer's); on any failure the model served stays and the error is thrown. */
  async reload(): Promise<ModelInfo> {
    const current = await this.store.current();
    if (!current) {
      throw new ModelNotFoundError(
        `no model at ${this.store.root} (nor at ${this.store.legacyDir}); train one (movierec train) first`,
      );
    }
    return this.load(current.version, current.dir);
  }

  /**
   * Makes `version` the current one and serves it: loads it (a damaged version is refused and the pointer stays),
   * then moves the pointer, then swaps it in. InvalidInputError for a malformed id, VersionNotFoundError for an absent one.
   */
  async promote(version: string): Promise<ModelInfo> {
    return this.exclusive(async () => {
      await this.store.migrateLegacy();
      if (!(await this.store.has(version))) {
        throw new VersionNotFoundError(`no version ${version} in ${this.store.root} (movierec models list shows them)`, {
          field: 'version',
        });
      }
      const dir = this.store.versionDir(version);
      const loaded = await this.loadVersion(version, dir);
      await this.store.setCurrent(version);
      this.swapIn(loaded);
      log().info(`version ${version} promoted: now current`);
      return loaded.info;
    });
  }

  /** Goes back to the version that was current before this one (the pointer's history), loaded and checked first. */
  async rollback(): Promise<{ version: string; info: ModelInfo }> {
    return this.exclusive(async () => {
      const target = await this.store.rollbackTarget();
      const loaded = await this.loadVersion(target.version, this.store.versionDir(target.version));
      await this.store.rollBackTo(target);
      this.swapIn(loaded);
      log().info(`rolled back to version ${target.version}`);
      return { version: target.version, info: loaded.info };
    });
  }

  /** The versions in the data folder, newest first, with the current one, the one served here and the services' leases. */
  async versions(): Promise<VersionList> {
    const [versions, current, leases] = await Promise.all([
      this.store.list(),
      this.store.current().catch(() => null),
      this.store.liveLeases(),
    ]);
    return {
      current: current?.version ?? null,
      served: this.servedVersion(),
      versions: versions.map((v) => ({ ...v, servedBy: leases.filter((l) => l.version === v.version).length })),
    };
  }

  // ---- training and evaluation ----

  /** Reads `datasetPath`, trains, saves a new version atomically, makes it current and swaps it in. */
  async train(datasetPath: string, options: TrainOptions = {}): Promise<TrainResult> {
    return this.exclusive(async () => {
      const given = paramsOf(options);
      const params = resolveParams({ ...given, threads: given.threads ?? this.threads });
      const read = await this.readDataset(datasetPath, options.skipInvalid ?? false);
      const dataset = options.events ? await withEvents(read, options.events) : read;
      const report = dataset.report;
      log().info(
        `training on ${report.path}: ${report.ratings} ratings, ${report.users} users, ${report.movies} movies; ` +
          `params ${JSON.stringify(params)}`,
      );
      const steps = totalSteps(params);
      const progress = new ProgressCount();
      const onIteration = (stats: IterationStats) => {
        progress.arrived();
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
      const loaded = await this.publishVersion(async (dir) => {
        const handle = await native.trainModel(dataset, params, dir, onIteration);
        // Progress comes through a queue that the task's end does not wait for: the last steps can arrive after it.
        const meta = handle.meta() as ModelInfo;
        await progress.all(meta.history.length + (meta.ranking?.history.length ?? 0));
        return handle;
      });
      const info = loaded.info;
      log().info(
        `model version ${loaded.version} saved to ${loaded.dir} after ${info.trainingSeconds.toFixed(2)} s of ` +
          `training; final train RMSE ${info.history.at(-1)?.trainRmse.toFixed(4) ?? 'n/a'}`,
      );
      return {
        version: loaded.version,
        modelDir: loaded.dir,
        dataset: info.dataset,
        params: { ...params },
        trainingSeconds: info.trainingSeconds,
        history: info.history,
        ...(info.events ? { events: info.events } : {}),
      };
    });
  }

  // ---- other engines' models (docs/interop.md) ----

  /** Imports a Spark MLlib ALSModel folder, saves it as a new version like a trained model and swaps it in. */
  async importSpark(dir: string, options: SparkImportOptions = {}): Promise<ImportResult> {
    const { regParam, implicitPrefs, alpha, maxIter, seed } = options;
    const training = { regParam, implicitPrefs, alpha, maxIter, seed };
    return this.importModel(dir, options, (ratings, movies, out) =>
      native.importSparkModel(path.resolve(dir), training, ratings, movies, out),
    );
  }

  /** Imports an archive saved by `implicit`'s `AlternatingLeastSquares.save`, as `importSpark` does. */
  async importImplicit(file: string, options: ImportOptions = {}): Promise<ImportResult> {
    return this.importModel(file, options, (ratings, movies, out) =>
      native.importImplicitModel(path.resolve(file), ratings, movies, out),
    );
  }

  /** Writes the model (loading it first if needed) as `implicit`'s `AlternatingLeastSquares.save` does. */
  async exportImplicit(file: string): Promise<{ file: string; users: number; movies: number; factors: number }> {
    const loaded = await this.ensureLoaded();
    const out = path.resolve(file);
    await call('model', () => native.exportImplicitModel(loaded.handle, out));
    const { users, movies, factors } = loaded.info.counts;
    // An explicit model trained here carries its mean and biases as two more factor columns.
    const withBiases = loaded.info.engine === 'movierec' && loaded.info.params.feedback === 'explicit';
    log().info(`model exported to ${out} in implicit's format (${users} users, ${movies} movies)`);
    return { file: out, users, movies, factors: factors + (withBiases ? 2 : 0) };
  }

  /** Reads a ratings file (any MovieLens layout) and writes its ratings as `userId,movieId,rating,timestamp` CSV. */
  async writeRatingsCsv(datasetPath: string, outFile: string, opts: { skipInvalid?: boolean } = {}): Promise<DatasetInfo> {
    const dataset = await this.readDataset(datasetPath, opts.skipInvalid ?? false);
    await call('other', () => native.writeRatingsCsv(dataset, path.resolve(outFile)));
    return datasetInfo(dataset.report);
  }

  private async importModel(
    source: string,
    options: ImportOptions,
    run: (ratings: NativeDataset | null, movies: string | null, dir: string) => Promise<NativeModel>,
  ): Promise<ImportResult> {
    if (typeof source !== 'string' || source.trim() === '') throw new InvalidInputError('a model path to import is required');
    return this.exclusive(async () => {
      const started = Date.now();
      const ratings = options.ratings === undefined ? null : await this.readDataset(options.ratings, options.skipInvalid ?? false);
      const movies = options.movies === undefined ? null : path.resolve(options.movies);
      const loaded = await this.publishVersion((dir) => run(ratings, movies, dir));
      const info = loaded.info;
      const importedFrom = info.importedFrom as ImportResult['importedFrom'];
      log().info(
        `model imported from ${importedFrom.path} (${importedFrom.format}) as version ${loaded.version} in ${loaded.dir}: ` +
          `${info.counts.users} users, ` +
          `${info.counts.movies} movies, ${info.counts.factors} factors, ${info.counts.ratings} training ratings` +
          (importedFrom.ratingsLeftOut > 0 ? `; ${importedFrom.ratingsLeftOut} ratings of users or movies it lacks left out` : ''),
      );
      return {
        version: loaded.version,
        modelDir: loaded.dir,
        engine: info.engine,
        importedFrom,
        dataset: info.dataset,
        counts: info.counts,
        scale: info.scale,
        seconds: (Date.now() - started) / 1000,
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
      if (await this.storeEvaluation(loaded, result, native.storeEvaluation)) await writeMetricsChart(loaded.dir, result);
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
    return this.recommendFoldedIn(this.requireLoaded(), ids, ratings, M, options);
  }

  /**
   * Top M for a person who rated since training: their training ratings (none when the model does not know them)
   * with `given` applied (a rating replaces the training one, a null rating deletes it, for a movie given twice the
   * later counts), folded in and listed like a new user's (`recommend`), their rated movies left out.
   */
  async recommendForUserWith(
    userId: number,
    given: readonly { movieId: number; rating: number | null }[],
    M: number = DEFAULT_M,
    options: ListOptions = {},
  ): Promise<PredictResult> {
    checkInt('userId', userId, 0, MAX_ID);
    checkInt('M', M, 1, MAX_M);
    const loaded = this.requireLoaded();
    const [ids, ratings] = givenColumns(given);
    const history = callSync('other', () => loaded.handle.historyWith(userId, ids, ratings));
    return this.recommendFoldedIn(loaded, history.movieIds, history.ratings, M, options);
  }

  /**
   * A person's ratings as `recommendForUserWith` folds them in: their training ratings with `given` applied, by
   * movie id.
   */
  ratingsOf(userId: number, given: readonly { movieId: number; rating: number | null }[]): { movieId: number; rating: number }[] {
    checkInt('userId', userId, 0, MAX_ID);
    const loaded = this.requireLoaded();
    const [ids, ratings] = givenColumns(given);
    const history = callSync('other', () => loaded.handle.historyWith(userId, ids, ratings));
    return Array.from(history.movieIds, (movieId, i) => ({ movieId, rating: round4(history.ratings[i] ?? Number.NaN) }));
  }

  /** The new-user path every folded-in list takes: scored off the JS thread, batched (batcher.ts). */
  private async recommendFoldedIn(
    loaded: Loaded,
    ids: Uint32Array,
    ratings: Float32Array,
    M: number,
    options: ListOptions,
  ): Promise<PredictResult> {
    const r = await this.batcher.submit(loaded.handle, ids, ratings, M, nativeOptions(options));
    return toPredictResult(loaded, r, r.unknownIds, r.personalised);
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
    return r ? toPredictResult(loaded, r, [], true) : null;
  }

  /** The M movies closest to `id` (cosine of item factors; `rating` holds the similarity); null for an unknown movie. */
  similar(id: number, M: number = DEFAULT_M, options: ListOptions = {}): Recommendation[] | null {
    checkInt('movieId', id, 0, MAX_ID);
    checkInt('M', M, 1, MAX_M);
    const loaded = this.requireLoaded();
    const r = callSync('other', () => loaded.handle.similar(id, M, nativeOptions(options)));
    return r ? items(loaded, r) : null;
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
      const result = toPredictResult(loaded, r, [...r.unknownIds], r.personalised);
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
   * Writes a new version with `write` (a native task that saves a model folder atomically to the folder it is given
   * and resolves to it loaded back, so validated), adds its training curve, makes it current, swaps it in and prunes
   * old versions. Training goes through here; so should every other way of making a model (imports).
   */
  private async publishVersion(write: (dir: string) => Promise<NativeModel>): Promise<Loaded> {
    const version = newVersionId();
    const dir = this.store.versionDir(version);
    const loaded = toLoaded(await call('model', () => write(dir)), version, dir);
    await writeTrainingCurve(dir, loaded.info);
    await this.store.setCurrent(version);
    this.swapIn(loaded);
    await this.prune();
    return loaded;
  }

  /** Removes old versions (keeping `keepVersions`, the current one and every one a running service serves). */
  private async prune(): Promise<void> {
    try {
      const serving = (await this.store.liveLeases()).map((l) => l.version);
      const removed = await this.store.prune(this.keepVersions, serving);
      if (removed.length > 0) log().info(`removed ${removed.length} old model version(s): ${removed.join(', ')}`);
    } catch (err) {
      log().warn('pruning old model versions failed (they stay on disk)', err);
    }
  }

  private async load(version: string, dir: string): Promise<ModelInfo> {
    const started = Date.now();
    const loaded = await this.loadVersion(version, dir);
    this.swapIn(loaded);
    const c = loaded.info.counts;
    log().info(
      `model version ${version} loaded from ${dir} in ${Date.now() - started} ms: trained ${loaded.info.trainedAt}, ` +
        `${c.users} users, ${c.movies} movies, ${c.factors} factors`,
    );
    return loaded.info;
  }

  private async loadVersion(version: string, dir: string): Promise<Loaded> {
    return toLoaded(await call('model', () => native.loadModel(dir)), version, dir);
  }

  private swapIn(loaded: Loaded): void {
    this.current = loaded;
    try {
      this.onSwap?.(loaded.version, loaded.info);
    } catch (err) {
      log().warn('onSwap callback failed', err);
    }
  }

  /**
   * Writes the evaluation into model.json, but only when the model on disk is still the one evaluated (a legacy
   * DATA_DIR/model may have been retrained by an older program meanwhile; its model.json must not get these figures).
   */
  private async storeEvaluation(
    loaded: Loaded,
    result: EvaluationResult | NewUserEvaluationResult,
    store: (dir: string, json: unknown) => void,
  ): Promise<boolean> {
    const onDisk = await readTrainedAt(path.join(loaded.dir, 'model.json'));
    if (onDisk !== loaded.info.trainedAt) {
      log().warn(
        `evaluation not stored: the model in ${loaded.dir} (trained ${onDisk ?? 'n/a'}) is not the one evaluated ` +
          `(trained ${loaded.info.trainedAt})`,
      );
      return false;
    }
    // Through JSON: NaN metrics (an implicit model's RMSE) become null, which JSON (and the addon) can hold.
    const json: unknown = JSON.parse(JSON.stringify(result));
    callSync('model', () => store(loaded.dir, json));
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
      throw new ModelNotFoundError(`no model loaded; train one (movierec train) or call warmup() (looked in ${this.store.root})`);
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

/** Counts the progress events of a training, to wait for the last ones after the task has ended. */
class ProgressCount {
  private received = 0;
  private expected = Number.POSITIVE_INFINITY;
  private wake: (() => void) | undefined;

  arrived(): void {
    this.received++;
    if (this.received >= this.expected) this.wake?.();
  }

  /** Resolves once `expected` events have arrived, or after `timeoutMs` (a lost event must not hang training). */
  async all(expected: number, timeoutMs = 2000): Promise<void> {
    if (this.received < expected) {
      this.expected = expected;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    if (this.received < expected) log().warn(`training progress: ${this.received} of ${expected} steps reported`);
  }
}

/** Ratings given since training as the addon takes them: a deletion (null) as NaN. */
function givenColumns(given: readonly { movieId: number; rating: number | null }[]): [Uint32Array, Float32Array] {
  return [Uint32Array.from(given, (g) => g.movieId), Float32Array.from(given, (g) => g.rating ?? Number.NaN)];
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
  const { skipInvalid: _skipInvalid, onIteration: _onIteration, events: _events, ...params } = options;
  return params;
}

/** The data set with the stored rating events applied, natively (the ratings never cross to JS). */
async function withEvents(dataset: NativeDataset, events: RatingEvents): Promise<NativeDataset> {
  const last = events.lastEventTime === null ? null : new Date(events.lastEventTime).toISOString();
  const merged = await call('dataset', () => native.mergeEvents(dataset, events.users, events.movies, events.ratings, last));
  log().info(
    `merged ${events.users.length} stored rating events (latest ${last ?? 'none'}) into ${dataset.report.path}: ` +
      `${dataset.report.ratings} -> ${merged.report.ratings} ratings`,
  );
  return merged;
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

function toLoaded(handle: NativeModel, version: string, dir: string): Loaded {
  const info = handle.meta() as ModelInfo;
  const catalogue = new Catalogue(handle.catalogue());
  // Not awaited: the search index fills in slices between requests (search completes it itself if asked first).
  void catalogue.prepareSearch();
  return { handle, info, catalogue, version, dir };
}

/** Estimates as the API gives them: 4 decimals (float32 noise is not information). */
function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/** A list as the addon gives it: raw ids with scores, and per entry its explanations and cold marks when any. */
interface NativeList {
  movieIds: Uint32Array;
  scores: Float32Array;
  explanations?: NativeBecause[][] | null;
  coldStart?: boolean[] | null;
}

function items(loaded: Loaded, list: NativeList): Recommendation[] {
  const { movieIds: ids, scores, explanations, coldStart } = list;
  const out: Recommendation[] = [];
  for (let i = 0; i < ids.length; i++) {
    const item: Recommendation = {
      movieId: ids[i],
      title: loaded.catalogue.title(ids[i]),
      genres: loaded.catalogue.genres(ids[i]),
      rating: round4(scores[i]),
    };
    if (coldStart?.[i]) item.coldStart = true;
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

function toPredictResult(loaded: Loaded, list: NativeList, unknownIds: number[], personalised: boolean): PredictResult {
  return { items: items(loaded, list), unknownIds, personalised };
}

/** The options as the addon reads them: the core checks every field and names the one at fault. */
function nativeOptions(options: ListOptions): object | null {
  if (options === undefined || options === null) return null;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidInputError('options must be an object { filters?, explain?, order?, includeCold? }', {
      field: 'options',
    });
  }
  return options;
}

