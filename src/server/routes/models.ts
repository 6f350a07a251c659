// GET /api/models: the model versions in the data folder, newest first: which one is current (the pointer every
// replica follows), which one this process serves, and how many running services serve each (from their leases).
import { z } from 'zod';
import type { RouteDeps } from '../deps.js';
import { modelCounts, datasetName } from './info.js';
import { defineRoute, type AnyRouteSpec } from './spec.js';

const versionEntry = z.object({
  version: z.string(),
  current: z.boolean().describe('The current pointer names it'),
  served: z.boolean().describe('This process serves it'),
  servedBy: z.number().int().describe('Running service processes serving it (their leases in the data folder)'),
  legacy: z.boolean().describe('A DATA_DIR/model folder from before versions (moved into models/ at the next promotion)'),
  trainedAt: z.string().optional(),
  dataset: z.string().optional().describe('Last two segments of the data set path'),
  method: z.string().optional(),
  counts: modelCounts.optional(),
  problem: z.string().optional().describe('Why its model.json cannot be read (it cannot be promoted)'),
});

export const modelsResponse = z.object({
  current: z.string().nullable().describe('The current version, or null when there is none'),
  served: z.string().nullable().describe('The version this process serves, or null'),
  versions: z.array(versionEntry),
});

export function modelRoutes(deps: RouteDeps): AnyRouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/models',
      operationId: 'listModels',
      tag: 'operations',
      summary: 'Model versions in the data folder, the current one and who serves which',
      description: 'POST /api/reload?version= promotes one; `movierec models list | promote | rollback` do the same.',
      responses: { 200: { description: 'Versions, newest first', schema: modelsResponse } },
      handler: async (ctx) => {
        const list = await deps.model.versions();
        ctx.body = {
          current: list.current,
          served: list.served,
          versions: list.versions.map(({ datasetPath, ...v }) => ({
            ...v,
            ...(datasetPath === undefined ? {} : { dataset: datasetName(datasetPath) }),
            current: v.version === list.current,
            served: v.version === list.served,
          })),
        } satisfies z.output<typeof modelsResponse>;
      },
    }),
  ];
}
