// The rating store of this process: PostgreSQL when DATABASE_URL is set, else SQLite in DATA_DIR. The service, the
// CLI (train --with-events, events export) and the tests open it here.
import { join } from 'node:path';
import { PostgresRatingStore } from './postgres/store.js';
import { SqliteRatingStore } from './sqlite/store.js';
import type { RatingStore } from './types.js';

export * from './types.js';
export { readEvents } from './rows.js';

/** The SQLite file inside DATA_DIR. */
export const SQLITE_FILE = 'ratings.sqlite';

export interface StoreLocation {
  dataDir: string;
  /** postgres://... ; unset: SQLite in `dataDir`. */
  databaseUrl?: string;
}

export async function openRatingStore(where: StoreLocation): Promise<RatingStore> {
  return where.databaseUrl ? PostgresRatingStore.open(where.databaseUrl) : openSqliteStore(where.dataDir);
}

/** The SQLite store of `dataDir`, opened synchronously (the migrations run before this returns). */
export function openSqliteStore(dataDir: string): RatingStore {
  return SqliteRatingStore.open(join(dataDir, SQLITE_FILE));
}
