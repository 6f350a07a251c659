// Public types of MyRecModel: the product's API in TypeScript. The CLI and the HTTP service use these and
// nothing below them (never src/native.ts directly).

import type { TrainParams } from './params.js';
import type { VersionSummary } from './versions.js';

export type { TrainParams, VersionSummary };

/** `[[movieIds], [ratings]]`: the seed's input and output shape. */
export type RatingsPair = [number[], number[]];

export type Feedback = TrainParams['feedback'];
/** How the explicit model is fitted: Gibbs sampling (default, posterior-mean model) or plain ALS. */
export type Method = TrainParams['method'];
export type Solver = TrainParams['solver'];

/** Any training parameters (see `PARAMETER_SPEC`; the others take the defaults of the feedback and method), plus how
 * to read the data set and follow the training. */
export type TrainOptions = Partial<TrainParams> & {
  skipInvalid?: boolean;
  /** Rating events merged into the data set before training (later wins); recorded in model.json. */
  events?: RatingEvents;
  /** Called after every ALS iteration or Gibbs sweep of either model (on the JS thread, from the native task), with
   * the number of steps the training takes (both models). */
  onIteration?: (stats: IterationStats, totalSteps: number) => void;
};

/** Rating events (the service's stored ratings) as columns: event `i` is user `users[i]` rating `movies[i]`. */
export interface RatingEvents {
  users: Uint32Array;
  movies: Uint32Array;
  /** NaN for a deletion. */
  ratings: Float32Array;
  /** The latest event's time (ms since the epoch), null when there are none. */
  lastEventTime: number | null;
}

/** model.json's record of the events a model was trained with (`train --with-events`). */
export interface EventsInfo {
  /** Events merged: ratings and deletions. */
  count: number;
  /** The file's ratings an event replaced. */
  replaced: number;
  /** Ratings the file did not have. */
  added: number;
  /** The file's ratings a deletion removed. */
  deleted: number;
  /** ISO 8601; absent when there were no events. */
  lastEventTime?: string;
}

export interface IterationStats {
  /** ALS iteration or Gibbs sweep, 1-based. */
  iteration: number;
  trainRmse: number;
  /** RMSE on the ratings held out for validation; absent without a holdout. */
  validationRmse?: number;
  elapsedSeconds: number;
  /** The model the step belongs to: the rating model's steps first, then the ranking model's (iterations from 1). */
  phase: 'rating' | 'ranking';
}

export interface RatingScale {
  min: number;
  max: number;
  step: number;
}

export interface DatasetInfo {
  path: string;
  /** null: the model came without its ratings (an import without `--ratings`; `path` is what was imported). */
  layout: 'double-colon' | 'tab' | 'csv-header' | null;
  sha256: string;
  ratings: number;
  users: number;
  movies: number;
  skippedInvalid: number;
  duplicates: number;
}

export interface TrainResult {
  /** The version the training wrote (now the current one). */
  version: string;
  /** Its folder, `DATA_DIR/models/<version>`. */
  modelDir: string;
  dataset: DatasetInfo;
  params: TrainParams;
  trainingSeconds: number;
  history: IterationStats[];
  /** The stored rating events trained with; absent when none were merged. */
  events?: EventsInfo;
}

export interface RatingMetrics {
  /** NaN (null in JSON) for implicit-feedback models: their scores are preferences, not ratings. */
  rmse: number;
  /** NaN (null in JSON) for implicit-feedback models. */
  mae: number;
  /** Pairs whose user and movie the model knows (the ones scored). */
  count: number;
  unknownUser: number;
  unknownMovie: number;
}

export interface RankingMetrics {
  k: number;
  precision: number;
  recall: number;
  ndcg: number;
  /** Mean average precision at k. */
  map: number;
  coverage: number;
  /** Mean self-information of the recommended movies, -log2(share of the training ratings), in bits. */
  novelty?: number;
  /** Mean pairwise Jaccard distance of the genre sets within a list (absent when the model has no genres). */
  diversity?: number;
  users: number;
}

