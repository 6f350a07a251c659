// GET /api/movies?q=&limit= (title search, so people can find ids) and GET /api/movies/:id.
import { z } from 'zod';
import type { RouteDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { errorResponse, intParam, movieIdParam, movieSchema, notReadyResponse } from './common.js';
import { defineRoute, type AnyRouteSpec } from './spec.js';

export const MAX_SEARCH_LIMIT = 100;

const searchQuery = z.object({
  // The pattern (not only the trim) is what the document shows: an all-space q is refused, and says so.
  q: z
    .string({ error: 'is required, once (words of the title)' })
    .regex(/\S/, { error: 'is required (words of the title, not only spaces)' })
    .trim()
    .max(200, { error: 'must be at most 200 characters' })
    .describe('Words of the title (at least one non-space character); case- and accent-insensitive'),
  limit: intParam(1, MAX_SEARCH_LIMIT).default(20).describe(`How many results (1..${MAX_SEARCH_LIMIT}, default 20)`),
});

export const searchResponse = z.object({ items: z.array(movieSchema) });

export function movieRoutes(deps: RouteDeps): AnyRouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/movies',
      operationId: 'searchMovies',
      tag: 'movies',
      summary: 'Search movies by title',
      description: 'Ranked: prefix and whole-word matches first, then by popularity.',
      query: searchQuery,
      responses: {
        200: { description: 'Matching movies, best first', schema: searchResponse },
        400: errorResponse('Bad q or limit'),
        503: notReadyResponse,
      },
      handler: (ctx, { query }) => {
        deps.lifecycle.requireReady();
        ctx.body = { items: deps.model.searchMovies(query.q, query.limit) } satisfies z.output<
          typeof searchResponse
        >;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/movies/:id',
      operationId: 'getMovie',
      tag: 'movies',
      summary: 'One movie by id',
      params: movieIdParam,
      responses: {
        200: { description: 'The movie', schema: movieSchema },
        400: errorResponse('The id is not a positive integer'),
        404: errorResponse('No movie with this id in the catalogue'),
        503: notReadyResponse,
      },
      handler: (ctx, { params }) => {
        deps.lifecycle.requireReady();
        const movie = deps.model.movie(params.id);
        if (!movie) throw notFound(`no movie with id ${params.id}`, 'MOVIE_NOT_FOUND');
        ctx.body = movie satisfies z.output<typeof movieSchema>;
      },
    }),
  ];
}
