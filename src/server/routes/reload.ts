// POST /api/reload: load the newest model from the data folder and swap it in (SIGHUP does the same). In-flight
// requests finish on the old model; a corrupt or incompatible model is refused and the old one keeps serving.
import { z } from 'zod';
import type { RouteDeps } from '../deps.js';
import { errorResponse } from './common.js';
import { modelCounts } from './info.js';
import { defineRoute, type AnyRouteSpec } from './spec.js';

export const reloadResponse = z.object({
  reloaded: z.literal(true),
  trainedAt: z.string().describe('Training date-time of the model now serving'),
  counts: modelCounts,
});

export function reloadRoutes(deps: RouteDeps): AnyRouteSpec[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/reload',
      operationId: 'reloadModel',
      tag: 'operations',
      summary: 'Load the newest model from the data folder and swap it in',
      description: 'Takes no body. Concurrent reloads share one load.',
      responses: {
        200: { description: 'The new model is serving', schema: reloadResponse },
        409: errorResponse('No model in the data folder, or the demo model is still being trained'),
        422: errorResponse('The model files are corrupt or incompatible; the previous model keeps serving'),
      },
      handler: async (ctx) => {
        const info = await deps.lifecycle.reload();
        ctx.body = { reloaded: true, trainedAt: info.trainedAt, counts: info.counts } satisfies z.output<
          typeof reloadResponse
        >;
      },
    }),
  ];
}
