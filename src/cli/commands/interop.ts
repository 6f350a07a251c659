// movierec import spark DIR [--ratings FILE] [--movies FILE] [--reg X --implicit-prefs --alpha X --max-iter N --seed N]
// movierec import implicit FILE.npz [--ratings FILE] [--movies FILE]
// movierec export implicit FILE.npz
// Other engines' models (docs/interop.md): an import is saved where `train` saves and served like a trained model.

import type { Command } from 'commander';

import type { ImportResult } from '../../model/index.js';
import { fmtInt, intOption, numberOption, type CliContext } from '../context.js';

interface ImportFlags {
  ratings?: string;
  movies?: string;
  skipInvalid?: boolean;
  json?: boolean;
}

interface SparkFlags extends ImportFlags {
  reg?: number;
  implicitPrefs?: boolean;
  alpha?: number;
  maxIter?: number;
  seed?: number;
}

function withSourceOptions(command: Command): Command {
  return command
    .option('--ratings <file>', 'the ratings it was trained on (any MovieLens layout): stored to leave seen movies out of known users\' lists')
    .option('--movies <file>', 'movies file for titles (default: the one beside --ratings)')
    .option('--skip-invalid', 'skip and count malformed lines of --ratings instead of stopping at the first')
    .option('--json', 'print the result as one JSON document on stdout');
}

export function registerInterop(program: Command, getContext: () => CliContext): void {
  const imports = program.command('import').description("import another engine's model as a new model version in DATA_DIR/models (docs/interop.md)");
  withSourceOptions(
    imports
      .command('spark')
      .argument('<dir>', 'a Spark MLlib ALSModel folder (model.write().save(dir)): metadata/, userFactors/, itemFactors/')
      .description('import a Spark MLlib ALSModel; Spark does not save how it was trained, so say it (Spark\'s defaults otherwise)'),
  )
    .option('--reg <x>', "the ALS regParam it was trained with (Spark's default 0.1): new users are folded in with it", numberOption(0, 1e6))
    .option('--implicit-prefs', 'it was trained with implicitPrefs=true')
    .option('--alpha <x>', "with --implicit-prefs: its alpha (Spark's default 1.0)", numberOption(0, 1e4))
    .option('--max-iter <n>', 'its maxIter, recorded (Spark\'s default 10)', intOption(1, 1000))
    .option('--seed <n>', 'its seed, recorded', intOption(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER))
    .action(async (dir: string, flags: SparkFlags) => {
      const ctx = getContext();
      const result = await ctx.model().importSpark(dir, {
        ratings: flags.ratings,
        movies: flags.movies,
        skipInvalid: flags.skipInvalid === true,
        regParam: flags.reg,
        implicitPrefs: flags.implicitPrefs,
        alpha: flags.alpha,
        maxIter: flags.maxIter,
        seed: flags.seed,
      });
      report(ctx, result, flags.json === true);
    });
  withSourceOptions(
    imports
      .command('implicit')
      .argument('<file>', "an archive saved by implicit's AlternatingLeastSquares.save (.npz)")
      .description("import an implicit ALS model; rows are its movierec_*_ids, else the ascending ids of --ratings, else the row numbers"),
  ).action(async (file: string, flags: ImportFlags) => {
    const ctx = getContext();
    const result = await ctx.model().importImplicit(file, {
      ratings: flags.ratings,
      movies: flags.movies,
      skipInvalid: flags.skipInvalid === true,
    });
    report(ctx, result, flags.json === true);
  });

  program
    .command('export')
    .description("write the model in another engine's format (docs/interop.md)")
    .command('implicit')
    .argument('<file>', 'the .npz file to write')
    .description("write the model as implicit's AlternatingLeastSquares.save does (load it with AlternatingLeastSquares.load)")
    .option('--json', 'print the result as one JSON document on stdout')
    .action(async (file: string, flags: { json?: boolean }) => {
      const ctx = getContext();
      const result = await ctx.model().exportImplicit(file);
      if (flags.json === true) ctx.printJson(result);
      else ctx.print(`Exported     ${result.file}: ${fmtInt(result.users)} users, ${fmtInt(result.movies)} movies, ${result.factors} factors`);
    });
}

export function report(ctx: CliContext, r: ImportResult, json: boolean): void {
  if (json) {
    ctx.printJson(r);
    return;
  }
  const from = r.importedFrom;
  ctx.print(`Imported     ${from.path} (${from.format}${from.engineVersion ? `, Spark ${from.engineVersion}` : ''})`);
  ctx.print(`Model        ${fmtInt(r.counts.users)} users, ${fmtInt(r.counts.movies)} movies, ${r.counts.factors} factors; estimates user . movie, unclipped`);
  if (r.dataset.layout === null) {
    ctx.print('Ratings      none given: known users\' lists may hold movies they rated, and the popular list has nothing to rank by');
  } else {
    ctx.print(`Ratings      ${fmtInt(r.counts.ratings)} of ${r.dataset.path} stored` +
      (from.ratingsLeftOut > 0 ? ` (${fmtInt(from.ratingsLeftOut)} of users or movies the model lacks left out)` : ''));
  }
  ctx.print(`Scale        ${r.scale.min}..${r.scale.max} (new users' ratings; ${r.dataset.layout === null ? 'the MovieLens scale' : 'from the ratings'})`);
  ctx.print(`Model        saved to ${r.modelDir} in ${r.seconds.toFixed(2)} s`);
}
