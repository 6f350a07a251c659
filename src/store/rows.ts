// What both back ends share around their SQL: a committed group's results, database rows to entries, and the
// statements' text that does not differ between the two dialects.
import type { RatingEvents } from '../model/types.js';
import type { RatingWrite, StoredRating } from './types.js';

/** The entries a commit at `time` made of each group's writes. */
export function committedAt(groups: readonly (readonly RatingWrite[])[], time: number): StoredRating[][] {
  return groups.map((group) => group.map((w) => ({ userId: w.userId, movieId: w.movieId, rating: w.rating, time })));
}

/** A row of `ratings` (PostgreSQL gives bigint as a string). */
export interface RatingRow {
  user_id: number | string | bigint;
  movie_id: number | string | bigint;
  rating: number | null;
  updated_at: number | string | bigint;
}

export function toStoredRating(row: RatingRow): StoredRating {
  return {
    userId: Number(row.user_id),
    movieId: Number(row.movie_id),
    rating: row.rating === null ? null : Number(row.rating),
    time: Number(row.updated_at),
  };
}

export const COLUMNS = 'user_id, movie_id, rating, updated_at';

/** Entries per page of `entries()` unless told. */
export const DEFAULT_CHUNK = 10_000;

/** Every entry of a store as typed arrays (deletions as NaN), for training (`MyRecModel.train`'s `events`). */
export async function readEvents(entries: AsyncGenerator<StoredRating[]>): Promise<RatingEvents> {
  const users: number[] = [];
  const movies: number[] = [];
  const ratings: number[] = [];
  let lastEventTime: number | null = null;
  for await (const chunk of entries) {
    for (const e of chunk) {
      users.push(e.userId);
      movies.push(e.movieId);
      ratings.push(e.rating ?? Number.NaN);
      if (lastEventTime === null || e.time > lastEventTime) lastEventTime = e.time;
    }
  }
  return {
    users: Uint32Array.from(users),
    movies: Uint32Array.from(movies),
    ratings: Float32Array.from(ratings),
    lastEventTime,
  };
}
