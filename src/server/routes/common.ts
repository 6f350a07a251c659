// Schemas shared by several routes: query and path parameters, and the JSON shapes of recommendations and errors.
import { z } from 'zod';

import { DEFAULT_M, MAX_ID, MAX_M } from '../../model/limits.js';

export { DEFAULT_M, MAX_ID, MAX_M };

/** An integer query or path parameter in [min, max], with one message for every way of getting it wrong. */
export function intParam(min: number, max: number) {
  const error = `must be an integer from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

export const mQuery = intParam(1, MAX_M)
  .default(DEFAULT_M)
  .describe(`How many recommendations to return (1..${MAX_M}, default ${DEFAULT_M})`);

export const idParam = intParam(0, MAX_ID);

/** A movie id in a JSON body (a number, not a string to coerce). */
export const movieIdValue = z
  .number({ error: 'must be a number (an integer movie id)' })
  .int({ error: 'must be an integer movie id' })
  .min(0, { error: `must be a movie id from 0 to ${MAX_ID}` })
  .max(MAX_ID, { error: `must be a movie id from 0 to ${MAX_ID}` });

export const movieIdParam = z.object({ id: idParam.describe('Movie id (as in the data set)') });

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().describe('Stable machine-readable code, e.g. INVALID_INPUT'),
      field: z
        .string()
        .optional()
        .describe('The input at fault (M, ratings[3], movies[0], a query parameter), when the error is about one'),
      message: z.string().describe('What went wrong, naming the field when input is at fault'),
      requestId: z.string().optional().describe('The X-Request-Id of the request'),
    }),
  })
  ;

export const recommendationSchema = z
  .object({
    movieId: z.number().int(),
    title: z.string(),
    genres: z.array(z.string()),
    rating: z.number().describe('Estimated rating on the model scale'),
    coldStart: z
      .literal(true)
      .optional()
      .describe('true for a cold movie (no training rating: placed by its genres and year), listed only with includeCold'),
    because: z
      .array(
        z.object({
          movieId: z.number().int(),
          title: z.string(),
          share: z.number().describe("This rated movie's part of the score that chose the recommendation (shares sum to 1)"),
        }),
      )
      .optional()
      .describe('With ?explain=true: the rated movies that contributed most to choosing this one, largest first'),
  })
  ;

export const movieSchema = z
  .object({
    movieId: z.number().int(),
    title: z.string(),
    genres: z.array(z.string()),
    ratingCount: z.number().int().describe('Ratings of this movie in the training data'),
  })
  ;

export function errorResponse(description: string) {
  return { description, schema: errorSchema };
}

export const notReadyResponse = errorResponse('No model loaded yet (bootstrapping, or none trained); says how to train');

export const mOnly = z.object({ M: mQuery });
