// movierec train --dataset=PATH [--engine spark [--master URL] [--python EXE]] [--config FILE]
//   [--factors N --reg X --reg-bias X --iters N --seed N --threads N]
//   [--method gibbs|als --samples N --burn-in N --noise-std X --solver cholesky|cg] [--validation-fraction F --early-stopping N]
//   [--feedback explicit|implicit --alpha X --cg-steps N] [--with-events | --no-with-events] [--skip-invalid] [--json]
// The parameter flags, their help and ranges come from the parameters' spec (src/model/params.ts). --config reads
// parameters from a JSON file (what `movierec tune` writes, or a hand-written one); flags override it. The ratings
// stored through the service's API are merged in (later wins) whenever the rating store has some (events.ts).

import { Option, type Command } from 'commander';

import type { TrainOptions, TrainResult } from '../../model/index.js';
import { PARAMETER_SPEC, readConfigFile, type Mode, type ParamName, type ParamSpec, type TrainParams } from '../../model/params.js';
import { InvalidInputError } from '../../model/index.js';
import { fmtInt, fmtNum, intOption, numberOption, type CliContext } from '../context.js';
import { trainWithSpark } from '../spark.js';
import { report as reportImport } from './interop.js';
import { trainingProgress } from '../progress.js';
import { describeEvents, eventsForTraining } from './events.js';

/** Commander's options: the parameters under their flags' names (`reg`, `iters`), plus the command's own. */
type TrainFlags = Record<string, unknown> & {
  dataset: string;
  engine: 'movierec' | 'spark';
  master: string;
  python: string;
  config?: string;
  skipInvalid?: boolean;
  withEvents?: boolean;
  json?: boolean;
};

type FlagSpec = Extract<ParamSpec, { cli: string }>;

/** The flag that selects each mode other than the default one. */
const MODE_FLAGS: Record<Exclude<Mode, 'gibbs'>, string> = { als: '--method als', implicit: '--feedback implicit' };
/** Defaults the command takes from elsewhere than the parameters' spec. */
const COMMAND_DEFAULTS: Partial<Record<ParamName, string>> = { threads: 'THREADS' };

/** `explicit only: regularisation of the biases (default 0.000005; 0.03 with --method als)`. */
export function flagHelp(spec: FlagSpec): string {
  const modes: readonly Mode[] = spec.appliesTo;
  const only =
    modes.length === 3 ? '' : `${modes.length === 2 && !modes.includes('implicit') ? 'explicit' : modes.join(' and ')} only: `;
  return `${only}${spec.help} (default ${COMMAND_DEFAULTS[spec.name] ?? defaultsText(spec, modes)})`;
}

/** The default in the first mode the parameter applies to, then where another mode's differs. */
function defaultsText(spec: FlagSpec, modes: readonly Mode[]): string {
  const [first, ...others] = modes;
  const base = spec.defaults[first];
  const flag = spec.cli.split(' ')[0];
  const differing = new Map<string, string[]>();
  for (const mode of others) {
    const value = spec.defaults[mode];
    const selects = MODE_FLAGS[mode as Exclude<Mode, 'gibbs'>];
    // `--method`'s default with --method als is no news.
    if (value === base || selects === `${flag} ${value}`) continue;
    differing.set(String(value), [...(differing.get(String(value)) ?? []), selects]);
  }
  const notes = [...differing].map(([value, flags]) => `${value} with ${flags.join(' or ')}`);
  return notes.length === 0 ? String(base) : `${String(base)}; ${notes.join(', ')}`;
}

/** The flag of a parameter: its values checked against the parameter's type and range as commander parses them. */
function flagOption(spec: FlagSpec): Option {
  const option = new Option(spec.cli, flagHelp(spec));
  switch (spec.type) {
    case 'integer':
      return option.argParser(intOption(spec.min, spec.max));
    case 'number':
      return option.argParser(
        numberOption(spec.min, spec.max, { minExclusive: 'minExclusive' in spec, maxExclusive: 'maxExclusive' in spec }),
      );
    case 'word':
      return option.choices(spec.words);
  }
}

const FLAG_SPECS = PARAMETER_SPEC.filter((spec): spec is FlagSpec => 'cli' in spec);
/** Each parameter flag's commander attribute (`reg`, `burnIn`) and the parameter it sets. */
const FLAG_PARAMS = FLAG_SPECS.map((spec) => [flagOption(spec).attributeName(), spec.name] as const);

