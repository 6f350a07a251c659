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
  /** Called after every ALS iteration or Gibbs sweep (on the JS thread, from the native task), with the number of
   * steps the training takes. */
  onIteration?: (stats: IterationStats, totalSteps: number) => void;
};

export interface IterationStats {
  /** ALS iteration or Gibbs sweep, 1-based. */
  iteration: number;
  trainRmse: number;
  /** RMSE on the ratings held out for validation; absent without a holdout. */
  validationRmse?: number;
  elapsedSeconds: number;
}

export interface RatingScale {
  min: number;
  max: number;
  step: number;
}

export interface DatasetInfo {
  path: string;
  layout: 'double-colon' | 'tab' | 'csv-header';
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
  users: number;
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
  rating: number;
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
  trainedAt: string;
  params: Record<string, unknown>;
  dataset: DatasetInfo;
  trainingSeconds: number;
  history: IterationStats[];
  scale: RatingScale;
  evaluation?: EvaluationResult;
  /** Sizes of the saved model (model.json's counts; `ratings`: the training ratings). */
  counts: { users: number; movies: number; factors: number; ratings: number };
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
