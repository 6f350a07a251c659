// The ratings resource's shapes: path parameters, bodies, the paging query and the answers, as zod schemas (the
// OpenAPI document is generated from them). What a schema cannot say (the loaded model's rating scale and catalogue)
// is checked in checks.ts.
import { z } from 'zod';
import { idParam, intParam, movieIdValue } from '../common.js';

/** Ratings in one POST at most. */
export const MAX_BATCH = 1000;
/** Ratings per page of GET, at most and by default. */
export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;

export const userParam = z.object({ id: idParam.describe('User id: one of the training data, or any new one') });
export const userMovieParams = z.object({
  id: idParam.describe('User id: one of the training data, or any new one'),
  movieId: idParam.describe('Movie id (as in the catalogue: GET /api/movies)'),
});

const ratingValue = z
  .number({ error: "must be a number on the model's rating scale (GET /api/info: model.scale)" })
  .describe("On the model's rating scale: from min to max in steps of step (GET /api/info, model.scale)");

export const putBody = z
  .strictObject({ rating: ratingValue })
  .describe('The rating, e.g. {"rating": 4.5}');

export const batchBody = z
  .strictObject({
    ratings: z
      .array(
        z.strictObject({
          movieId: movieIdValue,
          rating: ratingValue.nullable().describe('A rating on the model scale, or null to delete the rating'),
        }),
      )
      .min(1, { error: 'must hold at least one rating' })
      .max(MAX_BATCH, { error: `must hold at most ${MAX_BATCH} ratings` }),
  })
  .describe(`Up to ${MAX_BATCH} ratings written together (all or none); null deletes; for a movie given twice the last counts`);

export const pageQuery = z.object({
  after: idParam.optional().describe('Start after this movie id: the `next` of the previous page'),
  limit: intParam(1, MAX_PAGE).default(DEFAULT_PAGE).describe(`Ratings per page (1..${MAX_PAGE}, default ${DEFAULT_PAGE})`),
});

const time = z.iso.datetime().describe('When the rating was stored (ISO 8601)');

export const storedResponse = z.object({
  userId: z.number().int(),
  movieId: z.number().int(),
  rating: z.number().nullable().describe('The rating stored; null: deleted (it hides a training rating too)'),
  time,
});

export const batchResponse = z.object({
  userId: z.number().int(),
  items: z.array(storedResponse.omit({ userId: true })),
});

export const pageResponse = z.object({
  userId: z.number().int(),
  items: z.array(
    z.object({
      movieId: z.number().int(),
      title: z.string(),
      rating: z.number(),
      source: z.enum(['training', 'stored']).describe('training: from the data the model was trained on; stored: given since'),
      time: time.nullable().describe('When a stored rating was given; null for training ratings'),
    }),
  ),
  next: z.number().int().nullable().describe('The `after` of the next page; null on the last page'),
});
