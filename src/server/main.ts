// The service's entry point: configuration (validated, exit 2 with a clear message when wrong), then one serving
// process (WORKERS=1, serve.ts), or a cluster primary that forks WORKERS of them (cluster.ts); a forked worker lands
// here too and serves.
import { ConfigError, loadConfig, type Config } from '../config.js';
import { shutdownLogger } from '../logger.js';
import { isClusterPrimaryFor, isClusterWorker, runPrimary, workerLink } from './cluster.js';

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
  if (isClusterPrimaryFor(cfg)) {
    await runPrimary(cfg);
    return;
  }
  // Loaded here only: the primary does not need the addon (unless it trains the demo model).
  const { runServer } = await import('./serve.js');
  await runServer(cfg, isClusterWorker() ? workerLink() : undefined);
}

main().catch((err: unknown) => {
  process.stderr.write(`movierec service failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  void shutdownLogger().then(() => process.exit(1));
});
