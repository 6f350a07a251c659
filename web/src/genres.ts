// The genres the filters offer: every genre of every movie the page has been given (lists, search results, similar
// movies, rated movies), so the choice follows the model's catalogue instead of a list written into the page.

import { type Movie, recommend } from './api';

/**
 * How many of the well-liked movies are asked for once, when the service is ready, to offer most genres before the
 * visitor has seen a movie of each (the rarest ones join as movies of theirs are shown).
 */
export const GENRE_SAMPLE = 300;

export class GenreCatalogue {
  private readonly seen = new Set<string>();
  private readonly listeners: (() => void)[] = [];

  /** Adds the genres of `movies`; listeners hear of it only when a genre is new. */
  add(movies: readonly Pick<Movie, 'genres'>[]): void {
    const before = this.seen.size;
    for (const movie of movies) for (const genre of movie.genres) this.seen.add(genre);
    if (this.seen.size !== before) for (const listener of this.listeners) listener();
  }

  /** Alphabetical. */
  all(): string[] {
    return [...this.seen].sort((a, b) => a.localeCompare(b, 'en'));
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }
}

/** Fills `catalogue` from the non-personalised list of GENRE_SAMPLE movies. */
export async function sampleGenres(catalogue: GenreCatalogue): Promise<void> {
  catalogue.add((await recommend([], { count: GENRE_SAMPLE })).items);
}
