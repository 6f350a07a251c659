// The visitor's ratings: kept in localStorage so they survive a reload, and encoded in a URL fragment
// (`#r=1:4,50:3.5`) so they can be shared. Titles are kept beside the ids only to show them without a request.

import type { Movie, Scale } from './api';

export interface RatedMovie extends Movie {
  rating: number;
}

const STORAGE_KEY = 'movierec.ratings.v1';
export const SHARE_PREFIX = 'r=';

type Listener = (ratings: RatedMovie[]) => void;

/** A change of one rating (null: removed), for a named visitor's copy on the service. */
export interface RatingWrite {
  movieId: number;
  rating: number | null;
}
type WriteListener = (writes: RatingWrite[]) => void;

export class RatingStore {
  private ratings = new Map<number, RatedMovie>();
  private listeners: Listener[] = [];
  private writeListeners: WriteListener[] = [];

  constructor(private readonly storage: Storage | null = safeLocalStorage()) {
    this.ratings = new Map(readStored(this.storage).map((r) => [r.movieId, r]));
  }

  /** In the order they were first rated. */
  all(): RatedMovie[] {
    return [...this.ratings.values()];
  }

  get(movieId: number): RatedMovie | undefined {
    return this.ratings.get(movieId);
  }

  get size(): number {
    return this.ratings.size;
  }

  set(movie: Movie, rating: number): void {
    const previous = this.ratings.get(movie.movieId);
    // Keep the first-rated order: a changed rating stays where it was.
    this.ratings.set(movie.movieId, { ...previous, ...movie, title: movie.title || previous?.title || '', rating });
    this.changed([{ movieId: movie.movieId, rating }]);
  }

  remove(movieId: number): void {
    if (this.ratings.delete(movieId)) this.changed([{ movieId, rating: null }]);
  }

  replaceAll(ratings: RatedMovie[]): void {
    const next = new Map(ratings.map((r) => [r.movieId, r]));
    const writes: RatingWrite[] = [
      ...[...this.ratings.keys()].filter((id) => !next.has(id)).map((movieId) => ({ movieId, rating: null })),
      ...ratings.filter((r) => this.ratings.get(r.movieId)?.rating !== r.rating).map(({ movieId, rating }) => ({ movieId, rating })),
    ];
    this.ratings = next;
    this.changed(writes);
  }

  /** The ratings as the service holds them (a named visitor's): a change of the view, not a write. */
  load(ratings: RatedMovie[]): void {
    this.ratings = new Map(ratings.map((r) => [r.movieId, r]));
    this.changed([]);
  }

  /** Fills in titles and genres learned later (shared links carry ids only) without notifying a change of ratings. */
  describe(movie: Movie): void {
    const rated = this.ratings.get(movie.movieId);
    if (!rated) return;
    this.ratings.set(movie.movieId, { ...rated, title: movie.title, genres: movie.genres });
    this.save();
    for (const listener of this.listeners) listener(this.all());
  }

  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** Called with each change of ratings (before the change listeners, so a list fetched after sees them). */
  onWrite(listener: WriteListener): void {
    this.writeListeners.push(listener);
  }

  private changed(writes: RatingWrite[]): void {
    if (writes.length) for (const listener of this.writeListeners) listener(writes);
    this.save();
    for (const listener of this.listeners) listener(this.all());
  }

  private save(): void {
    try {
      this.storage?.setItem(STORAGE_KEY, JSON.stringify({ version: 1, ratings: this.all() }));
    } catch {
      // Storage full or disabled (private mode): the ratings still work for this visit.
    }
  }
}

export function safeLocalStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function readStored(storage: Storage | null): RatedMovie[] {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(STORAGE_KEY) ?? 'null');
    const list = (parsed as { ratings?: unknown } | null)?.ratings;
    if (!Array.isArray(list)) return [];
    return list.filter(isRatedMovie);
  } catch {
    return [];
  }
}

function isRatedMovie(value: unknown): value is RatedMovie {
  const r = value as RatedMovie;
  return (
    typeof r === 'object' &&
    r !== null &&
    Number.isInteger(r.movieId) &&
    r.movieId >= 0 &&
    Number.isFinite(r.rating) &&
    typeof r.title === 'string' &&
    Array.isArray(r.genres)
  );
}

/** `r=1:4,50:3.5` */
export function encodeShare(ratings: { movieId: number; rating: number }[]): string {
  return SHARE_PREFIX + ratings.map((r) => `${r.movieId}:${r.rating}`).join(',');
}

export interface DecodedShare {
  ratings: { movieId: number; rating: number }[];
  /** Entries that were not `id:rating` with a whole id and a rating on the scale. */
  rejected: string[];
}

/** Reads `r=...` (without the `#`); ratings off the scale are snapped onto it, later duplicates win. */
export function decodeShare(fragment: string, scale: Scale): DecodedShare {
  const body = fragment.startsWith(SHARE_PREFIX) ? fragment.slice(SHARE_PREFIX.length) : fragment;
  const byId = new Map<number, number>();
  const rejected: string[] = [];
  for (const entry of decodeURIComponent(body).split(',')) {
    if (!entry.trim()) continue;
    const match = /^\s*(\d{1,10}):(-?\d+(?:\.\d+)?)\s*$/.exec(entry);
    const movieId = match ? Number(match[1]) : Number.NaN;
    const rating = match ? Number(match[2]) : Number.NaN;
    if (!Number.isSafeInteger(movieId) || !Number.isFinite(rating) || rating < scale.min - scale.step) {
      rejected.push(entry);
      continue;
    }
    byId.set(movieId, snapToScale(rating, scale));
  }
  return { ratings: [...byId].map(([movieId, rating]) => ({ movieId, rating })), rejected };
}

export function snapToScale(value: number, scale: Scale): number {
  const steps = Math.round((value - scale.min) / scale.step);
  const snapped = scale.min + steps * scale.step;
  return Math.min(scale.max, Math.max(scale.min, Number(snapped.toFixed(4))));
}
