// A fixed-rate (open-loop) load: request i is sent at t0 + i / rate whatever the answers before it, over a pool of
// keep-alive connections. autocannon's `overallRate` does not do this: each connection sends its share of a second
// back to back at the start of every second, so "1,000 requests/s over 50 connections" is a burst of 1,000 requests
// once a second, and its latencies measure the queue of that burst. Latency here is counted from the time a request
// was due, so a late send (the load generator itself starved of CPU) counts against the figure, not for it; the
// latency from the actual send is reported beside it.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface SteadyRequest {
  /** Default POST. */
  method?: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface SteadyOptions {
  url: string;
  rate: number;
  seconds: number;
  connections: number;
  requests: SteadyRequest[];
  timeoutMs?: number;
  /** Requests still unanswered this long after the last one was due are abandoned (counted as errors). */
  drainMs?: number;
}

export interface SteadyResult {
  /** Answered (2xx) requests per second over the run. */
  rps: number;
  completed: number;
  /** Failed, timed out, or abandoned unanswered at the end (a server that cannot keep up with the rate). */
  errors: number;
  non2xx: number;
  /** From the time each request was due (ms). */
  p50: number;
  p99: number;
  max: number;
  /** From the time each request was written (ms). */
  p99FromSend: number;
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export function steadyRate(opts: SteadyOptions): Promise<SteadyResult> {
  const { hostname, port } = new URL(opts.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const total = Math.round(opts.rate * opts.seconds);
  const fromDue = new Float64Array(total);
  const fromSend = new Float64Array(total);
  let sent = 0;
  let done = 0;
  let ok = 0;
  let errors = 0;
  let non2xx = 0;
  const outstanding = new Set<http.ClientRequest>();
  const t0 = performance.now();
  return new Promise((resolve) => {
    const drain = setTimeout(
      () => {
        for (const req of outstanding) req.destroy(new Error('abandoned'));
      },
      opts.seconds * 1000 + (opts.drainMs ?? 10_000),
    );
    const finishOne = () => {
      done++;
      if (done < total) return;
      clearTimeout(drain);
      agent.destroy();
      const elapsed = (performance.now() - t0) / 1000;
      const due = fromDue.subarray(0, ok).sort();
      const send = fromSend.subarray(0, ok).sort();
      resolve({
        rps: ok / elapsed,
        completed: ok,
        errors,
        non2xx,
        p50: round2(quantile(due, 0.5)),
        p99: round2(quantile(due, 0.99)),
        max: round2(due[due.length - 1] ?? Number.NaN),
        p99FromSend: round2(quantile(send, 0.99)),
      });
    };
    const send = (i: number) => {
      const dueAt = t0 + (i * 1000) / opts.rate;
      const r = opts.requests[i % opts.requests.length];
      const sentAt = performance.now();
      let settled = false;
      const failed = () => {
        if (settled) return;
        settled = true;
        errors++;
        finishOne();
      };
      const req = http.request(
        {
          host: hostname,
          port,
          path: r.path,
          method: r.method ?? 'POST',
          agent,
          headers: { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) },
          timeout: opts.timeoutMs ?? 10_000,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (settled) return;
            settled = true;
            const now = performance.now();
            if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) {
              fromDue[ok] = now - dueAt;
              fromSend[ok] = now - sentAt;
              ok++;
            } else {
              non2xx++;
            }
            finishOne();
          });
        },
      );
      outstanding.add(req);
      req.on('close', () => {
        outstanding.delete(req);
        // Closed before the whole answer arrived (reset, timeout, abandoned): a failure, counted once.
        setImmediate(failed);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', failed);
      req.end(r.body);
    };
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) * opts.rate) / 1000) + 1);
      while (sent < due) send(sent++);
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
}
