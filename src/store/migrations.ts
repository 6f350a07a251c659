// Versioned schema migrations of the rating store, one list for both back ends. Each runs once, in order, at start
// (inside one transaction that also records it in `schema_migrations`); a store whose schema is newer than this
// build knows is refused rather than written to. Append new versions; never edit an applied one.
import { StoreError } from './types.js';

export interface Migration {
  version: number;
  name: string;
  sqlite: readonly string[];
  postgres: readonly string[];
}

/** The table that records applied versions (created before any migration runs). */
export const MIGRATIONS_TABLE = {
  sqlite: 'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  postgres:
    'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)',
} as const;

// Ids are unsigned 32-bit in the core: PostgreSQL's integer is signed, so bigint. Times are ms since the epoch.
// A NULL rating is a deletion (tombstone). updated_at is indexed for the latest event time.
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'ratings: one entry per (user, movie), NULL rating = deletion',
    sqlite: [
      `CREATE TABLE ratings (
         user_id INTEGER NOT NULL CHECK (user_id BETWEEN 0 AND 4294967295),
         movie_id INTEGER NOT NULL CHECK (movie_id BETWEEN 0 AND 4294967295),
         rating REAL,
         updated_at INTEGER NOT NULL,
         PRIMARY KEY (user_id, movie_id)
       ) WITHOUT ROWID`,
      'CREATE INDEX ratings_updated_at ON ratings (updated_at)',
    ],
    postgres: [
      `CREATE TABLE ratings (
         user_id bigint NOT NULL CHECK (user_id BETWEEN 0 AND 4294967295),
         movie_id bigint NOT NULL CHECK (movie_id BETWEEN 0 AND 4294967295),
         rating real,
         updated_at bigint NOT NULL,
         PRIMARY KEY (user_id, movie_id)
       )`,
      'CREATE INDEX ratings_updated_at ON ratings (updated_at)',
    ],
  },
];

/** The migrations still to apply, given the versions applied; refuses a store newer than this build. */
export function pendingMigrations(applied: readonly number[], where: string): Migration[] {
  const known = MIGRATIONS.at(-1)?.version ?? 0;
  const newest = Math.max(0, ...applied);
  if (newest > known) {
    throw new StoreError(
      `the rating store ${where} has schema version ${newest}, newer than this build knows (${known}): run a newer movierec`,
    );
  }
  const done = new Set(applied);
  return MIGRATIONS.filter((m) => !done.has(m.version));
}
