// The PostgreSQL rating store (DATABASE_URL): for replicas on several hosts. Writes are group-committed: every group
// queued while a commit runs goes into the next one, a single INSERT ... ON CONFLICT statement (one transaction,
// made durable by the server: synchronous_commit on). Reads are one indexed query each, on a small pool.
import pg from 'pg';
import { GroupCommit } from '../groupCommit.js';
import { MIGRATIONS_TABLE, pendingMigrations } from '../migrations.js';
import { COLUMNS, DEFAULT_CHUNK, committedAt, toStoredRating, type RatingRow } from '../rows.js';
import { StoreError, type RatingStore, type RatingWrite, type StoreCounts, type StoredRating } from '../types.js';

/** Connections per process: one committing, the others reading. */
const POOL_SIZE = 4;
/** Any constant: the advisory lock that serialises migrations of replicas starting together. */
const MIGRATION_LOCK = 7_415_015;

/** `host:port/database` of a URL, without user or password (for logs). */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'DATABASE_URL (not a URL)';
  }
}

function storeError(what: string, err: unknown): StoreError {
  return new StoreError(`${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

export class PostgresRatingStore implements RatingStore {
  readonly kind = 'postgres';
  private readonly commits: GroupCommit<RatingWrite, StoredRating>;
  private closed = false;

  private constructor(
    readonly location: string,
    private readonly pool: pg.Pool,
  ) {
    this.commits = new GroupCommit((groups) => this.commit(groups));
  }

  static async open(url: string): Promise<PostgresRatingStore> {
    const location = describeUrl(url);
    const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, connectionTimeoutMillis: 10_000 });
    // An idle connection the server drops is reported here; the pool replaces it on the next query.
    pool.on('error', () => undefined);
    try {
      await migrate(pool, location);
    } catch (err) {
      await pool.end();
      throw err instanceof StoreError ? err : storeError(`cannot open the rating store ${location}`, err);
    }
    return new PostgresRatingStore(location, pool);
  }

  write(writes: readonly RatingWrite[]): Promise<StoredRating[]> {
    if (this.closed) return Promise.reject(new StoreError('the rating store is closed'));
    return this.commits.submit(writes);
  }

  async forUser(userId: number): Promise<StoredRating[]> {
    const rows = await this.query<RatingRow>(`SELECT ${COLUMNS} FROM ratings WHERE user_id = $1 ORDER BY movie_id`, [userId]);
    return rows.map(toStoredRating);
  }

  async *entries(chunkSize = DEFAULT_CHUNK): AsyncGenerator<StoredRating[]> {
    let after = [-1, -1];
    for (;;) {
      const rows = await this.query<RatingRow>(
        `SELECT ${COLUMNS} FROM ratings WHERE (user_id, movie_id) > ($1, $2) ORDER BY user_id, movie_id LIMIT $3`,
        [...after, chunkSize],
      );
      if (rows.length === 0) return;
      const chunk = rows.map(toStoredRating);
      const last = chunk[chunk.length - 1];
      after = [last.userId, last.movieId];
      yield chunk;
    }
  }

  async count(): Promise<StoreCounts> {
    const [row] = await this.query<{ ratings: string; deletions: string }>(
      'SELECT count(rating) AS ratings, count(*) - count(rating) AS deletions FROM ratings',
    );
    return { ratings: Number(row?.ratings ?? 0), deletions: Number(row?.deletions ?? 0) };
  }

  async lastEventTime(): Promise<number | null> {
    const [row] = await this.query<{ last: string | null }>('SELECT max(updated_at) AS last FROM ratings');
    return row?.last === null || row?.last === undefined ? null : Number(row.last);
  }

  async schemaVersions(): Promise<number[]> {
    const rows = await this.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    return rows.map((r) => Number(r.version));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.commits.drain();
    this.closed = true;
    await this.pool.end();
  }

  private async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    if (this.closed) throw new StoreError('the rating store is closed');
    try {
      return (await this.pool.query<R>(text, values)).rows;
    } catch (err) {
      throw storeError('reading the rating store failed', err);
    }
  }

  /** One statement for every group: the last write of a (user, movie) wins, as if they had run one by one. */
  private async commit(groups: (readonly RatingWrite[])[]): Promise<StoredRating[][]> {
    const last = new Map<string, RatingWrite>();
    for (const group of groups) for (const w of group) last.set(`${w.userId}:${w.movieId}`, w);
    const writes = [...last.values()];
    const time = Date.now();
    try {
      await this.pool.query(
        `INSERT INTO ratings (${COLUMNS})
         SELECT u, m, r, $4::bigint FROM unnest($1::bigint[], $2::bigint[], $3::real[]) AS w(u, m, r)
         ON CONFLICT (user_id, movie_id) DO UPDATE SET rating = excluded.rating, updated_at = excluded.updated_at`,
        [writes.map((w) => w.userId), writes.map((w) => w.movieId), writes.map((w) => w.rating), time],
      );
    } catch (err) {
      throw storeError('writing to the rating store failed', err);
    }
    return committedAt(groups, time);
  }
}

/** Applies the pending migrations in one transaction, under an advisory lock (replicas may start together). */
async function migrate(pool: pg.Pool, where: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(MIGRATIONS_TABLE.postgres);
    const applied = (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) =>
      Number(r.version),
    );
    for (const m of pendingMigrations(applied, where)) {
      for (const statement of m.postgres) await client.query(statement);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        Date.now(),
      ]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
