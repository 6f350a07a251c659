// Progress bars on stderr (cli-progress), only when a person is watching: never with --json, never when stderr is
// not a terminal (CI logs, pipes).

import cliProgress from 'cli-progress';

import type { IterationStats } from '../model/index.js';
import type { CliContext } from './context.js';

/** A bar on the context's stderr in the project's style; `format` is cli-progress's, with its own payload names. */
export function progressBar(ctx: CliContext, format: string, barsize: number): cliProgress.SingleBar {
  return new cliProgress.SingleBar(
    { stream: ctx.io.stderr, format, hideCursor: true, barsize },
    cliProgress.Presets.shades_classic,
  );
}

export interface TrainingProgress {
  onIteration(stats: IterationStats): void;
  stop(): void;
}

/** `steps`: ALS iterations or Gibbs sweeps (burn-in + samples), and the ranking model's iterations. */
export function trainingProgress(ctx: CliContext, steps: number, json: boolean): TrainingProgress {
  if (!ctx.interactive(json)) return { onIteration: () => undefined, stop: () => undefined };
  const bar = progressBar(ctx, 'training |{bar}| {value}/{total} | train RMSE {rmse}{validation} | {elapsed} s', 30);
  bar.start(steps, 0, { rmse: '-', validation: '', elapsed: '0.0' });
  // Steps of both models (the rating model's, then the ranking model's), counted as they arrive.
  let done = 0;
  return {
    // For Gibbs sampling the train RMSE is that of the predictions averaged so far: it settles as samples add up.
    onIteration: (s) =>
      bar.update(++done, {
        rmse: s.trainRmse.toFixed(4),
        validation: s.validationRmse === undefined ? '' : ` | validation RMSE ${s.validationRmse.toFixed(4)}`,
        elapsed: s.elapsedSeconds.toFixed(1),
      }),
    stop: () => bar.stop(),
  };
}

export interface ByteProgress {
  update(received: number, total: number | undefined): void;
  stop(): void;
}

export function byteProgress(ctx: CliContext, label: string, json: boolean): ByteProgress {
  if (!ctx.interactive(json)) return { update: () => undefined, stop: () => undefined };
  const mb = (n: number) => (n / 1e6).toFixed(1);
  const bar = progressBar(ctx, `${label} |{bar}| {percentage}% | {got}/{all} MB`, 30);
  let started = false;
  return {
    update(received, total) {
      const all = total ?? Math.max(received, 1);
      if (!started) {
        bar.start(all, 0, { got: '0.0', all: total === undefined ? '?' : mb(all) });
        started = true;
      }
      bar.setTotal(all);
      bar.update(received, { got: mb(received), all: total === undefined ? '?' : mb(all) });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
