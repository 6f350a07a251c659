// Title search over a model's catalogue: accent- and case-insensitive, ranked by match quality then popularity.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { Catalogue, normalise } from '../../src/model/catalogue';

const movies = [
  { id: 1, title: 'Toy Story (1995)', genres: ['Animation'], count: 215 },
  { id: 2, title: 'Toy Story 2 (1999)', genres: ['Animation'], count: 97 },
  { id: 3, title: 'Matrix, The (1999)', genres: ['Sci-Fi'], count: 278 },
  { id: 4, title: 'Amélie (Fabuleux destin d\'Amélie Poulain, Le) (2001)', genres: ['Comedy'], count: 120 },
  { id: 5, title: 'Story of Us, The (1999)', genres: ['Drama'], count: 8 },
  { id: 6, title: 'History of the World: Part I (1981)', genres: ['Comedy'], count: 40 },
  { id: 7, title: 'Animatrix, The (2003)', genres: ['Animation'], count: 30 },
  { id: 8, title: 'Fantasia (1940)', genres: [], count: 0 },
];

/** The addon's flat genre columns from one list per movie. */
function packGenres(perMovie: string[][]) {
  const genreNames = [...new Set(perMovie.flat())];
  const genreIds = perMovie.flatMap((gs) => gs.map((g) => genreNames.indexOf(g)));
  const genreOffsets = [0];
  for (const gs of perMovie) genreOffsets.push(genreOffsets[genreOffsets.length - 1] + gs.length);
  return { genreNames, genreIds: Uint32Array.from(genreIds), genreOffsets: Uint32Array.from(genreOffsets) };
}

const catalogue = new Catalogue({
  movieIds: Uint32Array.from(movies.map((m) => m.id)),
  titles: movies.map((m) => m.title),
  ...packGenres(movies.map((m) => m.genres)),
  ratingCounts: Uint32Array.from(movies.map((m) => m.count)),
});

const ids = (q: string, limit = 10) => catalogue.search(q, limit).map((m) => m.movieId);

describe('Catalogue', () => {
  test('normalise strips accents and case', () => {
    assert.equal(normalise('Amélie ÇA Ñandú'), 'amelie ca nandu');
  });

  test('accent- and case-insensitive matching', () => {
    assert.deepEqual(ids('AMELIE'), [4]);
    assert.deepEqual(ids('amélie poulain'), [4]);
  });

  test('every query word must occur', () => {
    assert.deepEqual(ids('toy 2'), [2]);
    assert.deepEqual(ids('toy zebra'), []);
  });

  test('a whole-title match (article moved back) ranks first', () => {
    assert.deepEqual(ids('the matrix'), [3, 7]);
    assert.equal(ids('matrix')[0], 3, 'prefix match before the substring match in "Animatrix"');
    assert.deepEqual(ids('matrix'), [3, 7]);
  });

  test('prefix matches rank before word matches, then by popularity', () => {
    // "Story of Us" starts with "story"; the Toy Story titles have it as a word; "History" only as a substring.
    assert.deepEqual(ids('story'), [5, 1, 2, 6]);
  });

  test('limit, empty queries, look-ups', () => {
    assert.deepEqual(ids('story', 2), [5, 1]);
    assert.deepEqual(ids('   '), []);
    assert.deepEqual(ids('!!'), []);
    assert.deepEqual(catalogue.movie(8), { movieId: 8, title: 'Fantasia (1940)', genres: [], ratingCount: 0 });
    assert.equal(catalogue.movie(99), null);
    assert.equal(catalogue.title(99), 'movie 99');
    assert.equal(catalogue.size, 8);
  });
});
