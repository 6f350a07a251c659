// GET /api/similar/:id?M=: the movies closest to one movie (cosine similarity of item factors).
import { z } from 'zod';
import type { RouteDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { errorResponse, mOnly, movieIdParam, notReadyResponse, recommendationSchema } from './common.js';
import { listFiltersQuery, listOptionsOf } from './listOptions.js';
import { defineRoute, type AnyRouteSpec } from './spec.js';

export const similarResponse = z.object({
  movieId: z.number().int(),
  items: z.array(recommendationSchema.describe('rating holds the cosine similarity (-1..1)')),
});


export function similarRoutes(deps: RouteDeps): AnyRouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/similar/:id',
      operationId: 'similarMovies',
      tag: 'recommendations',
      summary: 'Movies most similar to one movie',
      description:
        'Cosine similarity in the factor space (the ranking model\'s when there is one); the movie itself is not in ' +
        'the list. Filters apply before the top-M cut.',
      params: movieIdParam,
      query: mOnly.extend(listFiltersQuery.shape),
      responses: {
        200: { description: 'Similar movies, most similar first', schema: similarResponse },
        400: errorResponse('Bad id, M or filter (an unknown genre, yearMin after yearMax)'),
        404: errorResponse('The model does not know this movie'),
        503: notReadyResponse,
      },
      handler: (ctx, { params, query }) => {
        deps.lifecycle.requireReady();
        const items = deps.model.similar(params.id, query.M, listOptionsOf(query));
        if (!items) throw notFound(`the model does not know movie ${params.id}`, 'MOVIE_NOT_FOUND');
        deps.metrics.recommendationsServed.inc({ endpoint: 'similar' });
        ctx.body = { movieId: params.id, items } satisfies z.output<typeof similarResponse>;
      },
    }),
  ];
}
