// The movie catalogue of a loaded model, indexed once at load for id look-ups and title search.
//
// Search is case- and accent-insensitive: titles are normalised once (NFD, combining marks stripped, lower case),
// queries the same way. A movie matches when every query word occurs in its title; matches rank by how well the
// title fits (whole title, then title prefix, then every word at a word start, then anywhere), then by popularity
// (training ratings), then by title.

import type { MovieInfo } from './types.js';

export interface CatalogueArrays {
  movieIds: Uint32Array;
  titles: string[];
  genres: string[][];
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
  private readonly norm: string[];
  private readonly normWords: string[][];
  private readonly bare: string[];

  constructor(private readonly data: CatalogueArrays) {
    for (let i = 0; i < data.movieIds.length; i++) this.index.set(data.movieIds[i], i);
    this.norm = data.titles.map(normalise);
    this.normWords = this.norm.map(words);
    this.bare = this.norm.map(titleWithoutYear);
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
    return i === undefined ? [] : this.data.genres[i];
  }

  search(query: string, limit: number): MovieInfo[] {
    const q = normalise(query).trim();
    const qWords = words(q);
    if (qWords.length === 0 || limit <= 0) return [];
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
      genres: this.data.genres[i],
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
