// The SQLite writer: a worker thread that owns the write connection. It opens the file (already migrated by
// store.ts), then commits each batch it is sent in one transaction, so the fsync of a commit never blocks the
// service's event loop.
// Messages: {id, groups} in; {id, time} (the commit time, ms since the epoch) or {id, error} out.
import { parentPort, workerData } from 'node:worker_threads';
import type { RatingWrite } from '../types.js';
import { openDatabase } from './connection.js';

export interface WriterData {
  file: string;
}
export interface CommitRequest {
  id: number;
  groups: (readonly RatingWrite[])[];
}
export type WriterReply =
  | { type: 'failed'; message: string }
  | { type: 'committed'; id: number; time: number }
  | { type: 'error'; id: number; message: string };

const port = parentPort;
if (!port) throw new Error('writer.ts runs as a worker thread');
const { file } = workerData as WriterData;
const reply = (message: WriterReply) => port.postMessage(message);

function start() {
  try {
    return openDatabase(file, 'writer');
  } catch (err) {
    reply({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    return null;
  }
}

const db = start();
if (db) {
  // Ready is implied: the first request is answered once the connection exists.
  const upsert = db.prepare(
    'INSERT INTO ratings (user_id, movie_id, rating, updated_at) VALUES (?, ?, ?, ?) ' +
      'ON CONFLICT (user_id, movie_id) DO UPDATE SET rating = excluded.rating, updated_at = excluded.updated_at',
  );
  port.on('message', (message: CommitRequest | 'close') => {
    if (message === 'close') {
      db.close();
      port.close();
      return;
    }
    const time = Date.now();
    try {
      db.exec('BEGIN IMMEDIATE');
      for (const group of message.groups) {
        for (const w of group) upsert.run(w.userId, w.movieId, w.rating, time);
      }
      db.exec('COMMIT');
      reply({ type: 'committed', id: message.id, time });
    } catch (err) {
      if (db.isTransaction) db.exec('ROLLBACK');
      reply({ type: 'error', id: message.id, message: err instanceof Error ? err.message : String(err) });
    }
  });
}