export function registerTrain(program: Command, getContext: () => CliContext): void {
  const command = program
    .command('train')
    .description('train a model on a MovieLens ratings file, save it as a new version in DATA_DIR/models and make it current')
    .requiredOption('-d, --dataset <path>', 'ratings file (ratings.dat, u.data or ratings.csv; layout detected)')
    .option('--config <file>', 'JSON file of parameters (e.g. from movierec tune); the flags below override it')
    .addOption(
      new Option('--engine <engine>', `movierec: train here; spark: Spark MLlib ALS on your Spark (spark/als_job.py), then imported`)
        .choices(['movierec', 'spark'])
        .default('movierec'),
    )
    .option('--master <url>', 'with --engine spark: the Spark master URL', 'local[*]')
    .addOption(new Option('--python <exe>', 'with --engine spark: the Python that has pyspark').env('PYSPARK_PYTHON').default('python3'));
  for (const spec of FLAG_SPECS) command.addOption(flagOption(spec));
  command
    .option('--with-events', 'merge the ratings stored through the API (later wins; default: when there are some)')
    .option('--no-with-events', 'train on the file alone, even when the rating store has ratings')
    .option('--skip-invalid', 'skip and count malformed lines instead of stopping at the first')
    .option('--json', 'print the result as one JSON document on stdout')
    .action(async (flags: TrainFlags) => {
      const ctx = getContext();
      const json = flags.json === true;
      const options = await withConfigFile(ctx, flags.config, trainOptions(flags));
      if (flags.engine === 'spark') {
        await trainOnSpark(ctx, flags, options, json);
        return;
      }
      const { events, reason } = await eventsForTraining(ctx, flags.withEvents);
      const result = await runTraining(ctx, flags.dataset, { ...options, ...(events ? { events } : {}) }, json);
      if (json) ctx.printJson(result);
      else {
        printSummary(ctx, result);
        ctx.print(`Events       ${describeEvents(result.events, reason)}`);
      }
    });
}

export function trainOptions(flags: Omit<TrainFlags, 'dataset'>): TrainOptions {
  const params = Object.fromEntries(FLAG_PARAMS.map(([attribute, name]) => [name, flags[attribute]])) as Partial<TrainParams>;
  return { ...params, skipInvalid: flags.skipInvalid === true };
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

/** The parameters Spark's ALS has (the others are this project's own). */
const SPARK_PARAMS: readonly ParamName[] = ['factors', 'regFactors', 'iterations', 'seed', 'feedback', 'alpha', 'threads'];

/** `--engine spark`: the job on the user's Spark with the parameters given (Spark's defaults for the others), imported. */
async function trainOnSpark(ctx: CliContext, flags: TrainFlags, options: TrainOptions, json: boolean): Promise<void> {
  const params: Partial<TrainParams> = options;
  const foreign = (Object.keys(params) as ParamName[]).filter(
    (name) => params[name] !== undefined && !SPARK_PARAMS.includes(name) && name !== ('skipInvalid' as ParamName),
  );
  if (foreign.length > 0) {
    throw new InvalidInputError(`--engine spark trains Spark's ALS, which has no ${foreign.join(', ')}`, { field: foreign[0] });
  }
  const implicitPrefs = params.feedback === 'implicit';
  const job = {
    rank: params.factors,
    regParam: params.regFactors,
    maxIter: params.iterations,
    seed: params.seed,
    implicitPrefs,
    alpha: implicitPrefs ? params.alpha : undefined,
    master: flags.master,
    python: flags.python,
  };
  if (ctx.interactive(json)) ctx.note(`training on Spark (${job.master}) with ${job.python} ...`);
  const result = await trainWithSpark(ctx.model(options.threads), flags.dataset, job, {
    skipInvalid: options.skipInvalid === true,
    onLine: (line) => ctx.logger.debug(`spark: ${line}`),
  });
  ctx.logger.info(`train --engine spark: ${JSON.stringify(result.spark)}`);
  if (json) ctx.printJson(result);
  else {
    ctx.print(`Spark        ${String(result.spark.sparkVersion)}, ${String(result.spark.seconds)} s: ${JSON.stringify(result.spark.params)}`);
    reportImport(ctx, result, false);
  }
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
      onIteration: (stats, steps) => {
        progress ??= trainingProgress(ctx, steps, json);
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
    events: r.events,
    version: r.version,
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
  ctx.print(`Model        version ${r.version}, now current (saved to ${r.modelDir})`);
}

/** What trained the model, in the words of the flags: `gibbs (10 burn-in + 150 samples)`, `als`, `als, implicit`. */
function describeMethod(p: TrainResult['params']): string {
  if (p.feedback === 'implicit') return 'als, implicit feedback';
  if (p.method === 'gibbs') return `gibbs (${p.burnIn} burn-in + ${p.samples} samples)`;
  return p.solver === 'cg' ? `als, cg solver (${p.cgSteps} steps)` : 'als';
}
