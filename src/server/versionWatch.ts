// Follows the current pointer of DATA_DIR/models: when it names another version than the one served, reload (a
// reference swap: requests already running finish on the old model). Two ways of noticing, so that every service
// serves a promoted version within about a second without a request:
//   - file events on the models/ folder (fs.watch: inotify on Linux; seen within milliseconds, debounced), and
//   - a poll of the pointer every MODEL_POLL_MS (1 s by default), which also covers what file events miss: file systems
//     whose events do not cross machines (NFS and other network shares), a models/ folder replaced after the start,
//     and a legacy DATA_DIR/model retrained by an older program (outside models/).
// MODEL_WATCH=poll leaves the file events out; MODEL_WATCH=off turns both off (reload by SIGHUP or POST /api/reload).
import { mkdirSync, watch, type FSWatcher } from 'node:fs';
import type { Logger } from 'log4js';
import type { ModelWatchMode } from '../config.js';

/** Events in a burst (a pointer rename is a few) are handled once, after this quiet time. */
const DEBOUNCE_MS = 25;

export interface VersionWatchOptions {
  /** The models/ folder. */
  dir: string;
  mode: ModelWatchMode;
  pollMs: number;
  /** The version the pointer names now, or null when there is none. */
  wanted: () => Promise<string | null>;
  /** The version served now, or null. */
  served: () => string | null;
  /** Loads the version the pointer names and swaps it in (the lifecycle's reload). */
  reload: () => Promise<unknown>;
  /** While true, changes wait (the demo model is being trained in this process). */
  paused?: () => boolean;
  logger: Logger;
}

export type WatchTrigger = 'event' | 'poll';

export class VersionWatch {
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private debounce: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private pending: WatchTrigger | null = null;
  /** A version whose load failed: not tried again until the pointer names another one. */
  private refused: string | null = null;
  private lastProblem = '';

  constructor(private readonly opts: VersionWatchOptions) {}

  /** Whether file events are being received (false in poll mode, or when fs.watch is unavailable). */
  get watchingEvents(): boolean {
    return this.watcher !== null;
  }

  start(): void {
    const { mode, dir, pollMs, logger } = this.opts;
    if (mode === 'off') {
      logger.info('MODEL_WATCH=off: a new current version is served after SIGHUP or POST /api/reload');
      return;
    }
    if (mode === 'fs') this.watchEvents(dir);
    this.timer = setInterval(() => void this.check('poll'), pollMs);
    this.timer.unref();
    logger.info(
      `following the current model version in ${dir}: ${this.watcher ? 'file events and ' : ''}a poll every ${pollMs} ms`,
    );
  }

  stop(): void {
    this.watcher?.close();
    this.watcher = null;
    if (this.timer) clearInterval(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
    this.timer = this.debounce = null;
  }

  /** Compares the pointer with the version served and reloads when they differ. Calls during a check are merged. */
  check(trigger: WatchTrigger): Promise<void> {
    if (this.running) {
      this.pending ??= trigger;
      return this.running;
    }
    this.running = this.checkOnce(trigger).finally(() => {
      this.running = null;
      const again = this.pending;
      this.pending = null;
      if (again) void this.check(again);
    });
    return this.running;
  }

  private watchEvents(dir: string): void {
    try {
      mkdirSync(dir, { recursive: true });
      this.watcher = watch(dir, { persistent: false }, () => this.soon());
      this.watcher.on('error', (err) => {
        this.opts.logger.warn(`file events on ${dir} stopped (${err.message}); the poll goes on`);
        this.watcher?.close();
        this.watcher = null;
      });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.opts.logger.warn(`no file events on ${dir} (${reason}); following the pointer by polling only`);
      this.watcher = null;
    }
  }

  private soon(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = null;
      void this.check('event');
    }, DEBOUNCE_MS);
    this.debounce.unref();
  }

  private async checkOnce(trigger: WatchTrigger): Promise<void> {
    const { logger } = this.opts;
    if (this.opts.paused?.()) return;
    let wanted: string | null;
    try {
      wanted = await this.opts.wanted();
      this.lastProblem = '';
    } catch (err) {
      const problem = err instanceof Error ? err.message : String(err);
      if (problem !== this.lastProblem) logger.error(`cannot read the current model version: ${problem}`);
      this.lastProblem = problem;
      return;
    }
    const served = this.opts.served();
    if (wanted === null || wanted === served || wanted === this.refused) return;
    logger.info(`the current model version is now ${wanted} (serving ${served ?? 'none'}; seen by ${trigger}): reloading`);
    try {
      await this.opts.reload();
      this.refused = null;
    } catch {
      // The lifecycle logged why; the model served stays.
      this.refused = wanted;
    }
  }
}
