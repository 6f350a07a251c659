// The SQLite rating store: one file in DATA_DIR, in WAL mode. Writes go to a worker thread that owns the write
// connection (writer.ts) and commits each group in one transaction (the migrations run here, at open); reads run here on a second connection (a
// user's entries are one indexed range: a fraction of a millisecond). Several processes may open the same file
// (replicas on one host's volume): WAL lets them read while one writes, and SQLite's lock orders their writes.
import { mkdirSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import { GroupCommit } from '../groupCommit.js';
import { COLUMNS, DEFAULT_CHUNK, committedAt } from '../rows.js';
import { StoreError, type RatingStore, type RatingWrite, type StoreCounts, type StoredRating } from '../types.js';
import { migrate, openDatabase } from './connection.js';
import type { CommitRequest, WriterData, WriterReply } from './writer.js';

/** The worker script beside this file (writer.js when built, writer.ts under tsx). */
const WRITER = join(__dirname, `writer${extname(__filename)}`);

export class SqliteRatingStore implements RatingStore {
  readonly kind = 'sqlite';
  private readonly commits: GroupCommit<RatingWrite, StoredRating>;
  private readonly waiting = new Map<number, { resolve: (time: number) => void; reject: (err: Error) => void }>();
  private nextId = 1;
  private failure: Error | null = null;
  private readonly statements: {
    forUser: StatementSync;
    page: StatementSync;
    counts: StatementSync;
    last: StatementSync;
    versions: StatementSync;
  };

  private constructor(
    readonly location: string,
    private readonly writer: Worker,
    private readonly reader: DatabaseSync,
  ) {
    this.commits = new GroupCommit((groups) => this.commitInWriter(groups));
    writer.on('message', (reply: WriterReply) => this.onReply(reply));
    writer.on('error', (err: Error) => this.fail(new StoreError(`the rating store's writer failed: ${err.message}`)));
    writer.on('exit', () => this.fail(new StoreError('the rating store is closed')));
    // The writer keeps the process alive only while a commit is outstanding (the CLI exits when its work is done).
    writer.unref();
    this.statements = {
      forUser: asArrays(reader.prepare(`SELECT ${COLUMNS} FROM ratings WHERE user_id = ? ORDER BY movie_id`)),
      page: asArrays(
        reader.prepare(`SELECT ${COLUMNS} FROM ratings WHERE (user_id, movie_id) > (?, ?) ORDER BY user_id, movie_id LIMIT ?`),
      ),
      counts: reader.prepare('SELECT count(rating) AS ratings, count(*) - count(rating) AS deletions FROM ratings'),
      last: reader.prepare('SELECT max(updated_at) AS last FROM ratings'),
      versions: reader.prepare('SELECT version FROM schema_migrations ORDER BY version'),
    };
  }

  /**
   * Opens (creating) `file`: applies the migrations here, then starts the writer and opens the read connection.
   * Synchronous: writes sent before the writer has opened the file wait in its message queue.
   */
  static open(file: string): SqliteRatingStore {
    try {
      mkdirSync(dirname(file), { recursive: true });
      const db = openDatabase(file, 'writer');
      try {
        migrate(db, file);
      } finally {
        db.close();
      }
      const reader = openDatabase(file, 'reader');
      return new SqliteRatingStore(file, new Worker(WRITER, { workerData: { file } satisfies WriterData }), reader);
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw new StoreError(`cannot open the rating store ${file}: ${(err as Error).message}`, { cause: err });
    }
  }

  write(writes: readonly RatingWrite[]): Promise<StoredRating[]> {
    if (this.failure) return Promise.reject(this.failure);
    return this.commits.submit(writes);
  }

  forUser(userId: number): Promise<StoredRating[]> {
    return this.read(() => (this.statements.forUser.all(userId) as unknown as ArrayRow[]).map(fromArrayRow));
  }

  async *entries(chunkSize = DEFAULT_CHUNK): AsyncGenerator<StoredRating[]> {
    let after: [number, number] = [-1, -1];
    for (;;) {
      const [user, movie] = after;
      const rows = await this.read(() => this.statements.page.all(user, movie, chunkSize) as unknown as ArrayRow[]);
      if (rows.length === 0) return;
      const chunk = rows.map(fromArrayRow);
      const last = chunk[chunk.length - 1];
      after = [last.userId, last.movieId];
      yield chunk;
    }
  }

  count(): Promise<StoreCounts> {
    return this.read(() => {
      const row = this.statements.counts.get() as { ratings: number; deletions: number };
      return { ratings: Number(row.ratings), deletions: Number(row.deletions) };
    });
  }

  lastEventTime(): Promise<number | null> {
    return this.read(() => {
      const row = this.statements.last.get() as { last: number | null };
      return row.last === null ? null : Number(row.last);
    });
  }

  schemaVersions(): Promise<number[]> {
    return this.read(() => this.statements.versions.all().map((r) => Number(r.version)));
  }

  async close(): Promise<void> {
    await this.commits.drain();
    if (!this.failure) {
      const exited = new Promise((ok) => this.writer.once('exit', ok));
      this.writer.ref();
      this.writer.postMessage('close');
      await exited;
    }
    if (this.reader.isOpen) this.reader.close();
  }

  private read<T>(query: () => T): Promise<T> {
    if (!this.reader.isOpen) return Promise.reject(new StoreError('the rating store is closed'));
    try {
      return Promise.resolve(query());
    } catch (err) {
      return Promise.reject(new StoreError(`reading the rating store failed: ${(err as Error).message}`, { cause: err }));
    }
  }

  private async commitInWriter(groups: (readonly RatingWrite[])[]): Promise<StoredRating[][]> {
    if (this.failure) throw this.failure;
    const id = this.nextId++;
    const time = await new Promise<number>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.writer.ref();
      this.writer.postMessage({ id, groups } satisfies CommitRequest);
    });
    return committedAt(groups, time);
  }

  private onReply(reply: WriterReply): void {
    if (reply.type === 'failed') this.fail(new StoreError(`the rating store's writer cannot open ${this.location}: ${reply.message}`));
    if (reply.type !== 'committed' && reply.type !== 'error') return;
    const waiter = this.waiting.get(reply.id);
    this.waiting.delete(reply.id);
    if (this.waiting.size === 0) this.writer.unref();
    if (reply.type === 'committed') waiter?.resolve(reply.time);
    else waiter?.reject(new StoreError(`writing to the rating store failed: ${reply.message}`));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const waiter of this.waiting.values()) waiter.reject(err);
    this.waiting.clear();
  }
}

/** A row of COLUMNS as an array: SQLite's integers and reals come back as numbers. */
type ArrayRow = [userId: number, movieId: number, rating: number | null, time: number];

/**
 * Rows as arrays rather than objects: several times faster for node:sqlite to build, and a person's entries are read
 * on every list request they make (docs/service.md, Live ratings, has the figures).
 */
function asArrays(statement: StatementSync): StatementSync {
  statement.setReturnArrays(true);
  return statement;
}

function fromArrayRow([userId, movieId, rating, time]: ArrayRow): StoredRating {
  return { userId, movieId, rating, time };
}
