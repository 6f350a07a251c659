// movierec tune --dataset=PATH [--folds 5] [--grid SPEC] [--trials N] [--seed 42] [--out FILE] [--json]
//
// k-fold cross-validation over a grid (`--grid 'factors=32,64;regFactors=0.03,0.05'`), a random sample of it
// (`--grid ... --trials N`), or a random search around the defaults (`--trials N`). Prints a ranked table and writes
// the best configuration as JSON for `movierec train --config FILE`.

import fs from 'node:fs/promises';
import path from 'node:path';

import { InvalidArgumentError, type Command } from 'commander';

import type { ConfigFile } from '../../model/params.js';
import {
  crossValidate,
  expandGrid,
  MAX_FOLDS,
  parseGrid,
  sampleConfigs,
  type FitProgress,
  type TuneResult,
} from '../../model/tune.js';
import { InvalidInputError } from '../../model/errors.js';
import { fmtInt, fmtNum, intOption, table, type CliContext } from '../context.js';
import { progressBar } from '../progress.js';

interface TuneFlags {
  dataset: string;
  folds: number;
  grid?: string;
  trials?: number;
  seed: number;
  out?: string;
  json?: boolean;
}

function foldsOption(value: string): number {
  const n = Number(value);
  if (/^\s*\d+\s*$/.test(value) && n === 1) {
    throw new InvalidArgumentError('must be at least 2: cross-validation holds out each fold once and trains on the others.');
  }
  return intOption(2, MAX_FOLDS)(value);
}

export function registerTune(program: Command, getContext: () => CliContext): void {
  program
    .command('tune')
    .description('choose hyper-parameters by k-fold cross-validation; writes the best configuration for train --config')
    .requiredOption('-d, --dataset <path>', 'ratings file to cross-validate on')
    .option('--folds <k>', `folds (2..${MAX_FOLDS})`, foldsOption, 5)
    .option('--grid <spec>', 'values to try, e.g. "factors=32,64;regFactors=0.03,0.05" (every combination)')
    .option('--trials <n>', 'random search: N configurations (sampled from --grid when given)', intOption(1, 500))
    .option('--seed <n>', 'seed of the folds and of the random search', intOption(0, Number.MAX_SAFE_INTEGER), 42)
    .option('--out <file>', 'where to write the best configuration (default DATA_DIR/tune/best-config.json)')
    .option('--json', 'print the result as one JSON document on stdout')
    .action(async (flags: TuneFlags) => {
      const ctx = getContext();
      const json = flags.json === true;
      const grid = flags.grid === undefined ? undefined : parseGrid(flags.grid);
      const configs =
        flags.trials !== undefined ? sampleConfigs(flags.trials, flags.seed, grid) : grid ? expandGrid(grid) : [{}];
      if (configs.length === 0) throw new InvalidInputError('the search produced no configuration');
      ctx.logger.info(`tune: ${configs.length} configurations x ${flags.folds} folds: ${JSON.stringify(configs)}`);
      ctx.model(); // applies THREADS to the native pool
      const progress = tuneProgress(ctx, configs.length * flags.folds, json);
      let result: TuneResult;
      try {
        result = await crossValidate(flags.dataset, configs, {
          folds: flags.folds,
          seed: flags.seed,
          threads: ctx.config.threads,
          onFit: (p) => progress.update(p, configs),
        });
      } finally {
        progress.stop();
      }
      const out = path.resolve(flags.out ?? path.join(ctx.config.dataDir, 'tune', 'best-config.json'));
      await writeBestConfig(out, result);
      ctx.logger.info(`tune: best configuration written to ${out}`);
      if (json) ctx.printJson({ ...result, bestConfigFile: out });
      else printRanking(ctx, result, out);
    });
}

function tuneProgress(ctx: CliContext, total: number, json: boolean) {
  if (!ctx.interactive(json)) return { update: (_p: FitProgress, _c: unknown[]) => undefined, stop: () => undefined };
  const bar = progressBar(ctx, 'tuning |{bar}| {value}/{total} fits | fold {fold} | best mean RMSE {best} {config}', 25);
  bar.start(total, 0, { fold: '-', best: '-', config: '' });
  return {
    update: (p: FitProgress, configs: unknown[]) =>
      bar.update(p.done, {
        fold: p.fold,
        best: fmtNum(p.best.meanRmse),
        config: p.best.configIndex >= 0 ? describeConfig(configs[p.best.configIndex] as object) : '',
      }),
    stop: () => bar.stop(),
  };
}

function describeConfig(config: object): string {
  const entries = Object.entries(config);
  return entries.length === 0 ? '(defaults)' : entries.map(([k, v]) => `${k}=${String(v)}`).join(' ');
}

/** The best parameters (threads left out: they belong to the machine, not the model) plus how they were chosen. */
export function bestConfigDocument(result: TuneResult): ConfigFile {
  const best = result.results[0];
  const { threads: _threads, ...params } = best.params;
  return {
    ...params,
    tuning: {
      dataset: result.dataset.path,
      sha256: result.dataset.sha256,
      folds: result.folds,
      seed: result.seed,
      configurations: result.results.length,
      meanRmse: best.meanRmse,
      sdRmse: best.sdRmse,
      meanMae: best.meanMae,
      secondsPerFit: best.meanSeconds,
      totalSeconds: result.totalSeconds,
      tunedAt: new Date().toISOString(),
    },
  };
}

async function writeBestConfig(file: string, result: TuneResult): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.tmp-${process.pid}`;
  await fs.writeFile(temporary, `${JSON.stringify(bestConfigDocument(result), null, 2)}\n`, 'utf8');
  await fs.rename(temporary, file);
}

function printRanking(ctx: CliContext, r: TuneResult, out: string): void {
  const d = r.dataset;
  ctx.print(
    `Cross-validation on ${d.path}: ${fmtInt(d.ratings)} ratings, ${r.folds} folds (seed ${r.seed}), ` +
      `${r.results.length} configuration${r.results.length === 1 ? '' : 's'}, ${r.totalSeconds.toFixed(1)} s in total`,
  );
  ctx.print();
  const rows = r.results.map((c, i) => [
    `${i + 1}. ${describeConfig(c.config)}`,
    `${fmtNum(c.meanRmse)} ± ${fmtNum(c.sdRmse)}`,
    fmtNum(c.meanMae),
    c.meanSeconds.toFixed(2),
  ]);
  ctx.print(table(['configuration (best first)', 'RMSE (mean ± sd)', 'MAE', 's/fit'], rows));
  ctx.print();
  ctx.print(`Best configuration written to ${out}`);
  ctx.print(`Train with it: movierec train --dataset=${d.path} --config ${out}`);
}
