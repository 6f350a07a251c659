// One serving process: the whole service with WORKERS=1, or one cluster worker (cluster.ts). Logging, listen on
// HOST:PORT, then load the current model version or bootstrap one; the version watch follows the current pointer, the
// lease says which version this process serves. Alone, it handles the signals itself (SIGHUP reloads, SIGTERM/SIGINT
// shut down gracefully); as a worker, the primary sends it the same orders.
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { configureLogger, getLogger, logFilePath, shutdownLogger } from '../logger.js';
import { generateDemoDataset, ModelStore, MyRecModel } from '../model/index.js';
import { openRatingStore } from '../store/index.js';
import { createApp } from './app.js';
import { bootstrapModel, followPrimaryBootstrap } from './bootstrap.js';
import { EXIT_FATAL, type WorkerLink } from './cluster.js';
import { ServingLease } from './lease.js';
import { ModelLifecycle } from './lifecycle.js';
import { gracefulShutdown } from './shutdown.js';
import { VersionWatch } from './versionWatch.js';

export async function runServer(cfg: Config, link?: WorkerLink): Promise<void> {
  const svc = cfg.service;
  configureLogger({ dataDir: cfg.dataDir, level: cfg.logLevel });
  const logger = getLogger('service');
  const who = link ? `worker ${process.pid}` : `process ${process.pid}`;
  process.on('unhandledRejection', (reason) => {
    logger.error(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
  });

  const lease = new ServingLease(new ModelStore(cfg.dataDir), logger);
  const model = new MyRecModel({ dataDir: cfg.dataDir, threads: cfg.threads, onSwap: (version) => lease.serve(version) });
  const lifecycle = new ModelLifecycle(model, logger);
  const ratingStore = await openRatingStore({ dataDir: cfg.dataDir, databaseUrl: cfg.databaseUrl });
  logger.info(`rating store: ${ratingStore.kind} at ${ratingStore.location}`);
  const app = createApp({
    model,
    store: ratingStore,
    lifecycle,
    getLogger,
    settings: {
      authorName: svc.authorName,
      authorContact: svc.authorContact,
      bodyLimitBytes: svc.bodyLimitBytes,
      rateLimitPerSecond: svc.rateLimitPerSecond,
      logFile: logFilePath() ?? `${cfg.dataDir}/log_file.log`,
      buildInfoPath: svc.buildInfoPath,
    },
    ...(link ? { renderMetrics: () => link.renderMetrics() } : {}),
  });
  link?.shareMetrics(app.metrics.registry);
  const handle = app.callback();
  const server = createServer((req, res) => void handle(req, res));
  const watch = new VersionWatch({
    dir: model.store.root,
    mode: svc.modelWatch,
    pollMs: svc.modelPollMs,
    wanted: async () => (await model.store.current())?.version ?? null,
    served: () => model.servedVersion(),
    reload: () => lifecycle.reload(),
    paused: () => lifecycle.bootstrappingHere,
    logger,
  });

  const stopAndExit = async (code: number): Promise<void> => {
    watch.stop();
    await lease.stop();
    await ratingStore.close();
    if (link) {
      logger.info(`${who} stopped`);
      link.exit(code);
      return;
    }
    logger.info('stopped');
    await shutdownLogger();
    process.exit(code);
  };

  await new Promise<void>((resolve) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const hint = err.code === 'EADDRINUSE' ? ' (the port is in use: set PORT to another one)' : '';
      logger.fatal(`cannot listen on ${svc.host}:${svc.port}: ${err.message}${hint}`);
      process.stderr.write(`movierec service: cannot listen on ${svc.host}:${svc.port}: ${err.message}${hint}\n`);
      void stopAndExit(link ? EXIT_FATAL : 1);
    });
    server.listen(svc.port, svc.host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : svc.port;
  logger.info(
    `listening on http://${svc.host}:${port} (${who}, data folder ${cfg.dataDir}, ` +
      `BOOTSTRAP=${svc.bootstrap}${link ? ' in the primary' : ''}, MODEL_WATCH=${svc.modelWatch})`,
  );

  const shutdown = gracefulShutdown(server, {
    graceMs: svc.shutdownGraceMs,
    logger,
    onClosed: () => stopAndExit(0),
  });
  const reload = (why: string) => {
    logger.info(`${why}: reloading the model`);
    // The lifecycle logs the outcome; a refused model leaves the current one serving.
    lifecycle.reload().catch(() => undefined);
  };
  if (link) {
    link.onShutdown(shutdown);
    link.onReload(() => reload('reload ordered by the primary'));
    link.onBootstrap((state) => {
      if (!model.isReady()) followPrimaryBootstrap(lifecycle, state);
    });
  } else {
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGHUP', () => reload('SIGHUP'));
  }

  await bootstrapModel({
    model,
    lifecycle,
    mode: svc.bootstrap,
    logger,
    generateDemo: async () => (await generateDemoDataset(join(cfg.dataDir, 'datasets', 'demo'))).ratingsFile,
    ...(link ? { elsewhere: link.bootstrap } : {}),
  });
  // After the first load, so the two do not load the same version at once.
  watch.start();
}
