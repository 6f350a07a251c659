// POST /api/reload[?version=]: load the current model version from the data folder and swap it in (SIGHUP does the
// same), or, with `version`, promote that version: load it, move the current pointer to it (every replica watching the
// data folder follows) and serve it. In-flight requests finish on the old model; a corrupt or incompatible version is
// refused and the old one keeps serving (and stays current).
import { z } from 'zod';
import { VERSION_ID } from '../../model/versions.js';
import type { RouteDeps } from '../deps.js';
import { errorResponse } from './common.js';
import { modelCounts } from './info.js';
import { defineRoute, type AnyRouteSpec } from './spec.js';

export const versionSchema = z
  .string()
  .regex(VERSION_ID, { error: 'must be a version id like 20261127T061400.123Z-3fa9c1 (GET /api/models lists them)' });

export const reloadResponse = z.object({
  reloaded: z.literal(true),
  version: z.string().describe('The model version now serving'),
  trainedAt: z.string().describe('Training date-time of the model now serving'),
  counts: modelCounts,
});

const reloadQuery = z.object({
  version: versionSchema.optional().describe('Promote this version (make it current, for every replica) and serve it'),
});

export function reloadRoutes(deps: RouteDeps): AnyRouteSpec[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/reload',
      operationId: 'reloadModel',
      tag: 'operations',
      summary: 'Load the current model version, or promote one, and swap it in',
      description:
        'Takes no body. Without `version`: loads the version the data folder\'s current pointer names (concurrent ' +
        'reloads share one load). With `version`: loads that version, and only when it loads and validates, moves ' +
        'the current pointer to it (every service watching the data folder follows within 2 s) and serves it.',
      query: reloadQuery,
      responses: {
        200: { description: 'The new model is serving', schema: reloadResponse },
        400: errorResponse('version is not a version id'),
        404: errorResponse('No such version in the data folder'),
        409: errorResponse('No model in the data folder, or the demo model is still being trained'),
        422: errorResponse('The model files are corrupt or incompatible; the previous model keeps serving and stays current'),
      },
      handler: async (ctx, { query }) => {
        const info = query.version === undefined ? await deps.lifecycle.reload() : await deps.lifecycle.promote(query.version);
        ctx.body = {
          reloaded: true,
          version: deps.model.servedVersion() ?? '',
          trainedAt: info.trainedAt,
          counts: info.counts,
        } satisfies z.output<typeof reloadResponse>;
      },
    }),
  ];
}
