// The movie catalogue of a loaded model: id look-ups from load, title search from an index built in slices after
// load (normalising 59k titles takes ~100 ms, too long to block the event loop at a reload under traffic).
//
// Search is case- and accent-insensitive: titles are normalised once (NFD, combining marks stripped, lower case),
// queries the same way. A movie matches when every query word occurs in its title; matches rank by how well the
// title fits (whole title, then title prefix, then every word at a word start, then anywhere), then by popularity
// (training ratings), then by title.

import type { MovieInfo } from './types.js';

/** The addon's columns: movie `i`'s genres are `genreNames[genreIds[k]]` for `k` in `genreOffsets[i]..[i + 1]`. */
export interface CatalogueArrays {
  movieIds: Uint32Array;
  titles: string[];
  genreNames: string[];
  genreOffsets: Uint32Array;
  genreIds: Uint32Array;
  ratingCounts: Uint32Array;
}

/** Lower case without accents: "Amélie" -> "amelie". */
export function normalise(text: string): string {
  return text.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

function words(normalised: string): string[] {
  return normalised.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
}

/** MovieLens titles end with the year, and English articles move to the end: "Matrix, The (1999)". */
function titleWithoutYear(normalised: string): string {
  return normalised.replace(/\s*\(\d{4}(?:[-–]\d{0,4})?\)\s*$/u, '').trim();
}

export class Catalogue {
  private readonly index = new Map<number, number>();
  /** The search index, per movie: normalised title, its words, and the title without the year. */
  private readonly norm: string[] = [];
  private readonly normWords: string[][] = [];
  private readonly bare: string[] = [];
  private indexedUpTo = 0;

  constructor(private readonly data: CatalogueArrays) {
    for (let i = 0; i < data.movieIds.length; i++) this.index.set(data.movieIds[i], i);
  }

  /**
   * Builds the search index in slices of `slice` titles, yielding to the event loop between them; a search before it
   * is done completes the index on the spot.
   */
  private genresAt(i: number): string[] {
    const { genreNames, genreOffsets, genreIds } = this.data;
    const out: string[] = [];
    for (let k = genreOffsets[i]; k < genreOffsets[i + 1]; k++) out.push(genreNames[genreIds[k]]);
    return out;
  }

  async prepareSearch(slice = 2000): Promise<void> {
    while (this.indexedUpTo < this.size) {
      this.indexTitles(slice);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private indexTitles(count: number): void {
    const end = Math.min(this.size, this.indexedUpTo + count);
    for (let i = this.indexedUpTo; i < end; i++) {
      const norm = normalise(this.data.titles[i]);
      this.norm.push(norm);
      this.normWords.push(words(norm));
      this.bare.push(titleWithoutYear(norm));
    }
    this.indexedUpTo = end;
  }

  get size(): number {
    return this.data.movieIds.length;
  }

  has(movieId: number): boolean {
    return this.index.has(movieId);
  }

  movie(movieId: number): MovieInfo | null {
    const i = this.index.get(movieId);
    return i === undefined ? null : this.at(i);
  }

  title(movieId: number): string {
    const i = this.index.get(movieId);
    return i === undefined ? untitled(movieId) : this.data.titles[i] || untitled(movieId);
  }

  genres(movieId: number): string[] {
    const i = this.index.get(movieId);
    return i === undefined ? [] : this.genresAt(i);
  }

  search(query: string, limit: number): MovieInfo[] {
    const q = normalise(query).trim();
    const qWords = words(q);
    if (qWords.length === 0 || limit <= 0) return [];
    this.indexTitles(this.size);
    const hits: Array<{ i: number; rank: number }> = [];
    for (let i = 0; i < this.norm.length; i++) {
      const title = this.norm[i];
      if (!qWords.every((w) => title.includes(w))) continue;
      hits.push({ i, rank: this.matchRank(i, q, qWords) });
    }
    const counts = this.data.ratingCounts;
    hits.sort(
      (a, b) =>
        a.rank - b.rank || counts[b.i] - counts[a.i] || this.data.titles[a.i].localeCompare(this.data.titles[b.i]),
    );
    return hits.slice(0, limit).map((h) => this.at(h.i));
  }

  /** 0 = the whole title, 1 = title prefix, 2 = every word starts a title word, 3 = substrings only. */
  private matchRank(i: number, q: string, qWords: string[]): number {
    const bare = this.bare[i];
    if (bare === q || rotateArticle(bare) === q) return 0;
    if (bare.startsWith(q) || rotateArticle(bare).startsWith(q)) return 1;
    const titleWords = this.normWords[i];
    if (qWords.every((w) => titleWords.some((t) => t.startsWith(w)))) return 2;
    return 3;
  }

  private at(i: number): MovieInfo {
    return {
      movieId: this.data.movieIds[i],
      title: this.data.titles[i] || untitled(this.data.movieIds[i]),
      genres: this.genresAt(i),
      ratingCount: this.data.ratingCounts[i],
    };
  }
}

/** "matrix, the" -> "the matrix" (so a query typed naturally ranks as a whole-title match). */
function rotateArticle(bare: string): string {
  const m = /^(.*), (the|a|an|la|le|les|l'|il|el|der|die|das)$/u.exec(bare);
  return m ? `${m[2]} ${m[1]}` : bare;
}

/** The name of a movie the movies file does not list (or when there was no movies file). */
function untitled(movieId: number): string {
  return `movie ${movieId}`;
}
