// The query parameters every list takes (POST /predict, GET /api/users/:id/recommendations, GET /api/similar/:id):
// filters applied before the top-M cut, `includeCold`, `explain` and `order`. The schema reads their shape (lists, integers,
// booleans); the core checks what needs the model (an unknown genre, an empty year range) and names the parameter.
import { z } from 'zod';

import { MAX_FILTER_VALUES, MAX_ID, MAX_YEAR, MIN_YEAR } from '../../model/limits.js';
import type { ListFilters, ListOptions } from '../../model/types.js';
import { intParam } from './common.js';

/** A list given comma-separated (`genres=Comedy,Drama`), repeated (`genres=Comedy&genres=Drama`) or both. */
function listParam<T extends z.ZodType<unknown, unknown>>(element: T, what: string) {
  return z
    .union([z.string(), z.array(z.string())])
    .transform((value) =>
      (Array.isArray(value) ? value : [value])
        .flatMap((part) => part.split(','))
        .map((part) => part.trim())
        .filter((part) => part !== ''),
    )
    .pipe(
      z
        .array(element as z.ZodType<z.output<T>, string>)
        .max(MAX_FILTER_VALUES, { error: `must hold at most ${MAX_FILTER_VALUES} ${what}` }),
    );
}

const genreList = listParam(z.string(), 'genre names');
const idList = listParam(intParam(0, MAX_ID), 'movie ids');

const flag = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');

const filterParams = {
  genres: genreList
    .optional()
    .describe('Only movies with any of these genres (comma-separated or repeated; case-insensitive; an unknown genre is a 400)'),
  excludeGenres: genreList.optional().describe('No movie with any of these genres'),
  yearMin: intParam(MIN_YEAR, MAX_YEAR).optional().describe('Released in or after this year (movies without a year are left out)'),
  yearMax: intParam(MIN_YEAR, MAX_YEAR).optional().describe('Released in or before this year; yearMin > yearMax is a 400'),
  minRatings: intParam(0, MAX_ID).optional().describe('Only movies with at least this many ratings in the training data'),
  exclude: idList.optional().describe('Movie ids never listed (comma-separated or repeated; unknown ids are ignored)'),
};

/** The filters and `includeCold` (the similar-movies list, which has no user to explain or order for). */
export const listFiltersQuery = z.object({
  ...filterParams,
  includeCold: flag
    .default(false)
    .describe(
      'true: cold movies (in the movies file, no training rating) may enter, each where the rating model alone would ' +
        'place it in the top M, marked coldStart',
    ),
});

export const listOptionsQuery = listFiltersQuery.extend({
  explain: flag
    .default(false)
    .describe('true: each recommendation says which of the rated movies contributed most to choosing it (`because`)'),
  order: z
    .enum(['estimate', 'score'], { error: 'must be "estimate" or "score"' })
    .default('estimate')
    .describe('estimate (default): by estimated rating; score: by the ranking score that chose the movies'),
});

/** The list options of a parsed query, as `MyRecModel` takes them (filters not given are left out). */
export function listOptionsOf(
  query: z.output<typeof listFiltersQuery> & Partial<Pick<z.output<typeof listOptionsQuery>, 'explain' | 'order'>>,
): ListOptions {
  const filters: ListFilters = {};
  for (const name of Object.keys(filterParams) as (keyof ListFilters)[]) {
    if (query[name] !== undefined) Object.assign(filters, { [name]: query[name] });
  }
  return { filters, explain: query.explain ?? false, order: query.order ?? 'estimate', includeCold: query.includeCold };
}
