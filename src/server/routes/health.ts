// Probes and metrics: GET /healthz (the process answers), GET /readyz (a model is loaded; 503 says why not and how to
// train), GET /metrics (Prometheus text format).
import { z } from 'zod';
import type { RouteDeps } from '../deps.js';
import { notReadyResponse } from './common.js';
import { defineRoute, type AnyRouteSpec } from './spec.js';

export const healthResponse = z.object({ status: z.literal('ok'), uptimeSeconds: z.number() });
export const readyResponse = z.object({ status: z.literal('ready'), trainedAt: z.string() });

export function healthRoutes(deps: RouteDeps): AnyRouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/healthz',
      operationId: 'healthz',
      tag: 'operations',
      summary: 'Liveness: the process is up',
      responses: { 200: { description: 'Up', schema: healthResponse } },
      handler: (ctx) => {
        ctx.body = { status: 'ok', uptimeSeconds: process.uptime() } satisfies z.output<typeof healthResponse>;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      operationId: 'readyz',
      tag: 'operations',
      summary: 'Readiness: a model is loaded',
      responses: {
        200: { description: 'Ready to recommend', schema: readyResponse },
        503: notReadyResponse,
      },
      handler: (ctx) => {
        deps.lifecycle.requireReady();
        ctx.body = { status: 'ready', trainedAt: deps.model.info()?.trainedAt ?? '' } satisfies z.output<
          typeof readyResponse
        >;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/metrics',
      operationId: 'metrics',
      tag: 'operations',
      summary: 'Prometheus metrics',
      responses: {
        200: {
          description: 'Prometheus text exposition format; with WORKERS > 1, every worker aggregated',
          contentType: 'text/plain',
          schema: z.string(),
        },
      },
      handler: async (ctx) => {
        ctx.type = deps.metrics.registry.contentType;
        ctx.body = await deps.metrics.render();
      },
    }),
  ];
}
