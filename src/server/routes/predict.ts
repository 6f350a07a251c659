// POST /predict: the seed's endpoint. Body `[[movieId, ...], [rating, ...]]` or `{"movies": [...], "ratings": [...],
// "M": 20}`; answers `[[title, ...], [estimatedRating, ...]]` sorted descending without the input movies, or objects
// with `?format=full`. Unknown input ids are ignored, reported in X-Unknown-Movie-Ids and logged.
import type { RouterContext } from '@koa/router';
import { z } from 'zod';
import type { RatingScale, RatingsPair } from '../../model/types.js';
import type { RouteDeps } from '../deps.js';
import { ApiError, badRequest } from '../errors.js';
import {
  DEFAULT_M,
  MAX_M,
  errorResponse,
  intParam,
  movieIdValue,
  notReadyResponse,
  recommendationSchema,
} from './common.js';
import { listOptionsOf, listOptionsQuery } from './listOptions.js';
import { defineRoute, describeIssues, fieldName, firstField, jsonBody, type AnyRouteSpec } from './spec.js';

const rating = z.number({ error: 'must be a finite number (a rating)' });
const bodyM = z
  .number({ error: `must be an integer from 1 to ${MAX_M}` })
  .int({ error: `must be an integer from 1 to ${MAX_M}` })
  .min(1, { error: `must be an integer from 1 to ${MAX_M}` })
  .max(MAX_M, { error: `must be an integer from 1 to ${MAX_M}` });

/** Unknown ids listed in the X-Unknown-Movie-Ids header, at most. */
const MAX_HEADER_IDS = 100;

const ratingsDescription = "Ratings on the model's scale, in the order of the movie ids and as many";
export const pairBody = z
  .tuple([z.array(movieIdValue).describe('Movie ids'), z.array(rating).describe(ratingsDescription)])
  .describe('The seed format: [[movieId, ...], [rating, ...]]');
export const objectBody = z
  .strictObject({
    movies: z.array(movieIdValue).describe('Movie ids'),
    ratings: z.array(rating).describe(ratingsDescription),
    M: bodyM.optional().describe(`How many recommendations (1..${MAX_M}); the query parameter M also works`),
  })
  .describe('The same as an object');
export const predictBody = z.union([pairBody, objectBody]);

export const pairResponse = z
  .tuple([z.array(z.string()).describe('Movie titles'), z.array(z.number()).describe('Estimated ratings')])
  .describe('[[title, ...], [estimatedRating, ...]], best first');
export const fullResponse = z
  .object({
    items: z.array(recommendationSchema),
    ignoredIds: z.array(z.number().int()).describe('Input movie ids the model does not know (ignored)'),
    personalised: z.boolean().describe('false when no known movie was given: the list is the non-personalised one'),
  })
  .describe('?format=full');

const predictQuery = listOptionsQuery.extend({
  M: intParam(1, MAX_M).optional().describe(`How many recommendations (1..${MAX_M}, default ${DEFAULT_M})`),
  format: z
    .enum(['pair', 'full'], { error: 'must be "pair" or "full"' })
    .default('pair')
    .describe('pair (default): [[titles],[ratings]]; full: objects with ids, genres and the ignored ids'),
});

/** Names a body issue's field: `movies[2]`, `ratings[0]`, `M`, `body`. */
function bodyField(shape: 'pair' | 'object') {
  return (path: readonly PropertyKey[]): string => {
    if (path.length === 0) return 'body';
    if (shape === 'object') return fieldName(path);
    const [list, ...rest] = path;
    if (list === 0) return fieldName(rest, 'movies');
    if (list === 1) return fieldName(rest, 'ratings');
    return fieldName(path, 'body');
  };
}

/** A body issue's field as the message shows it: with its place in the body for the pair form, `movies[2]
 * (body[0][2])`. */
function shownField(shape: 'pair' | 'object') {
  const field = bodyField(shape);
  return (path: readonly PropertyKey[]): string =>
    shape === 'pair' && (path[0] === 0 || path[0] === 1) ? `${field(path)} (${fieldName(path, 'body')})` : field(path);
}

function bodyError(error: z.ZodError, shape: 'pair' | 'object'): ApiError {
  return badRequest(describeIssues(error, '', shownField(shape)), firstField(error, bodyField(shape)));
}

interface ParsedPredict {
  movies: number[];
  ratings: number[];
  bodyM?: number;
}

