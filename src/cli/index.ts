// The `movierec` command line (commander). bin/movierec.js calls run().
//
// Exit codes: 0 success; 2 usage errors and bad input (unknown option, bad value, malformed data file, invalid
// ratings); 1 any other failure (no model yet, I/O, network). Errors print one line on stderr (the stack only with
// --verbose) and are logged with their stack in ${DATA_DIR}/log_file.log.

import { Command, CommanderError, Option } from 'commander';

import { config, ConfigError, loadConfig, type Config } from '../config.js';
import { configureLogger, FILE_ONLY_CATEGORY, getLogger, shutdownLogger } from '../logger.js';
import { DatasetError, InvalidInputError, ModelNotFoundError, MovieRecError } from '../model/errors.js';
import { registerDemo } from './commands/demo.js';
import { registerDownload } from './commands/download.js';
import { registerEvaluate } from './commands/evaluate.js';
import { registerEvents } from './commands/events.js';
import { registerInterop } from './commands/interop.js';
import { registerModels } from './commands/models.js';
import { registerPredict } from './commands/predict.js';
import { registerSplit } from './commands/split.js';
import { registerTrain } from './commands/train.js';
import { registerTune } from './commands/tune.js';
import { CliContext, type CliIo } from './context.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

const VERSION = '0.1.0';

/** Builds the program; each command's action receives the context through `getContext` (set in preAction). */
export function buildProgram(io: CliIo, getContext: () => CliContext): Command {
  const program = new Command('movierec')
    .description('Movie recommendations from MovieLens ratings: a Rust ALS core behind a TypeScript CLI.')
    .version(VERSION, '-V, --version')
    .option('--verbose', 'log to stderr too, and show stack traces of errors')
    .addOption(new Option('--data-dir <dir>', 'folder of model, data sets and log file').env('DATA_DIR'))
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride()
    .addHelpText(
      'after',
      `
Environment: DATA_DIR (default ./data), LOG_LEVEL (info), THREADS (0 = all cores), MODEL_VERSIONS_KEEP (5),
MOVIELENS_BASE_URL, DATABASE_URL (the rating store in PostgreSQL; default SQLite in DATA_DIR).
Exit codes: 0 ok, 2 usage error or invalid input, 1 other failure (e.g. no model trained yet).

Quick start:
  movierec demo                                   generate the demo catalogue and train on it
  movierec download ml-latest-small               fetch a MovieLens release into DATA_DIR/datasets
  movierec train --dataset=data/datasets/ml-latest-small/ratings.csv
  movierec tune --dataset=PATH --grid 'factors=32,64'   cross-validate, then: movierec train --dataset=PATH --config data/tune/best-config.json
  movierec predict --ratings '[[1,2,3],[5,4,3]]' -M 10
  movierec models list                            the trained versions; models promote VERSION | models rollback`,
    );

  registerTrain(program, getContext);
  registerTune(program, getContext);
  registerEvaluate(program, getContext);
  registerPredict(program, getContext);
  registerModels(program, getContext);
  registerSplit(program, getContext);
  registerDownload(program, getContext);
  registerDemo(program, getContext);
  registerEvents(program, getContext);
  registerInterop(program, getContext);
  return program;
}

/** Runs the CLI; resolves to the exit code (never throws, never calls process.exit). */
export async function main(argv: string[] = process.argv, io: CliIo = process): Promise<number> {
  let ctx: CliContext | undefined;
  let verbose = argv.includes('--verbose');
  try {
    // Early, so usage errors are logged too; preAction reconfigures once --data-dir and --verbose are parsed.
    const early = config();
    configureLogger({ dataDir: early.dataDir, level: early.logLevel, consoleLevel: verbose ? early.logLevel : 'warn' });
  } catch (err) {
    return reportError(err, io, verbose);
  }
  const program = buildProgram(io, () => {
    if (!ctx) throw new Error('context used before preAction');
    return ctx;
  });
  program.hook('preAction', (root, action) => {
    const opts = root.opts<{ verbose?: boolean; dataDir?: string }>();
    verbose = opts.verbose === true;
    const base: Config = opts.dataDir ? loadConfig({ ...process.env, DATA_DIR: opts.dataDir }) : config();
    configureLogger({ dataDir: base.dataDir, level: base.logLevel, consoleLevel: verbose ? base.logLevel : 'warn' });
    const logger = getLogger('cli');
    logger.info(`command: movierec ${argv.slice(2).join(' ')} (cwd ${process.cwd()}, DATA_DIR ${base.dataDir})`);
    ctx = new CliContext(io, base, logger, verbose);
    void action;
  });
  try {
    await program.parseAsync(argv);
    ctx?.logger.info('command finished');
    return EXIT_OK;
  } catch (err) {
    return reportError(err, io, verbose);
  } finally {
    await shutdownLogger();
  }
}

function reportError(err: unknown, io: CliIo, verbose: boolean): number {
  if (err instanceof CommanderError) {
    // commander has printed its message (or the help) already.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT_OK;
    logError(`usage error: ${err.message}`);
    return EXIT_USAGE;
  }
  const code = exitCodeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`movierec: error: ${message}\n`);
  const hint = hintFor(err);
  if (hint) io.stderr.write(`${hint}\n`);
  if (verbose && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
  logError('command failed', err);
  return code;
}

/** To the log file only: the user has the message on stderr already. */
function logError(message: string, err?: unknown): void {
  try {
    const logger = getLogger(FILE_ONLY_CATEGORY);
    if (err === undefined) logger.error(message);
    else logger.error(message, err);
  } catch {
    // Logging must never hide the original failure.
  }
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof InvalidInputError || err instanceof DatasetError || err instanceof ConfigError) return EXIT_USAGE;
  return EXIT_FAILURE;
}

function hintFor(err: unknown): string | undefined {
  if (err instanceof ModelNotFoundError) {
    return 'hint: train a model first: movierec train --dataset=PATH (or movierec demo for the bundled demo data)';
  }
  if (err instanceof MovieRecError || err instanceof ConfigError) return undefined;
  return 'run with --verbose for details; the log file in DATA_DIR has the full error';
}

/** Entry point of bin/movierec.js. */
export function run(): void {
  // A reader that stops early (`movierec --help | head`) closes the pipe: that ends the output, not the program's success.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`movierec: unexpected error: ${String(err)}\n`);
      process.exitCode = EXIT_FAILURE;
    },
  );
}
