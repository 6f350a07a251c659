// The service process: configuration (validated, exit 2 with a clear message when wrong), logging, listen on
// HOST:PORT, then load or bootstrap the model; SIGHUP reloads it, SIGTERM/SIGINT shut down gracefully.
import { createServer } from 'node:http';
import { join } from 'node:path';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { configureLogger, getLogger, logFilePath, shutdownLogger } from '../logger.js';
import { generateDemoDataset, MyRecModel } from '../model/index.js';
import { openRatingStore } from '../store/index.js';
import { createApp } from './app.js';
import { bootstrapModel } from './bootstrap.js';
import { ModelLifecycle } from './lifecycle.js';
import { gracefulShutdown } from './shutdown.js';

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`movierec service: ${err.message}\n(see docs/service.md for the variables)\n`);
      process.exit(2);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const cfg = readConfig();
  const svc = cfg.service;
  configureLogger({ dataDir: cfg.dataDir, level: cfg.logLevel });
  const logger = getLogger('service');
  process.on('unhandledRejection', (reason) => {
    logger.error(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
  });

  const model = new MyRecModel({ dataDir: cfg.dataDir, threads: cfg.threads });
  const lifecycle = new ModelLifecycle(model, logger);
  const store = await openRatingStore({ dataDir: cfg.dataDir, databaseUrl: cfg.databaseUrl });
  logger.info(`rating store: ${store.kind} at ${store.location}`);
  const app = createApp({
    model,
    store,
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
  });
  const handle = app.callback();
  const server = createServer((req, res) => void handle(req, res));

  await new Promise<void>((resolve) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const hint = err.code === 'EADDRINUSE' ? ' (the port is in use: set PORT to another one)' : '';
      logger.fatal(`cannot listen on ${svc.host}:${svc.port}: ${err.message}${hint}`);
      process.stderr.write(`movierec service: cannot listen on ${svc.host}:${svc.port}: ${err.message}${hint}\n`);
      void shutdownLogger().then(() => process.exit(1));
    });
    server.listen(svc.port, svc.host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : svc.port;
  logger.info(`listening on http://${svc.host}:${port} (data folder ${cfg.dataDir}, BOOTSTRAP=${svc.bootstrap})`);

  const shutdown = gracefulShutdown(server, {
    graceMs: svc.shutdownGraceMs,
    logger,
    onClosed: async () => {
      await store.close();
      logger.info('stopped');
      await shutdownLogger();
      process.exit(0);
    },
  });
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => {
    logger.info('SIGHUP: reloading the model');
    // The lifecycle logs the outcome; a refused model leaves the current one serving.
    lifecycle.reload().catch(() => undefined);
  });

  await bootstrapModel({
    model,
    lifecycle,
    mode: svc.bootstrap,
    logger,
    generateDemo: async () => (await generateDemoDataset(join(cfg.dataDir, 'datasets', 'demo'))).ratingsFile,
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`movierec service failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  void shutdownLogger().then(() => process.exit(1));
});
