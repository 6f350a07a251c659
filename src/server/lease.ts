// This process's lease in DATA_DIR/models/.serving: the version it serves, rewritten on every swap and every
// LEASE_REFRESH_MS, removed at a graceful stop. `prune` never removes a version a live lease names, and GET /api/models
// counts the services serving each version. A lease not refreshed for three periods (a killed process) is ignored.
import type { Logger } from 'log4js';
import { LEASE_REFRESH_MS, ModelStore } from '../model/index.js';

export class ServingLease {
  private readonly id = ModelStore.leaseId();
  private version: string | null = null;
  private since = '';
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: ModelStore,
    private readonly logger: Logger,
  ) {}

  /** Records that this process now serves `version` (called on every swap). */
  serve(version: string): void {
    if (version !== this.version) this.since = new Date().toISOString();
    this.version = version;
    this.refresh();
    if (!this.timer) {
      this.timer = setInterval(() => this.refresh(), LEASE_REFRESH_MS);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.version = null;
    await this.writing;
    await this.store.removeLease(this.id).catch(() => undefined);
  }

  private refresh(): void {
    this.writing = this.writing.then(() => this.write());
  }

  private async write(): Promise<void> {
    if (!this.version) return;
    try {
      await this.store.writeLease(this.id, this.version, this.since);
    } catch (err) {
      this.logger.warn(`cannot write the serving lease in ${this.store.root} (pruning may remove the version served)`, err);
    }
  }
}
