// What the HTTP layer needs from the outside world, as interfaces, so createApp can be built in-process by tests
// (with a real model in a temporary data folder) and by main.ts (with the configured one).
import type {
  ListOptions,
  ModelInfo,
  MovieInfo,
  PredictResult,
  RatingScale,
  RatingsPair,
  Recommendation,
  VersionList,
} from '../model/types.js';
import type { RatingStore, StoredRating } from '../store/index.js';

/** The part of MyRecModel (src/model) the service calls; MyRecModel satisfies it structurally. */
export interface RecModel {
  recommend(input: RatingsPair, M?: number, options?: ListOptions): Promise<PredictResult>;
  warmup(): Promise<ModelInfo>;
  reload(): Promise<ModelInfo>;
  isReady(): boolean;
  info(): ModelInfo | null;
  ratingScale(): RatingScale | null;
  searchMovies(q: string, limit?: number): MovieInfo[];
  movie(id: number): MovieInfo | null;
  similar(id: number, M?: number, options?: ListOptions): Recommendation[] | null;
  recommendForUser(userId: number, M?: number, options?: ListOptions): PredictResult | null;
  /** A list folded in from the user's training ratings with the ratings stored since applied (src/store). */
  recommendForUserWith(
    userId: number,
    given: readonly StoredRating[],
    M?: number,
    options?: ListOptions,
  ): Promise<PredictResult>;
  /** The user's training ratings with the stored ones applied, by movie id. */
  ratingsOf(userId: number, given: readonly StoredRating[]): { movieId: number; rating: number }[];
  /** Loads `version`, makes it the current one (the pointer every replica follows) and serves it. */
  promote(version: string): Promise<ModelInfo>;
  versions(): Promise<VersionList>;
  /** The version served here, or null. */
  servedVersion(): string | null;
  /** The folder of the version served (charts are read from it), or null. */
  servedDir(): string | null;
}

/** Service settings createApp reads (a subset of src/config.ts, so tests can pass a literal). */
export interface ServiceSettings {
  authorName: string;
  authorContact: string;
  /** Largest accepted request body in bytes. */
  bodyLimitBytes: number;
  /** Requests per second per client address; 0 = off. */
  rateLimitPerSecond: number;
  /** The log file /api/log reads. */
  logFile: string;
  /** Build-info JSON written at image build time. */
  buildInfoPath: string;
}

/** Facts about the running build, computed once at start (see buildInfo.ts). */
export interface BuildFacts {
  version: string;
  commit: string;
  /** ISO date-time of the image build, or null when not running from an image. */
  imageBuiltAt: string | null;
}

/** Everything a route handler may use; built once by createApp. */
export interface RouteDeps {
  model: RecModel;
  store: RatingStore;
  lifecycle: import('./lifecycle.js').ModelLifecycle;
  metrics: import('./metrics.js').ServiceMetrics;
  logger: import('log4js').Logger;
  settings: ServiceSettings;
  build: BuildFacts;
  startedAt: Date;
}
