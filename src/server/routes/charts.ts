// GET /api/model/charts/:name: the SVG charts written beside the model (`training-curve.svg` by train,
// `metrics.svg` by evaluate), for people and for the web page. Only those two names; 404 when not written yet.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { z } from 'zod';

import { CHART_NAMES } from '../../model/charts/index.js';
import type { RouteDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { errorResponse } from './common.js';
import { defineRoute, type AnyRouteSpec } from './spec.js';

export const chartParams = z.object({
  name: z.enum(CHART_NAMES).describe('training-curve.svg (train) or metrics.svg (the latest evaluate)'),
});

export function chartRoutes(deps: RouteDeps): AnyRouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/model/charts/:name',
      operationId: 'getModelChart',
      tag: 'operations',
      summary: 'A chart of the deployed model folder (SVG)',
      description:
        'training-curve.svg: train (and validation, when recorded) RMSE per iteration; metrics.svg: the latest ' +
        'evaluation beside the bias-only and popularity baselines.',
      params: chartParams,
      responses: {
        200: { description: 'The chart', contentType: 'image/svg+xml', schema: z.string() },
        400: errorResponse('Not a chart name'),
        404: errorResponse('That chart has not been written (no model, or no evaluation yet)'),
      },
      handler: async (ctx, { params }) => {
        const dir = deps.model.servedDir();
        if (!dir) throw notFound(`no model folder, so no ${params.name}`, 'CHART_NOT_FOUND');
        let svg: string;
        try {
          svg = await readFile(join(dir, params.name), 'utf8');
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
            const why = 'train writes the training curve, evaluate the metrics chart';
            throw notFound(`${params.name} has not been written yet (${why})`, 'CHART_NOT_FOUND');
          }
          throw err;
        }
        ctx.type = 'image/svg+xml';
        ctx.set('Cache-Control', 'no-cache');
        ctx.body = svg;
      },
    }),
  ];
}
