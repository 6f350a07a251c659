// Micro-batching of new users' recommendations. Scoring a new user reads every movie's factors (15 MB at 59k movies
// x 64 factors), which on the JS thread would leave the service one core for HTTP, validation, JSON and scoring. So
// requests are queued and scored by the addon on a libuv worker thread (`recommendNewUsers`), several at a time:
// the requests that arrive in the same event-loop turn, or while a batch is being scored, form the next batch, and
// the core reads the movie factors once per batch. Under load, batches grow until the worker keeps up. At low load a
// lone request (nothing else queued or running) is scored on the JS thread (`syncSingles`): the same list, without
// the two thread hand-offs.
//
// A batch only holds requests for one model handle (the one current when each request came in), so a reload does
// not change what requests already queued or running are scored on.

import type { NativeBecause, NativeModel } from '../native.js';
import { fromNativeError } from './errors.js';

/** One user's list as the addon gives it (raw ids, estimates), before titles are added. */
export interface RawRecommendations {
  movieIds: Uint32Array;
  scores: Float32Array;
  unknownIds: number[];
  personalised: boolean;
  /** With `explain`: per listed movie, the rated movies (raw ids) that chose it. */
  explanations?: NativeBecause[][];
  /** Per listed movie, whether it is a cold movie (no training rating); absent when none is. */
  coldStart?: boolean[];
}

export interface BatcherOptions {
  /**
   * A lone request with nothing else running is scored on the JS thread (default true): at low load that saves two
   * thread hand-offs (to a worker and back), which on a busy machine can cost milliseconds each; requests that arrive
   * meanwhile wait in their sockets and form the next batch, which goes to a worker.
   */
  syncSingles?: boolean;
  /** Most users per native call (bounds a batch's latency and memory). */
  maxBatch?: number;
  /** Native batches running at once; 1 leaves the other core(s) to the JS thread. */
  maxInFlight?: number;
}

interface Pending {
  handle: NativeModel;
  ids: Uint32Array;
  ratings: Float32Array;
  m: number;
  /** The list options as the addon reads them (null: the defaults); a batch holds one options value. */
  options: object | null;
  /** `options` as JSON: requests with equal options are batched together. */
  optionsKey: string;
  resolve: (r: RawRecommendations) => void;
  reject: (err: unknown) => void;
}

/** What the batcher has done so far (tests and metrics). */
export interface BatcherStats {
  batches: number;
  requests: number;
  largestBatch: number;
}

export class RecommendBatcher {
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly syncSingles: boolean;
  private queue: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;
  readonly stats: BatcherStats = { batches: 0, requests: 0, largestBatch: 0 };

  constructor(opts: BatcherOptions = {}) {
    this.maxBatch = opts.maxBatch ?? 256;
    this.maxInFlight = opts.maxInFlight ?? 1;
    this.syncSingles = opts.syncSingles ?? true;
  }

  /** Queues one user's request on `handle`; resolves to their list, or rejects with their own error. */
  submit(
    handle: NativeModel,
    ids: Uint32Array,
    ratings: Float32Array,
    m: number,
    options: object | null = null,
  ): Promise<RawRecommendations> {
    const optionsKey = JSON.stringify(options);
    return new Promise((resolve, reject) => {
      this.queue.push({ handle, ids, ratings, m, options, optionsKey, resolve, reject });
      if (!this.scheduled && this.inFlight < this.maxInFlight) {
        // After this turn's I/O callbacks: every request parsed in the same turn joins the batch.
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.dispatch();
        });
      }
    });
  }

  private dispatch(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      this.run(this.take());
    }
  }

  /** The next batch: queued requests on the first one's handle with its options, in arrival order, at most maxBatch. */
  private take(): Pending[] {
    const { handle, optionsKey } = this.queue[0];
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    for (const p of this.queue) {
      const joins = p.handle === handle && p.optionsKey === optionsKey && batch.length < this.maxBatch;
      (joins ? batch : rest).push(p);
    }
    this.queue = rest;
    return batch;
  }

  private runAlone(p: Pending): void {
    this.stats.batches++;
    this.stats.requests++;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, 1);
    try {
      const r = p.handle.recommendNewUser(p.ids, p.ratings, p.m, p.options);
      p.resolve({
        movieIds: r.movieIds,
        scores: r.scores,
        unknownIds: Array.from(r.unknownIds),
        personalised: r.personalised,
        explanations: r.explanations ?? undefined,
        coldStart: r.coldStart ?? undefined,
      });
    } catch (err) {
      p.reject(fromNativeError(err));
    }
  }

  private run(batch: Pending[]): void {
    if (batch.length === 1 && this.inFlight === 0 && this.syncSingles) {
      this.runAlone(batch[0]);
      return;
    }
    const n = batch.length;
    const offsets = new Uint32Array(n + 1);
    const ms = new Uint32Array(n);
    for (let u = 0; u < n; u++) {
      offsets[u + 1] = offsets[u] + batch[u].ids.length;
      ms[u] = batch[u].m;
    }
    const ids = new Uint32Array(offsets[n]);
    const ratings = new Float32Array(offsets[n]);
    for (let u = 0; u < n; u++) {
      ids.set(batch[u].ids, offsets[u]);
      ratings.set(batch[u].ratings, offsets[u]);
    }
    this.inFlight++;
    this.stats.batches++;
    this.stats.requests += n;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, n);
    // A synchronous throw (a malformed batch) becomes a rejection like the task's own failures.
    new Promise<Awaited<ReturnType<NativeModel['recommendNewUsers']>>>((resolve) =>
      resolve(batch[0].handle.recommendNewUsers(ids, ratings, offsets, ms, batch[0].options)),
    )
      .then(
        (r) => {
          const failed = new Map(r.failures.map((f) => [f.user, f]));
          for (let u = 0; u < n; u++) {
            const failure = failed.get(u);
            if (failure) {
              const { code, field } = failure;
              batch[u].reject(fromNativeError(Object.assign(new Error(failure.message), { code, field })));
              continue;
            }
            const lo = r.listOffsets[u];
            const hi = r.listOffsets[u + 1];
            batch[u].resolve({
              movieIds: r.movieIds.subarray(lo, hi),
              scores: r.scores.subarray(lo, hi),
              unknownIds: Array.from(r.unknownIds.subarray(r.unknownOffsets[u], r.unknownOffsets[u + 1])),
              personalised: r.personalised[u] === 1,
              explanations: r.explanations?.slice(lo, hi),
              coldStart: r.coldStart?.slice(lo, hi),
            });
          }
        },
        (err: unknown) => {
          const error = fromNativeError(err);
          for (const p of batch) p.reject(error);
        },
      )
      .finally(() => {
        this.inFlight--;
        // Requests that came in while this batch ran have waited long enough: send them now.
        this.dispatch();
      })
      .catch(() => undefined);
  }
}
