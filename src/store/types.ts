// The rating store: the ratings people give through the API, kept in a database (SQLite in DATA_DIR, or PostgreSQL
// when DATABASE_URL is set), one current entry per (user, movie). A later write replaces the entry; a deletion is an
// entry too (a tombstone, rating null), because it must also hide the training data's rating of that movie. See
// docs/service.md (Live ratings) for the semantics and RELIABILITY.md for durability.

/** One entry of the store: the user's latest word on a movie. */
export interface StoredRating {
  userId: number;
  movieId: number;
  /** The rating, or null for a deletion (a tombstone: it hides the training data's rating of the movie too). */
  rating: number | null;
  /** When the write was committed, in ms since the Unix epoch (the writing process's clock). */
  time: number;
}

/** A write: a rating, or null to delete. */
export interface RatingWrite {
  userId: number;
  movieId: number;
  rating: number | null;
}

export interface StoreCounts {
  /** Entries holding a rating. */
  ratings: number;
  /** Entries holding a deletion. */
  deletions: number;
}

export type StoreKind = 'sqlite' | 'postgres';

/**
 * The one interface both back ends implement; the same tests run against both (test/store/). Every write resolves
 * once it is committed durably (a `kill -9` right after loses nothing); concurrent writes are committed together
 * (group commit), each answered after the commit that holds it.
 */
export interface RatingStore {
  readonly kind: StoreKind;
  /** Where the data is, for logs and /api/info (a file path, or host:port/database without credentials). */
  readonly location: string;
  /** Writes all of `writes` in one transaction (all or none); later entries of the same (user, movie) win. */
  write(writes: readonly RatingWrite[]): Promise<StoredRating[]>;
  /** A user's entries (ratings and deletions), by movie id. */
  forUser(userId: number): Promise<StoredRating[]>;
  /** Every entry, by (user, movie), `chunkSize` at a time (keyset pages: a concurrent write never repeats a row). */
  entries(chunkSize?: number): AsyncGenerator<StoredRating[]>;
  count(): Promise<StoreCounts>;
  /** The latest entry's time (ms since the epoch), null when empty. */
  lastEventTime(): Promise<number | null>;
  /** The schema versions applied (migrations), ascending. */
  schemaVersions(): Promise<number[]>;
  /** Waits for queued writes, then closes the connections. */
  close(): Promise<void>;
}

/** A failure of the database itself (unreachable, disk full, a schema newer than this build): never bad input. */
export class StoreError extends Error {
  readonly code = 'STORE_ERROR';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}