/**
 * The new-user protocol (`MyRecModel.evaluateNewUsers`, `movierec evaluate --new-users`) on the users of a file the
 * model never saw (`movierec split --by users`): for each, a seeded half of their ratings is the input of `/predict`,
 * the other half the target; a target movie is liked when rated at least `likedRating` (4 of 5 stars: the scale's
 * top times 4/5). Stored in model.json as `newUserEvaluation`.
 */
export interface NewUserEvaluationResult {
  dataset: DatasetInfo;
  k: number;
  seed: number;
  givenFraction: number;
  likedRating: number;
  /** The product's lists (ordered by estimate). */
  model: RankingMetrics;
  /** The same lists ordered by the ranking score (same precision and recall; NDCG and MAP differ). */
  modelByScore: RankingMetrics;
  popularity: RankingMetrics;
  users: number;
  usersKnown: number;
  usersSkipped: number;
  usersNotPersonalised: number;
  evaluatedAt: string;
}

export interface EvaluationResult {
  dataset: DatasetInfo;
  model: { rating: RatingMetrics; ranking: RankingMetrics };
  biasOnly: { rating: RatingMetrics; ranking: RankingMetrics };
  popularity: { ranking: RankingMetrics };
  evaluatedAt: string;
}

export interface Recommendation {
  movieId: number;
  title: string;
  genres: string[];
  /** The rating model's estimate (similar: the cosine similarity). */
  rating: number;
  /** With `explain: true`: the rated movies that contributed most to choosing this one (at most 3), largest first.
   * Empty where the model cannot tell (the non-personalised list, a model without a ranking model). */
  because?: Because[];
  /** true for a cold movie (in the movies file, no training rating: placed by its genres and year alone), listed only
   * with `includeCold`; absent otherwise. */
  coldStart?: true;
}

/** One rated movie that contributed to choosing a listed movie. */
export interface Because {
  movieId: number;
  title: string;
  /** Its term of the listed movie's ranking score over that score; over all rated movies the shares sum to 1. */
  share: number;
}

/**
 * Which movies a list may hold (every filter optional; all given must pass). Applied before the top-M cut, so a list
 * is still M long when enough movies pass. Refusals are `InvalidInputError`s whose `field` names the filter
 * (`genres`, `excludeGenres[2]`, `yearMin`, ...): an unknown genre, `yearMin > yearMax`, years outside 1800..2200,
 * negative or fractional numbers, more than 1000 values in a list.
 */
export interface ListFilters {
  /** Movies with any of these genres (as the catalogue spells them, case-insensitive). */
  genres?: string[];
  /** Movies with none of these genres. */
  excludeGenres?: string[];
  /** Released in or after this year (from the title's "(1995)" or u.item's release date; no year: filtered out). */
  yearMin?: number;
  /** Released in or before this year. */
  yearMax?: number;
  /** Movies with at least this many training ratings. */
  minRatings?: number;
  /** Movie ids never listed (unknown ids are ignored). */
  exclude?: number[];
}

/**
 * The options of every list (`recommend`, `predict`, `recommendForUser`, `similar`), checked once by the core: a
 * refusal names the option (`filters`, `explain`, `order`, or the filter).
 * - `order`: 'estimate' (default, the seed's contract: by estimated rating, descending) or 'score' (by the ranking
 *   score that chose the movies: better NDCG/MAP; the estimates shown no longer decrease down the list). Which movies
 *   a list holds does not depend on it.
 * - `explain`: add `because` to every listed movie (new and known users).
 * - `includeCold`: let cold movies (in the movies file, no training rating) in (default false): one enters when the
 *   rating model alone would place it in the list's top M, taking one of the last places; each is marked `coldStart`.
 */
export interface ListOptions {
  filters?: ListFilters;
  explain?: boolean;
  order?: 'estimate' | 'score';
  includeCold?: boolean;
}

export interface PredictResult {
  items: Recommendation[];
  /** Input ids the model does not know; ignored. */
  unknownIds: number[];
  /** false when no known movie was given and the list is the non-personalised one. */
  personalised: boolean;
}

