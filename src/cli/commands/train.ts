// movierec train --dataset=PATH [--config FILE] [--factors N --reg X --reg-bias X --iters N --seed N --threads N]
//   [--method gibbs|als --samples N --burn-in N --noise-std X --solver cholesky|cg] [--validation-fraction F --early-stopping N]
//   [--feedback explicit|implicit --alpha X --cg-steps N] [--skip-invalid] [--json]
// --config reads parameters from a JSON file (what `movierec tune` writes, or a hand-written one); flags override it.

import { Option, type Command } from 'commander';

import { MyRecModel, totalSteps, type TrainOptions, type TrainResult } from '../../model/index.js';
import { readConfigFile } from '../../model/params.js';
import { fmtInt, fmtNum, intOption, numberOption, type CliContext } from '../context.js';
import { trainingProgress } from '../progress.js';

/** Commander's options: the training options under their flag names (`--reg`, `--iters`), plus the command's own. */
type TrainFlags = Omit<TrainOptions, 'regFactors' | 'iterations' | 'onIteration'> & {
  dataset: string;
  config?: string;
  reg?: number;
  iters?: number;
  json?: boolean;
};

export function registerTrain(program: Command, getContext: () => CliContext): void {
  const d = MyRecModel.defaultParams();
  const di = MyRecModel.implicitDefaultParams();
  const da = MyRecModel.alsDefaultParams();
  program
    .command('train')
    .description('train a model on a MovieLens ratings file and save it to DATA_DIR/model')
    .requiredOption('-d, --dataset <path>', 'ratings file (ratings.dat, u.data or ratings.csv; layout detected)')
    .option('--config <file>', 'JSON file of parameters (e.g. from movierec tune); the flags below override it')
    .option('--factors <n>', `latent factors (default ${d.factors})`, intOption(1, 1024))
    .addOption(
      new Option(
        '--method <method>',
        `gibbs: Gibbs sampling, posterior-mean model; als: alternating least squares ` +
          `(default ${d.method}; als with --feedback implicit)`,
      ).choices(['gibbs', 'als']),
    )
    .option('--samples <n>', `gibbs only: sweeps averaged into the model (default ${d.samples})`, intOption(1, 100_000))
    .option('--burn-in <n>', `gibbs only: sweeps discarded first (default ${d.burnIn})`, intOption(0, 100_000))
    .option('--noise-std <x>', `gibbs only: rating noise std (default ${d.noiseStd})`, numberOption(1e-6, 10))
    .option(
      '--reg <x>',
      `regularisation of the factors (default ${d.regFactors}; ${da.regFactors} with --method als, ` +
        `${di.regFactors} with --feedback implicit)`,
      numberOption(0, 1e6),
    )
    .option(
      '--reg-bias <x>',
      `regularisation of the biases (default ${d.regBias}; ${da.regBias} with --method als)`,
      numberOption(0, 1e6),
    )
    .option(
      '--iters <n>',
      `ALS iterations (default ${d.iterations} to start the gibbs chain; ${da.iterations} with --method als)`,
      intOption(1, 1000),
    )
    .option(
      '--validation-fraction <f>',
      'hold out this fraction of the ratings (seeded) and report its RMSE per iteration (default 0: none)',
      numberOption(0, 0.49),
    )
    .option(
      '--early-stopping <n>',
      'als with --validation-fraction: stop after N iterations without improvement, keep the best (default 0: never)',
      intOption(0, 1000),
    )
    .addOption(
      new Option(
        '--solver <solver>',
        'als only: cholesky (exact row solves) or cg (--cg-steps warm-started conjugate-gradient steps, faster; ' +
          'default cholesky)',
      ).choices(['cholesky', 'cg']),
    )
    .option('--seed <n>', `random seed (default ${d.seed})`, intOption(0, Number.MAX_SAFE_INTEGER))
    .option('--threads <n>', 'worker threads, 0 = all cores (default THREADS)', intOption(0, 1024))
    .addOption(
      new Option(
        '--feedback <kind>',
        'explicit: predict ratings; implicit: confidence-weighted, for top-N lists (default explicit)',
      ).choices(['explicit', 'implicit']),
    )
    .option('--alpha <x>', `implicit only: confidence 1 + alpha * rating (default ${di.alpha})`, numberOption(0, 1e6))
    .option('--cg-steps <n>', `conjugate-gradient steps, implicit or --solver cg (default ${di.cgSteps})`, intOption(1, 1000))
    .option('--skip-invalid', 'skip and count malformed lines instead of stopping at the first')
    .option('--json', 'print the result as one JSON document on stdout')
    .action(async (flags: TrainFlags) => {
      const ctx = getContext();
      const json = flags.json === true;
      const options = await withConfigFile(ctx, flags.config, trainOptions(flags));
      const result = await runTraining(ctx, flags.dataset, options, json);
      if (json) ctx.printJson(result);
      else printSummary(ctx, result);
    });
}

