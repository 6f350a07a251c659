// GET /api/users/:id/recommendations?M=: recommendations for a user the model was trained on.
import { z } from 'zod';
import type { RouteDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { errorResponse, mOnly, notReadyResponse, idParam, recommendationSchema } from './common.js';
import { defineRoute, type AnyRouteSpec } from './spec.js';

export const userRecommendationsResponse = z.object({
  userId: z.number().int(),
  items: z.array(recommendationSchema),
  personalised: z.boolean(),
});

export function userRoutes(deps: RouteDeps): AnyRouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/users/:id/recommendations',
      operationId: 'userRecommendations',
      tag: 'recommendations',
      summary: 'Recommendations for a user of the training data',
      params: z.object({ id: idParam.describe('User id (as in the training data)') }),
      query: mOnly,
      responses: {
        200: { description: 'Recommendations, best first', schema: userRecommendationsResponse },
        400: errorResponse('Bad id or M'),
        404: errorResponse('The model was not trained on this user'),
        503: notReadyResponse,
      },
      handler: (ctx, { params, query }) => {
        deps.lifecycle.requireReady();
        const result = deps.model.recommendForUser(params.id, query.M);
        if (!result) throw notFound(`the model was not trained on user ${params.id}`, 'USER_NOT_FOUND');
        deps.metrics.recommendationsServed.inc({ endpoint: 'user' });
        ctx.body = {
          userId: params.id,
          items: result.items,
          personalised: result.personalised,
        } satisfies z.output<typeof userRecommendationsResponse>;
      },
    }),
  ];
}
