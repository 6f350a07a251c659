// GET /api/info: who runs this (author from configuration), which build (version, commit, image build time), which
// model (its version, training time, parameters, data set, metrics from model.json) and for how long (uptime). No file
// paths: the data set is named by its last two path segments.
import { z } from 'zod';
import type { ModelInfo } from '../../model/types.js';
import type { RouteDeps } from '../deps.js';
import { defineRoute, type AnyRouteSpec } from './spec.js';

export const NOT_FROM_IMAGE = 'not running from an image';

/** model.json's counts, as /api/info and POST /api/reload show them. */
export const modelCounts = z.object({
  users: z.number().int(),
  movies: z.number().int(),
  factors: z.number().int(),
  ratings: z.number().int().describe('Training ratings'),
});

const historyEntry = z.object({
  iteration: z.number().int().describe('ALS iteration or Gibbs sweep, from 1'),
  trainRmse: z.number(),
  validationRmse: z.number().optional().describe('RMSE on the validation holdout, when training kept one'),
  elapsedSeconds: z.number(),
});

export const infoResponse = z.object({
  author: z.object({ name: z.string(), contact: z.string() }),
  version: z.string().describe('package.json version'),
  commit: z.string().describe('git commit, or "unknown"'),
  imageBuiltAt: z.string().describe(`ISO date-time of the image build, or "${NOT_FROM_IMAGE}"`),
  startedAt: z.string(),
  uptimeSeconds: z.number(),
  modelStatus: z.enum(['starting', 'bootstrapping', 'ready', 'no-model', 'invalid-model', 'bootstrap-failed']),
  model: z
    .object({
      version: z.string().describe('The model version served by this process (GET /api/models lists them all)'),
      trainedAt: z.string(),
      engine: z
        .enum(['movierec', 'spark', 'implicit'])
        .describe('The engine that trained the model: movierec, or an imported Spark or implicit model (docs/interop.md)'),
      trainingSeconds: z.number(),
      params: z.record(z.string(), z.unknown()),
      dataset: z.object({
        name: z.string().describe('Last two segments of the data set path'),
        layout: z.string().nullable().describe('null for a model imported without its ratings'),
        sha256: z.string(),
        ratings: z.number().int(),
        users: z.number().int(),
        movies: z.number().int(),
      }),
      scale: z.object({ min: z.number(), max: z.number(), step: z.number() }),
      counts: modelCounts,
      history: z
        .array(historyEntry)
        .describe('Training RMSE after each iteration or sweep (the web page draws its training curve from it)'),
      metrics: z.record(z.string(), z.unknown()).nullable().describe('The last evaluation, or null when none ran'),
    })
    .nullable()
    .describe('The deployed model, or null when none is loaded'),
});

/** The last two segments of a data set path (no full paths leave the service). */
export function datasetName(path: string): string {
  return path.split(/[\\/]+/).filter(Boolean).slice(-2).join('/');
}

function modelSummary(version: string, info: ModelInfo): z.output<typeof infoResponse>['model'] {
  const evaluation = info.evaluation;
  return {
    version,
    trainedAt: info.trainedAt,
    engine: info.engine,
    trainingSeconds: info.trainingSeconds,
    params: info.params,
    dataset: {
      name: datasetName(info.dataset.path),
      layout: info.dataset.layout,
      sha256: info.dataset.sha256,
      ratings: info.dataset.ratings,
      users: info.dataset.users,
      movies: info.dataset.movies,
    },
    scale: info.scale,
    counts: info.counts,
    history: info.history,
    metrics: evaluation
      ? {
          evaluatedAt: evaluation.evaluatedAt,
          dataset: datasetName(evaluation.dataset.path),
          model: evaluation.model,
          biasOnly: evaluation.biasOnly,
          popularity: evaluation.popularity,
        }
      : null,
  };
}

export function infoRoutes(deps: RouteDeps): AnyRouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/info',
      operationId: 'getInfo',
      tag: 'operations',
      summary: 'Author, version, build, deployed model and uptime',
      responses: { 200: { description: 'Service information', schema: infoResponse } },
      handler: (ctx) => {
        const info = deps.model.info();
        ctx.body = {
          author: { name: deps.settings.authorName, contact: deps.settings.authorContact },
          version: deps.build.version,
          commit: deps.build.commit,
          imageBuiltAt: deps.build.imageBuiltAt ?? NOT_FROM_IMAGE,
          startedAt: deps.startedAt.toISOString(),
          uptimeSeconds: Math.round((Date.now() - deps.startedAt.getTime()) / 100) / 10,
          modelStatus: deps.lifecycle.status,
          model: info ? modelSummary(deps.model.servedVersion() ?? '', info) : null,
        } satisfies z.output<typeof infoResponse>;
      },
    }),
  ];
}
