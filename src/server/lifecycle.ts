// The service's view of the model's life: whether one is being bootstrapped, loaded, missing or refused, and the one
// way to reload it (POST /api/reload, SIGHUP and the version watch share it) or to promote a version (POST
// /api/reload?version=). MyRecModel does the atomic swap and moves the pointer; this only coordinates and maps the
// outcomes to HTTP errors.
import type { Logger } from 'log4js';
import type { ModelInfo } from '../model/types.js';
import type { RecModel } from './deps.js';
import { ApiError, badRequest, HOW_TO_TRAIN, withoutPaths } from './errors.js';

export type ModelStatus = 'starting' | 'bootstrapping' | 'ready' | 'no-model' | 'invalid-model' | 'bootstrap-failed';

/** A MyRecModel error code (see src/model/errors.ts), read structurally so this file does not depend on classes. */
export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export class ModelLifecycle {
  private currentStatus: ModelStatus = 'starting';
  private detail = '';
  /** Another process (the cluster's primary) is training the demo model: reloads are how this one gets it. */
  private bootstrapElsewhere = false;
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
    this.bootstrapElsewhere = false;
  }

  /** Says 'bootstrapping' until a reload finds the model another process is training. */
  followBootstrap(): void {
    this.setStatus('bootstrapping');
    this.bootstrapElsewhere = true;
  }

  /** Whether this process is training the demo model itself (reloads must wait for it). */
  get bootstrappingHere(): boolean {
    return this.currentStatus === 'bootstrapping' && !this.bootstrapElsewhere && !this.model.isReady();
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
    if (this.bootstrappingHere) {
      return Promise.reject(new ApiError(409, 'BOOTSTRAPPING', 'the demo model is being trained; reload after it is ready'));
    }
    if (!this.inFlightReload) {
      this.inFlightReload = this.swap('reload', () => this.model.reload()).finally(() => {
        this.inFlightReload = null;
      });
    }
    return this.inFlightReload;
  }

  /**
   * Loads `version`, makes it current (every replica follows) and serves it. Besides reload's errors: 400 for a
   * malformed id, 404 for a version that is not in the data folder; a damaged version is refused (422) and the
   * pointer does not move.
   */
  promote(version: string): Promise<ModelInfo> {
    if (this.bootstrappingHere) {
      return Promise.reject(new ApiError(409, 'BOOTSTRAPPING', 'the demo model is being trained; promote after it is ready'));
    }
    return this.swap(`promotion of version ${version}`, () => this.model.promote(version), `version ${version}`);
  }

  private async swap(what: string, load: () => Promise<ModelInfo>, subject = 'the model in the data folder'): Promise<ModelInfo> {
    const started = process.hrtime.bigint();
    try {
      const info = await load();
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      this.logger.info(`model ${what === 'reload' ? 'reloaded' : `swapped (${what})`} in ${ms.toFixed(0)} ms: version ` +
        `${this.model.servedVersion() ?? '?'}, trained at ${info.trainedAt}`);
      this.setStatus('ready');
      return info;
    } catch (err) {
      const code = errorCode(err);
      const keeping = this.model.isReady() ? 'keeping the current model' : 'still no model loaded';
      const reason = err instanceof Error ? err.message : String(err);
      this.logger.error(`model ${what} refused (${code ?? 'unexpected'}): ${reason}; ${keeping}`);
      const field = (err as { field?: unknown }).field;
      if (code === 'INVALID_INPUT') throw badRequest(withoutPaths(reason), typeof field === 'string' ? field : undefined);
      if (code === 'VERSION_NOT_FOUND') {
        throw new ApiError(404, 'VERSION_NOT_FOUND', `${withoutPaths(reason)}; ${keeping}`, { field: 'version' });
      }
      if (code === 'MODEL_NOT_FOUND') {
        throw new ApiError(409, 'MODEL_NOT_FOUND', `no model to load in the data folder; ${keeping}; ${HOW_TO_TRAIN}`);
      }
      if (code === 'INVALID_MODEL' || code === 'IO_ERROR' || code === 'DATASET_ERROR') {
        if (!this.model.isReady()) this.setStatus('invalid-model', 'corrupt or incompatible files');
        throw new ApiError(422, 'INVALID_MODEL', `${subject} is corrupt or incompatible; ${keeping}`);
      }
      throw err;
    }
  }
}
