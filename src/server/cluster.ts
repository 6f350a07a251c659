// WORKERS > 1: one service on every core. The primary process forks the workers (node:cluster; each runs the whole
// service, serve.ts, and loads the current model version itself: the factors into its own memory, the training
// ratings mapped from the same .npy files, so their pages are shared) and does only what must happen once:
//   - it owns the port (cluster's round-robin hands each new connection to the next worker),
//   - it bootstraps the demo model when the data folder has none (BOOTSTRAP=demo), once for all workers, which follow
//     the new current version with their version watch,
//   - it turns SIGTERM/SIGINT into an ordered stop (each worker stops accepting, lets its requests finish and exits;
//     then the primary logs "stopped", flushes the log and exits 0; a second signal closes the requests left),
//     SIGHUP into a reload in every worker, and a worker that dies into a new one (with a growing delay),
//   - it writes the log file (log4js sends the workers' lines to the primary) and gathers the workers' metrics for
//     GET /metrics (prom-client's AggregatorRegistry).
import cluster, { type Worker } from 'node:cluster';
import { join } from 'node:path';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Config } from '../config.js';
import { configureLogger, getLogger, shutdownLogger } from '../logger.js';
import { ModelStore } from '../model/versions.js';
import type { PrimaryBootstrap } from './bootstrap.js';

/** The environment variable that hands a new worker the primary's bootstrap state. */
const BOOTSTRAP_ENV = 'MOVIEREC_PRIMARY_BOOTSTRAP';
/** A worker's exit code for "cannot serve at all" (the port is taken): the primary stops instead of forking again. */
export const EXIT_FATAL = 78;
/** Restart delays after unexpected worker exits: doubled for each exit in the last minute, up to the maximum. */
const RESTART_BASE_MS = 250;
const RESTART_MAX_MS = 30_000;

type ToWorker =
  | { movierec: 'shutdown'; signal: string }
  | { movierec: 'reload' }
  | { movierec: 'bootstrap'; state: PrimaryBootstrap }
  | { movierec: 'metrics'; id: number; text?: string; error?: string };
type ToPrimary = { movierec: 'metrics?'; id: number };

function isMessage<T extends { movierec: string }>(msg: unknown, kind: T['movierec']): msg is T {
  return typeof msg === 'object' && msg !== null && (msg as { movierec?: unknown }).movierec === kind;
}

export async function runPrimary(cfg: Config): Promise<void> {
  const svc = cfg.service;
  configureLogger({ dataDir: cfg.dataDir, level: cfg.logLevel });
  const logger = getLogger('service');
  const aggregator = new AggregatorRegistry();
  const store = new ModelStore(cfg.dataDir);
  const needsDemo = svc.bootstrap === 'demo' && (await store.current().catch(() => undefined)) === null;
  let bootstrap: PrimaryBootstrap = { status: needsDemo ? 'training' : 'none' };
  let stopping: string | null = null;
  let exitCode = 0;
  const recentExits: number[] = [];

  const workers = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
  const broadcast = (msg: ToWorker): void => {
    for (const w of workers()) if (w.isConnected()) w.send(msg);
  };
  const fork = (): void => {
    if (stopping === null) cluster.fork({ [BOOTSTRAP_ENV]: JSON.stringify(bootstrap) });
  };
  const finish = async (): Promise<void> => {
    logger.info('stopped');
    await shutdownLogger();
    process.exit(exitCode);
  };
  const stop = (signal: string): void => {
    if (stopping !== null) {
      logger.warn(`${signal} again: the workers close the requests still in flight now`);
      broadcast({ movierec: 'shutdown', signal });
      return;
    }
    stopping = signal;
    logger.info(`${signal}: stopping ${workers().length} worker(s); each lets its requests in flight finish`);
    broadcast({ movierec: 'shutdown', signal });
    if (workers().length === 0) void finish();
    // A worker that hangs past its own grace period is not waited for.
    setTimeout(() => {
      for (const w of workers()) w.process.kill('SIGKILL');
    }, svc.shutdownGraceMs + 5000).unref();
  };

  cluster.on('exit', (worker, code, signal) => {
    if (stopping !== null) {
      if (workers().length === 0) void finish();
      return;
    }
    if (code === EXIT_FATAL) {
      process.stderr.write(`movierec service: worker ${worker.process.pid} cannot serve (see the log); stopping\n`);
      logger.fatal(`worker ${worker.process.pid} cannot serve (exit ${code}); stopping the service`);
      exitCode = 1;
      stop('fatal worker exit');
      return;
    }
    const now = Date.now();
    recentExits.push(now);
    while (recentExits.length > 0 && recentExits[0] < now - 60_000) recentExits.shift();
    const delay = Math.min(RESTART_MAX_MS, RESTART_BASE_MS * 2 ** (recentExits.length - 1));
    logger.error(`worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting another in ${delay} ms`);
    setTimeout(fork, delay).unref();
  });
  cluster.on('message', (worker, msg: unknown) => {
    if (!isMessage<ToPrimary>(msg, 'metrics?')) return;
    aggregator.clusterMetrics().then(
      (text) => worker.isConnected() && worker.send({ movierec: 'metrics', id: msg.id, text } satisfies ToWorker),
      (err: Error) => worker.isConnected() && worker.send({ movierec: 'metrics', id: msg.id, error: err.message } satisfies ToWorker),
    );
  });
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => {
    logger.info('SIGHUP: every worker reloads the model');
    broadcast({ movierec: 'reload' });
  });

  logger.info(
    `primary ${process.pid}: ${svc.workers} workers serving http://${svc.host}:${svc.port} ` +
      `(data folder ${cfg.dataDir}, BOOTSTRAP=${svc.bootstrap})`,
  );
  for (let i = 0; i < svc.workers; i++) fork();

  if (needsDemo) {
    bootstrap = await bootstrapDemo(cfg, logger);
    broadcast({ movierec: 'bootstrap', state: bootstrap });
    if (bootstrap.status === 'none') broadcast({ movierec: 'reload' });
  }
}