export function trainOptions(flags: Omit<TrainFlags, 'dataset'>): TrainOptions {
  return {
    factors: flags.factors,
    regFactors: flags.reg,
    regBias: flags.regBias,
    iterations: flags.iters,
    seed: flags.seed,
    threads: flags.threads,
    feedback: flags.feedback,
    alpha: flags.alpha,
    cgSteps: flags.cgSteps,
    method: flags.method,
    samples: flags.samples,
    burnIn: flags.burnIn,
    noiseStd: flags.noiseStd,
    validationFraction: flags.validationFraction,
    earlyStopping: flags.earlyStopping,
    solver: flags.solver,
    skipInvalid: flags.skipInvalid === true,
  };
}

/** The config file's parameters, overridden by every flag given on the command line. */
async function withConfigFile(ctx: CliContext, file: string | undefined, fromFlags: TrainOptions): Promise<TrainOptions> {
  if (file === undefined) return fromFlags;
  const fromFile = await readConfigFile(file);
  const given = Object.fromEntries(Object.entries(fromFlags).filter(([, v]) => v !== undefined));
  const merged: TrainOptions = { ...fromFile, ...given, skipInvalid: fromFlags.skipInvalid };
  ctx.logger.info(`train: parameters from ${file}: ${JSON.stringify(fromFile)}; overridden by flags: ${JSON.stringify(given)}`);
  return merged;
}

/** Trains with the progress bar (shared with `demo`) and logs the summary. */
export async function runTraining(
  ctx: CliContext,
  datasetPath: string,
  options: TrainOptions,
  json: boolean,
): Promise<TrainResult> {
  const model = ctx.model(options.threads);
  if (ctx.interactive(json)) ctx.note(`reading ${datasetPath} ...`);
  let progress: ReturnType<typeof trainingProgress> | undefined;
  try {
    const result = await model.train(datasetPath, {
      ...options,
      onIteration: (stats) => {
        progress ??= trainingProgress(ctx, totalSteps(MyRecModel.resolvedParams(options)), json);
        progress.onIteration(stats);
      },
    });
    progress?.stop();
    ctx.logger.info(`train summary: ${JSON.stringify(summaryFields(result))}`);
    return result;
  } finally {
    progress?.stop();
  }
}

function summaryFields(r: TrainResult) {
  return {
    dataset: r.dataset.path,
    ratings: r.dataset.ratings,
    users: r.dataset.users,
    movies: r.dataset.movies,
    params: r.params,
    trainingSeconds: r.trainingSeconds,
    finalTrainRmse: r.history.at(-1)?.trainRmse,
    modelDir: r.modelDir,
  };
}

export function printSummary(ctx: CliContext, r: TrainResult): void {
  const d = r.dataset;
  const last = r.history.at(-1);
  ctx.print(`Data set     ${d.path} (${d.layout})`);
  ctx.print(`             ${fmtInt(d.ratings)} ratings, ${fmtInt(d.users)} users, ${fmtInt(d.movies)} movies`);
  if (d.skippedInvalid > 0) ctx.print(`             ${fmtInt(d.skippedInvalid)} malformed lines skipped`);
  if (d.duplicates > 0) ctx.print(`             ${fmtInt(d.duplicates)} repeated (user, movie) pairs: last rating kept`);
  const p = r.params;
  ctx.print(
    `Parameters   ${describeMethod(p)}, factors ${p.factors}, reg ${p.regFactors}, reg-bias ${p.regBias}, ` +
      `iterations ${p.iterations}, seed ${p.seed}, threads ${p.threads === 0 ? 'all' : p.threads}`,
  );
  ctx.print(`Training     ${r.trainingSeconds.toFixed(2)} s, final train RMSE ${fmtNum(last?.trainRmse)}`);
  ctx.print(`Model        saved to ${r.modelDir}`);
}

/** What trained the model, in the words of the flags: `gibbs (10 burn-in + 150 samples)`, `als`, `als, implicit`. */
function describeMethod(p: TrainResult['params']): string {
  if (p.feedback === 'implicit') return 'als, implicit feedback';
  if (p.method === 'gibbs') return `gibbs (${p.burnIn} burn-in + ${p.samples} samples)`;
  return p.solver === 'cg' ? `als, cg solver (${p.cgSteps} steps)` : 'als';
}
