// Start-up model loading. The service listens first (so /healthz answers and /readyz says why it is not ready), then:
// a model in data/model is loaded; when there is none, BOOTSTRAP=demo generates the demo catalogue and trains it,
// BOOTSTRAP=none leaves the service answering 503 with how to train. A model that exists but is refused is never
// overwritten: the operator decides. In a cluster worker the primary trains the demo model (once for all workers); the
// worker says 'bootstrapping' and its version watch loads the model when the primary makes it current.
import type { Logger } from 'log4js';
import { DEMO_TRAIN_OPTIONS } from '../model/datasets.js';
import type { ModelInfo, TrainOptions, TrainResult } from '../model/types.js';
import { errorCode, type ModelLifecycle } from './lifecycle.js';
import { HOW_TO_TRAIN, withoutPaths } from './errors.js';

export interface BootstrapDeps {
  model: {
    warmup(): Promise<ModelInfo>;
    train(datasetPath: string, options?: TrainOptions): Promise<TrainResult>;
  };
  lifecycle: ModelLifecycle;
  mode: 'demo' | 'none';
  logger: Logger;
  /** Writes the demo catalogue (ratings + movies) and returns the ratings path to train on. */
  generateDemo: () => Promise<string>;
  /** Another process bootstraps (the cluster's primary): its state instead of training here. */
  elsewhere?: PrimaryBootstrap;
}

/** What the cluster's primary says of its demo bootstrap (passed to each worker it starts, then by message). */
export interface PrimaryBootstrap {
  status: 'training' | 'failed' | 'none';
  detail?: string;
}

/** Applies the primary's bootstrap state to a worker that has no model yet. */
export function followPrimaryBootstrap(lifecycle: ModelLifecycle, state: PrimaryBootstrap): void {
  if (state.status === 'training') lifecycle.followBootstrap();
  else if (state.status === 'failed') lifecycle.setStatus('bootstrap-failed', state.detail ?? '');
  else lifecycle.setStatus('no-model');
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function bootstrapModel(deps: BootstrapDeps): Promise<void> {
  const { model, lifecycle, logger } = deps;
  try {
    const info = await model.warmup();
    lifecycle.setStatus('ready');
    logger.info(`model loaded: trained at ${info.trainedAt} on ${info.counts.users} users, ${info.counts.movies} movies`);
    return;
  } catch (err) {
    const code = errorCode(err);
    if (code !== 'MODEL_NOT_FOUND') {
      lifecycle.setStatus('invalid-model', withoutPaths(reason(err)));
      logger.error(`the model in the data folder was refused (${code ?? 'unexpected'}): ${reason(err)}; not ready`);
      return;
    }
  }
  if (deps.elsewhere) {
    followPrimaryBootstrap(lifecycle, deps.elsewhere);
    return;
  }
  if (deps.mode === 'none') {
    lifecycle.setStatus('no-model');
    logger.warn(`no model in the data folder and BOOTSTRAP=none: answering 503 until there is one; ${HOW_TO_TRAIN}`);
    return;
  }
  lifecycle.setStatus('bootstrapping');
  logger.info('no model in the data folder: generating the demo catalogue and training it (BOOTSTRAP=demo)');
  const started = Date.now();
  try {
    const ratingsPath = await deps.generateDemo();
    const result = await model.train(ratingsPath, { ...DEMO_TRAIN_OPTIONS });
    lifecycle.setStatus('ready');
    logger.info(
      `demo model trained in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
        `(${result.dataset.ratings} ratings, ${result.dataset.users} users, ${result.dataset.movies} movies); ready`,
    );
  } catch (err) {
    lifecycle.setStatus('bootstrap-failed', withoutPaths(reason(err)));
    logger.error(`bootstrapping the demo model failed: ${err instanceof Error ? (err.stack ?? err.message) : reason(err)}`);
  }
}