function parseBody(ctx: RouterContext): ParsedPredict {
  const body = jsonBody(ctx, '[[movieId, ...], [rating, ...]] or {"movies": [...], "ratings": [...]}');
  if (Array.isArray(body)) {
    const result = pairBody.safeParse(body);
    if (!result.success) throw bodyError(result.error, 'pair');
    return { movies: result.data[0], ratings: result.data[1] };
  }
  if (body !== null && typeof body === 'object') {
    const result = objectBody.safeParse(body);
    if (!result.success) throw bodyError(result.error, 'object');
    return { movies: result.data.movies, ratings: result.data.ratings, bodyM: result.data.M };
  }
  throw badRequest('body must be [[movieId, ...], [rating, ...]] or {"movies": [...], "ratings": [...]}');
}

/** Checks what the schema cannot: equal lengths. (A movie given twice is fine: its last rating counts.) */
function checkPairs({ movies, ratings }: ParsedPredict): void {
  if (movies.length !== ratings.length) {
    throw badRequest(
      `movies and ratings must have the same length (${movies.length} movie ids, ${ratings.length} ratings)`,
      'ratings',
    );
  }
}

/** Ratings must lie on the loaded model's scale (its step is not enforced: 3.7 on a half-star scale is fine). */
function checkScale(ratings: number[], scale: RatingScale): void {
  ratings.forEach((r, i) => {
    if (r < scale.min || r > scale.max) {
      throw badRequest(`ratings[${i}]: ${r} is outside the model's rating scale ${scale.min}..${scale.max}`, `ratings[${i}]`);
    }
  });
}

export function predictRoutes(deps: RouteDeps): AnyRouteSpec[] {
  return [
    defineRoute({
      method: 'post',
      path: '/predict',
      operationId: 'predict',
      tag: 'recommendations',
      summary: 'Recommend movies for a list of (movie, rating) pairs',
      description:
        'Folds the ratings into the model as a new user and returns the best M movies not in the input, sorted by ' +
        'estimated rating (descending). Unknown movie ids are ignored and listed in the X-Unknown-Movie-Ids header. ' +
        'An empty list gives the non-personalised (popularity and bias) list; a movie given twice counts with its ' +
        'last rating. M comes from the query or the body. ' +
        'Refused with 400, beyond what the schema says: movie ids and ratings of different lengths (the i-th rating ' +
        "is the i-th movie's), a rating outside the model's scale (`model.scale` of GET /api/info, e.g. 0.5..5), " +
        'and M given in both the query and the body with different values, an unknown genre, yearMin after yearMax. ' +
        'Filters apply before the top-M cut: the list is still M long when enough movies pass them.',
      query: predictQuery,
      body: { schema: predictBody, required: true, description: 'The user ratings' },
      responses: {
        200: {
          description: 'Recommendations',
          schema: z.union([pairResponse, fullResponse]),
          headers: {
            'X-Unknown-Movie-Ids': {
              description:
                'Comma-separated input ids the model does not know (present only when there are some; the first ' +
                `${MAX_HEADER_IDS}; ?format=full lists them all)`,
              schema: z.string(),
            },
          },
        },
        400: errorResponse('Invalid body or query; the message names the field'),
        413: errorResponse('Body larger than BODY_LIMIT'),
        415: errorResponse('Content type is not application/json'),
        503: notReadyResponse,
      },
      handler: async (ctx, { query }) => {
        const parsed = parseBody(ctx);
        if (query.M !== undefined && parsed.bodyM !== undefined && query.M !== parsed.bodyM) {
          throw badRequest(
            `M: given in the query (${query.M}) and in the body (${parsed.bodyM}) with different values`,
            'M',
          );
        }
        checkPairs(parsed);
        deps.lifecycle.requireReady();
        const scale = deps.model.ratingScale();
        if (!scale) throw deps.lifecycle.notReadyError();
        checkScale(parsed.ratings, scale);
        const M = query.M ?? parsed.bodyM ?? DEFAULT_M;
        const input: RatingsPair = [parsed.movies, parsed.ratings];
        const result = await deps.model.recommend(input, M, listOptionsOf(query));
        deps.metrics.recommendationsServed.inc({ endpoint: 'predict' });
        if (result.unknownIds.length > 0) {
          // Capped so the header stays small (clients refuse huge headers); ?format=full lists them all.
          ctx.set('X-Unknown-Movie-Ids', result.unknownIds.slice(0, MAX_HEADER_IDS).join(','));
          deps.logger.info(
            `predict: ignored ${result.unknownIds.length} unknown movie id(s) ${result.unknownIds.slice(0, 50).join(',')}` +
              ` (request ${ctx.state.requestId})`,
          );
        }
        if (query.format === 'full') {
          ctx.body = {
            items: result.items,
            ignoredIds: result.unknownIds,
            personalised: result.personalised,
          } satisfies z.output<typeof fullResponse>;
        } else {
          ctx.body = [result.items.map((r) => r.title), result.items.map((r) => r.rating)];
        }
      },
    }),
  ];
}
