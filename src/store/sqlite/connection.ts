// Opening the SQLite file: the settings both connections share, and the migrations (run by the writer only).
import { DatabaseSync } from 'node:sqlite';
import { MIGRATIONS_TABLE, pendingMigrations } from '../migrations.js';

/** How long a connection waits for another one's lock (another process on the same file) before failing. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * The WAL's sync level. FULL: every commit fsyncs the write-ahead log, so a committed write survives a power loss
 * as well as a killed process (NORMAL would survive only the latter); with group commit one fsync serves a whole
 * group, so it costs little (docs/service.md, Live ratings, has the measurements).
 */
export const SYNCHRONOUS = 'FULL';

export function openDatabase(file: string, role: 'writer' | 'reader'): DatabaseSync {
  const db = new DatabaseSync(file, { timeout: BUSY_TIMEOUT_MS });
  if (role === 'writer') {
    // WAL is a property of the file (it stays once set): readers in this and other processes never wait for a
    // writer, and the writer never waits for readers.
    db.exec('PRAGMA journal_mode = WAL');
    db.exec(`PRAGMA synchronous = ${SYNCHRONOUS}`);
  }
  return db;
}

/** Applies the pending migrations in one immediate transaction (a second process starting waits for the first). */
export function migrate(db: DatabaseSync, where: string): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec(MIGRATIONS_TABLE.sqlite);
    const applied = db.prepare('SELECT version FROM schema_migrations').all().map((r) => Number(r.version));
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const m of pendingMigrations(applied, where)) {
      for (const statement of m.sqlite) db.exec(statement);
      record.run(m.version, m.name, Date.now());
    }
    db.exec('COMMIT');
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}
