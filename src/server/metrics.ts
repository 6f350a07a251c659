// Prometheus metrics, one registry per app (so several apps in one test process do not collide): requests and
// latency by route template and status, the loaded model's age and version, recommendations served, and the default
// process metrics (CPU, memory, event loop lag, GC). With WORKERS > 1, GET /metrics shows every worker at once: the
// primary gathers the workers' registries (prom-client's AggregatorRegistry) and sums them, but for the model gauges,
// which say the oldest model (age), whether every worker has one (loaded) and how many workers serve each version.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RecModel } from './deps.js';

export interface ServiceMetrics {
  registry: Registry;
  /** The text GET /metrics answers (this registry, or every worker's through the cluster's primary). */
  render: () => Promise<string>;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  recommendationsServed: Counter<'endpoint'>;
}

export function createMetrics(model: RecModel, render?: () => Promise<string>): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency in seconds, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const recommendationsServed = new Counter({
    name: 'recommendations_served_total',
    help: 'Recommendation lists served, by endpoint',
    labelNames: ['endpoint'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'model_age_seconds',
    help: 'Seconds since the loaded model was trained (absent when no model is loaded)',
    registers: [registry],
    aggregator: 'max',
    collect() {
      const trainedAt = model.info()?.trainedAt;
      const ms = trainedAt ? Date.parse(trainedAt) : NaN;
      if (Number.isFinite(ms)) this.set((Date.now() - ms) / 1000);
      else this.reset();
    },
  });
  new Gauge({
    name: 'model_loaded',
    help: '1 when a model is loaded and the service is ready, else 0',
    registers: [registry],
    aggregator: 'min',
    collect() {
      this.set(model.isReady() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'model_version_info',
    help: 'Processes serving each model version (1 per process; summed over the workers)',
    labelNames: ['version'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const version = model.servedVersion();
      if (version) this.set({ version }, 1);
    },
  });
  return {
    registry,
    render: render ?? (() => registry.metrics()),
    httpRequests,
    httpDuration,
    recommendationsServed,
  };
}
