// The service's view of the model's life: whether one is being bootstrapped, loaded, missing or refused, and the one
// way to reload it (POST /api/reload and SIGHUP share it). MyRecModel does the atomic swap; this only coordinates.
import type { Logger } from 'log4js';
import type { ModelInfo } from '../model/types.js';
import type { RecModel } from './deps.js';
import { ApiError, HOW_TO_TRAIN } from './errors.js';

export type ModelStatus = 'starting' | 'bootstrapping' | 'ready' | 'no-model' | 'invalid-model' | 'bootstrap-failed';

/** A MyRecModel error code (see src/model/errors.ts), read structurally so this file does not depend on classes. */
export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export class ModelLifecycle {
  private currentStatus: ModelStatus = 'starting';
  private detail = '';
  private inFlightReload: Promise<ModelInfo> | null = null;

  constructor(
    private readonly model: RecModel,
    private readonly logger: Logger,
  ) {}

  get status(): ModelStatus {
    return this.model.isReady() ? 'ready' : this.currentStatus;
  }

  setStatus(status: ModelStatus, detail = ''): void {
    this.currentStatus = status;
    this.detail = detail;
  }

  /** Why there is no model to serve, phrased for the client (no paths, says what to do). */
  notReadyMessage(): string {
    switch (this.status) {
      case 'starting':
        return 'the service is starting and has not loaded a model yet';
      case 'bootstrapping':
        return 'bootstrapping: training the demo model, ready in a few seconds';
      case 'invalid-model':
        return `the model in the data folder was refused (${this.detail}); ${HOW_TO_TRAIN}`;
      case 'bootstrap-failed':
        return `training the demo model failed (${this.detail}); ${HOW_TO_TRAIN}`;
      default:
        return `no model loaded: ${HOW_TO_TRAIN}`;
    }
  }

  notReadyError(): ApiError {
    const code = this.status === 'bootstrapping' ? 'BOOTSTRAPPING' : 'MODEL_NOT_READY';
    return new ApiError(503, code, this.notReadyMessage(), { headers: { 'Retry-After': '5' } });
  }

  /** Throws the 503 when no model is loaded. */
  requireReady(): void {
    if (!this.model.isReady()) throw this.notReadyError();
  }

  /**
   * Loads the newest model from the data folder and swaps it in. Concurrent calls share one load. On failure the
   * current model (if any) keeps serving and an ApiError says why: 409 when there is nothing to load or a bootstrap is
   * running, 422 when the files are corrupt or incompatible.
   */
  reload(): Promise<ModelInfo> {
    if (this.currentStatus === 'bootstrapping' && !this.model.isReady()) {
      return Promise.reject(new ApiError(409, 'BOOTSTRAPPING', 'the demo model is being trained; reload after it is ready'));
    }
    if (!this.inFlightReload) {
      this.inFlightReload = this.reloadOnce().finally(() => {
        this.inFlightReload = null;
      });
    }
    return this.inFlightReload;
  }

  private async reloadOnce(): Promise<ModelInfo> {
    const started = process.hrtime.bigint();
    try {
      const info = await this.model.reload();
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      this.logger.info(`model reloaded in ${ms.toFixed(0)} ms: trained at ${info.trainedAt}`);
      this.setStatus('ready');
      return info;
    } catch (err) {
      const code = errorCode(err);
      const keeping = this.model.isReady() ? 'keeping the current model' : 'still no model loaded';
      const reason = err instanceof Error ? err.message : String(err);
      this.logger.error(`model reload refused (${code ?? 'unexpected'}): ${reason}; ${keeping}`);
      if (code === 'MODEL_NOT_FOUND') {
        throw new ApiError(409, 'MODEL_NOT_FOUND', `no model to load in the data folder; ${keeping}; ${HOW_TO_TRAIN}`);
      }
      if (code === 'INVALID_MODEL' || code === 'IO_ERROR' || code === 'DATASET_ERROR') {
        if (!this.model.isReady()) this.setStatus('invalid-model', 'corrupt or incompatible files');
        throw new ApiError(422, 'INVALID_MODEL', `the model in the data folder is corrupt or incompatible; ${keeping}`);
      }
      throw err;
    }
  }
}
