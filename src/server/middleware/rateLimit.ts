// Optional per-client request rate limit (RATE_LIMIT requests per second per client address, off by default): a
// token bucket per address holding one second's worth of requests. Probes and metrics are exempt so orchestrators
// keep seeing the service. Behind a proxy, set app.proxy so ctx.ip is the client's address.
import type { Middleware } from 'koa';
import { ApiError } from '../errors.js';

const EXEMPT = new Set(['/healthz', '/readyz', '/metrics']);
const IDLE_MS = 60_000;

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export function rateLimit(perSecond: number, now: () => number = Date.now): Middleware {
  const buckets = new Map<string, Bucket>();
  let lastSweep = now();
  return async (ctx, next) => {
    if (perSecond <= 0 || EXEMPT.has(ctx.path)) {
      await next();
      return;
    }
    const t = now();
    if (t - lastSweep > IDLE_MS) {
      for (const [ip, b] of buckets) if (t - b.updatedAt > IDLE_MS) buckets.delete(ip);
      lastSweep = t;
    }
    const bucket = buckets.get(ctx.ip) ?? { tokens: perSecond, updatedAt: t };
    bucket.tokens = Math.min(perSecond, bucket.tokens + ((t - bucket.updatedAt) / 1000) * perSecond);
    bucket.updatedAt = t;
    buckets.set(ctx.ip, bucket);
    if (bucket.tokens < 1) {
      const waitSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
      throw new ApiError(429, 'TOO_MANY_REQUESTS', `rate limit of ${perSecond} requests per second exceeded`, {
        headers: { 'Retry-After': String(waitSeconds) },
      });
    }
    bucket.tokens -= 1;
    await next();
  };
}
