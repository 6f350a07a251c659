// GET /api/users/:id/recommendations?M=: a person's list, from the model and the ratings they stored since (src/store).
import { z } from 'zod';
import type { RouteDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { errorResponse, mOnly, idParam, recommendationSchema } from './common.js';
import { listOptionsOf, listOptionsQuery } from './listOptions.js';
import { defineRoute, type AnyRouteSpec } from './spec.js';

export const userRecommendationsResponse = z.object({
  userId: z.number().int(),
  items: z.array(recommendationSchema),
  personalised: z.boolean(),
  storedRatings: z
    .number()
    .int()
    .describe('Ratings and deletions given through the API since training that this list was folded in with'),
});

export function userRoutes(deps: RouteDeps): AnyRouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/users/:id/recommendations',
      operationId: 'userRecommendations',
      tag: 'recommendations',
      summary: 'Recommendations for a person: a user of the training data, or anyone who rated through the API',
      description:
        'With no ratings stored for this user, the list of their trained vector. With some (PUT/POST/DELETE ' +
        '/api/users/:id/ratings), a fold-in over their training ratings with the stored ones applied (a stored ' +
        'rating replaces the training one, a deletion removes it), at once: the rated movies leave the list.',
      params: z.object({ id: idParam.describe('User id: of the training data, or one that rated through the API') }),
      query: mOnly.extend(listOptionsQuery.shape),
      responses: {
        200: { description: 'Recommendations, best first', schema: userRecommendationsResponse },
        400: errorResponse('Bad id, M, filter or option (an unknown genre, yearMin after yearMax)'),
        404: errorResponse('The model was not trained on this user and they have stored no rating'),
        503: errorResponse('No model loaded, or the rating store is unavailable (Retry-After)'),
      },
      handler: async (ctx, { params, query }) => {
        deps.lifecycle.requireReady();
        const given = await deps.store.forUser(params.id);
        const options = listOptionsOf(query);
        const result =
          given.length === 0
            ? deps.model.recommendForUser(params.id, query.M, options)
            : await deps.model.recommendForUserWith(params.id, given, query.M, options);
        if (!result) {
          throw notFound(
            `the model was not trained on user ${params.id} and they have stored no rating ` +
              '(PUT /api/users/:id/ratings/:movieId)',
            'USER_NOT_FOUND',
          );
        }
        deps.metrics.recommendationsServed.inc({ endpoint: 'user' });
        ctx.body = {
          userId: params.id,
          items: result.items,
          personalised: result.personalised,
          storedRatings: given.length,
        } satisfies z.output<typeof userRecommendationsResponse>;
      },
    }),
  ];
}
