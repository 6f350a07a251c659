// log4js, configured in this one place: a size-rolled file `${DATA_DIR}/log_file.log` (everything at LOG_LEVEL)
// and the console on STDERR (stdout stays clean for `--json` output and for piping).

import path from 'node:path';
import log4js from 'log4js';

import { config, type LogLevel } from './config.js';

export type Logger = log4js.Logger;

export const LOG_FILE_NAME = 'log_file.log';
/** A category that writes to the log file only (never to the console). */
export const FILE_ONLY_CATEGORY = 'failures';
const MAX_LOG_BYTES = 10 * 1024 * 1024;
const LOG_BACKUPS = 5;

export interface LoggerOptions {
  /** Folder of the log file; default config DATA_DIR. */
  dataDir?: string;
  /** Level of the file (and of the console unless `consoleLevel` says otherwise); default config LOG_LEVEL. */
  level?: LogLevel;
  /**
   * Level of the STDERR console. The CLI keeps it at `warn` (its progress bar and tables are the console
   * output) and lowers it with `--verbose`; the service leaves it at `level`.
   */
  consoleLevel?: LogLevel;
}

let configuredFile: string | undefined;

/** (Re)configures log4js. Safe to call again (tests, the CLI after parsing `--verbose`). */
export function configureLogger(opts: LoggerOptions = {}): string {
  const dataDir = opts.dataDir ?? config().dataDir;
  const level = opts.level ?? config().logLevel;
  const consoleLevel = opts.consoleLevel ?? level;
  const filename = path.join(dataDir, LOG_FILE_NAME);
  log4js.configure({
    appenders: {
      file: {
        type: 'file',
        filename,
        maxLogSize: MAX_LOG_BYTES,
        backups: LOG_BACKUPS,
        keepFileExt: true,
        layout: { type: 'pattern', pattern: '%d{ISO8601} %p %c [%z] %m' },
      },
      stderrRaw: { type: 'stderr', layout: { type: 'pattern', pattern: '%[%p%] %c: %m' } },
      stderr: { type: 'logLevelFilter', appender: 'stderrRaw', level: consoleLevel },
    },
    categories: {
      default: { appenders: ['file', 'stderr'], level },
      // Failures the CLI has already printed to the user in its own words: the file gets them with the stack.
      [FILE_ONLY_CATEGORY]: { appenders: ['file'], level },
    },
  });
  configuredFile = filename;
  return filename;
}

/** The path of the current log file, or undefined before the first `configureLogger`. */
export function logFilePath(): string | undefined {
  return configuredFile;
}

/** A category logger; configures log4js from the environment on first use. */
export function getLogger(category: string): Logger {
  if (configuredFile === undefined) configureLogger();
  return log4js.getLogger(category);
}

/** Flushes every appender (call before `process.exit`, or lines are lost). */
export function shutdownLogger(): Promise<void> {
  if (configuredFile === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    log4js.shutdown(() => {
      configuredFile = undefined;
      resolve();
    });
  });
}
