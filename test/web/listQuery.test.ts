// The page's list query string (web/src/api.ts listQueryString) and "because" line (web/src/because.ts): the
// parameters it writes are the service's own (read back through the service's schema), empty values are left out,
// and values are sent as given so the service, not the page, says what is wrong with them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { listOptionsQuery } from '../../src/server/routes/listOptions.js';
import type { ListFilters as ModelListFilters } from '../../src/model/types.js';
import { type ListFilters, listQueryString } from '../../web/src/api.js';
import { BECAUSE_SHOWN, becauseText } from '../../web/src/because.js';

/** The query string as the service reads it (M apart: it belongs to each route). */
function asServiceReadsIt(query: string) {
  const params = new URLSearchParams(query);
  const entries = [...params.keys()].filter((k) => k !== 'M');
  for (const key of entries) assert.ok(key in listOptionsQuery.shape, `${key} is a list parameter of the service`);
  return listOptionsQuery.parse(Object.fromEntries(entries.map((k) => [k, params.get(k)!])));
}

describe('listQueryString', () => {
  test('only M when nothing is filtered, explained or reordered', () => {
    assert.equal(listQueryString({ count: 20 }), 'M=20');
    const empty = listQueryString({
      count: 10,
      filters: { genres: [], excludeGenres: [], exclude: [], yearMin: undefined },
      explain: false,
      order: 'estimate',
    });
    assert.equal(empty, 'M=10');
  });

  test('every filter and option, read back by the service schema as the page meant it', () => {
    const filters: ListFilters = {
      genres: ['Animation', 'Sci-Fi', '(no genres listed)'],
      excludeGenres: ['Film-Noir'],
      yearMin: 1990,
      yearMax: 2005,
      minRatings: 0,
      exclude: [1, 2355],
    };
    const query = listQueryString({ count: 50, filters, explain: true, order: 'score' });
    assert.equal(new URLSearchParams(query).get('M'), '50');
    // includeCold: not a page control; the service's default.
    assert.deepEqual(asServiceReadsIt(query), { ...filters, includeCold: false, explain: true, order: 'score' });
  });

  test("the page's filters are the model's (one shape, checked when the tests are type-checked)", () => {
    // The usual exact type equality (mutual assignability would let an extra optional field through).
    type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
    const sameShape: Same<ListFilters, ModelListFilters> = true;
    assert.equal(sameShape, true);
  });

  test('values are sent as given: an empty year range is for the service to refuse', () => {
    const params = new URLSearchParams(listQueryString({ count: 5, filters: { yearMin: 2000, yearMax: 1990.5 } }));
    assert.equal(params.get('yearMin'), '2000');
    assert.equal(params.get('yearMax'), '1990.5');
  });
});

describe('becauseText', () => {
  const because = [
    { movieId: 1, title: 'Toy Story (1995)', share: 0.6249 },
    { movieId: 588, title: 'Aladdin (1992)', share: 0.205 },
    { movieId: 364, title: 'Lion King, The (1994)', share: 0.1 },
    { movieId: 595, title: 'Beauty and the Beast (1991)', share: 0.0701 },
  ];

  test('at most BECAUSE_SHOWN rated movies, in the order given, years left out, shares as whole percentages', () => {
    assert.equal(BECAUSE_SHOWN, 3);
    assert.equal(
      becauseText(because),
      'Because you rated Toy Story (62%), Aladdin (21%), Lion King, The (10%)',
    );
    assert.equal(becauseText(because.slice(0, 1)), 'Because you rated Toy Story (62%)');
    assert.equal(becauseText([{ movieId: 9, title: '1984 (1956)', share: 1 }]), 'Because you rated 1984 (100%)');
    assert.equal(becauseText([{ movieId: 9, title: 'Untitled', share: 0.5 }]), 'Because you rated Untitled (50%)');
  });

  test('nothing for an empty explanation (the non-personalised list)', () => {
    assert.equal(becauseText([]), '');
  });
});