export interface MovieInfo {
  movieId: number;
  title: string;
  genres: string[];
  /** Ratings in the training data (0 for movies the model never saw). */
  ratingCount: number;
}

/** The engine that trained a model (model.json's `engine`): how it estimates and folds in (docs/interop.md). */
export type Engine = 'movierec' | 'spark' | 'implicit';

/** Where an imported model came from (model.json's `importedFrom`). */
export interface ImportedFrom {
  path: string;
  format: 'spark-als-model' | 'implicit-npz';
  engineVersion?: string;
  /** The engine's own parameters, as its files hold them (Spark: with those the import was told). */
  params: Record<string, unknown>;
  /** Ratings of `--ratings` whose user or movie the model has no factors for (left out). */
  ratingsLeftOut: number;
}

/** What `importSpark` / `importImplicit` did. */
export interface ImportResult {
  /** The model version the import was saved as (now the current one). */
  version: string;
  modelDir: string;
  engine: Engine;
  importedFrom: ImportedFrom;
  dataset: DatasetInfo;
  counts: ModelInfo['counts'];
  scale: RatingScale;
  /** Seconds to read, check and save the model. */
  seconds: number;
}

/** Where to read an import's ratings and titles from. */
export interface ImportOptions {
  /** The ratings the model was trained on (any MovieLens layout): stored to leave seen movies out of known users' lists. */
  ratings?: string;
  /** A movies file for titles (default: the one beside `ratings`). */
  movies?: string;
  skipInvalid?: boolean;
}

/** A Spark import's options: the ALS estimator's parameters, which Spark does not save with the model. */
export interface SparkImportOptions extends ImportOptions {
  regParam?: number;
  implicitPrefs?: boolean;
  alpha?: number;
  maxIter?: number;
  seed?: number;
}

/** The model versions of a data folder (`MyRecModel.versions`). */
export interface VersionList {
  /** The version the pointer names (what every service serves once it has followed it), or null. */
  current: string | null;
  /** The version this process serves, or null. */
  served: string | null;
  /** Newest first. */
  versions: (VersionSummary & {
    /** Running services (processes) whose lease says they serve this version. */
    servedBy: number;
  })[];
}

/** Contents of a model folder's model.json, as the service reports it. */
export interface ModelInfo {
  formatVersion: number;
  engine: Engine;
  importedFrom?: ImportedFrom;
  trainedAt: string;
  params: Record<string, unknown>;
  dataset: DatasetInfo;
  trainingSeconds: number;
  history: IterationStats[];
  scale: RatingScale;
  evaluation?: EvaluationResult;
  /** The stored rating events merged into the training data, when there were (`train --with-events`). */
  events?: EventsInfo;
  newUserEvaluation?: NewUserEvaluationResult;
  /** The ranking model trained beside the rating model (absent when the rating model chooses the lists). */
  ranking?: RankingModelInfo;
  /** Sizes of the saved model (model.json's counts; `ratings`: the training ratings). */
  counts: { users: number; movies: number; factors: number; ratings: number };
}

/** model.json's record of the ranking model: its parameters as trained (`regFactors`: the lambda used), its time and
 * its history (`trainRmse`: the confidence-weighted RMS error of the preference). */
export interface RankingModelInfo {
  params: Record<string, unknown>;
  trainingSeconds: number;
  history: IterationStats[];
}

/** Fold-in accuracy on users the model never saw (`MyRecModel.evaluateFoldIn`, `movierec evaluate --fold-in`). */
export interface FoldInEvaluationResult {
  dataset: DatasetInfo;
  /** On each user's target ratings; `unknownUser` counts ratings of skipped users. */
  rating: RatingMetrics;
  historyFraction: number;
  seed: number;
  /** Users in the file. */
  users: number;
  /** Users skipped because the model was trained on them. */
  usersKnown: number;
  /** Users skipped because they have fewer than two ratings. */
  usersTooFew: number;
  evaluatedAt: string;
}

/** One user of a ratings file, predicted as a new user (`MyRecModel.predictDataset`). */
export interface UserPrediction {
  user: number;
  result: PredictResult;
}