/** Trains the demo model in the primary (the addon is loaded only then); the workers follow the pointer it moves. */
async function bootstrapDemo(cfg: Config, logger: ReturnType<typeof getLogger>): Promise<PrimaryBootstrap> {
  logger.info('no model in the data folder: generating the demo catalogue and training it once for every worker');
  const started = Date.now();
  try {
    const { MyRecModel, generateDemoDataset, DEMO_TRAIN_OPTIONS } = await import('../model/index.js');
    const demo = await generateDemoDataset(join(cfg.dataDir, 'datasets', 'demo'));
    const model = new MyRecModel({ dataDir: cfg.dataDir, threads: cfg.threads });
    const result = await model.train(demo.ratingsFile, { ...DEMO_TRAIN_OPTIONS });
    logger.info(`demo model version ${result.version} trained in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { status: 'none' };
  } catch (err) {
    logger.error(`bootstrapping the demo model failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    const { withoutPaths } = await import('./errors.js');
    return { status: 'failed', detail: withoutPaths(err instanceof Error ? err.message : String(err)) };
  }
}

/** What a worker process uses of its primary. */
export interface WorkerLink {
  /** The primary's bootstrap state when this worker started. */
  readonly bootstrap: PrimaryBootstrap;
  /** Every worker's metrics, aggregated by the primary. */
  renderMetrics(): Promise<string>;
  /** Lets the primary read this worker's registry. */
  shareMetrics(registry: Registry): void;
  onShutdown(handler: (signal: string) => void): void;
  onReload(handler: () => void): void;
  onBootstrap(handler: (state: PrimaryBootstrap) => void): void;
  /** Exits once the messages sent so far (the log lines) have reached the primary. */
  exit(code: number): void;
}

export function workerLink(): WorkerLink {
  const pending = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void }>();
  let nextId = 0;
  // A stop ordered before the worker is listening (the primary was signalled while this worker started) is kept and
  // handed to the handler when it is registered: dropping it would leave the worker running until the primary's kill.
  let earlyShutdown: string | null = null;
  const handlers: {
    shutdown: (signal: string) => void;
    reload: () => void;
    bootstrap: (state: PrimaryBootstrap) => void;
  } = {
    shutdown: (signal) => void (earlyShutdown = signal),
    reload: () => {},
    bootstrap: () => {},
  };
  process.on('message', (msg: unknown) => {
    if (isMessage<Extract<ToWorker, { movierec: 'shutdown' }>>(msg, 'shutdown')) handlers.shutdown(msg.signal);
    else if (isMessage(msg, 'reload')) handlers.reload();
    else if (isMessage<Extract<ToWorker, { movierec: 'bootstrap' }>>(msg, 'bootstrap')) handlers.bootstrap(msg.state);
    else if (isMessage<Extract<ToWorker, { movierec: 'metrics' }>>(msg, 'metrics')) {
      const waiting = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error !== undefined) waiting?.reject(new Error(`cluster metrics: ${msg.error}`));
      else waiting?.resolve(msg.text ?? '');
    }
  });
  // The primary coordinates the stop: a signal sent to the whole process group (Ctrl-C) must not stop a worker twice.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => undefined);
  return {
    bootstrap: parseBootstrap(process.env[BOOTSTRAP_ENV]),
    renderMetrics: () =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        process.send?.({ movierec: 'metrics?', id } satisfies ToPrimary);
      }),
    shareMetrics: (registry) => {
      AggregatorRegistry.setRegistries([registry]);
      // Constructing one installs the listener that answers the primary's requests.
      new AggregatorRegistry();
    },
    onShutdown: (handler) => {
      handlers.shutdown = handler;
      if (earlyShutdown !== null) handler(earlyShutdown);
    },
    onReload: (handler) => (handlers.reload = handler),
    onBootstrap: (handler) => (handlers.bootstrap = handler),
    exit: (code) => {
      if (!process.connected) process.exit(code);
      process.send?.({ movierec: 'exiting' }, () => process.exit(code));
    },
  };
}

function parseBootstrap(text: string | undefined): PrimaryBootstrap {
  try {
    const state = JSON.parse(text ?? '') as PrimaryBootstrap;
    if (state.status === 'training' || state.status === 'failed' || state.status === 'none') return state;
  } catch {
    // not started by this primary
  }
  return { status: 'none' };
}

export function isClusterWorker(): boolean {
  return cluster.isWorker;
}

export function isClusterPrimaryFor(cfg: Config): boolean {
  return cluster.isPrimary && cfg.service.workers > 1;
}
