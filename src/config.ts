// Environment -> typed configuration, validated once. Every other module reads settings from here, never from
// process.env, so a bad value fails at start-up with one clear message instead of somewhere deep in a request.

import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'off'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** How a service notices that `models/current.json` moved: file events and a poll, the poll alone, or not at all. */
export const MODEL_WATCH_MODES = ['fs', 'poll', 'off'] as const;
export type ModelWatchMode = (typeof MODEL_WATCH_MODES)[number];

/** The official GroupLens download folder; `download` appends `<name>.zip` (and `.zip.md5`). */
export const DEFAULT_MOVIELENS_BASE_URL = 'https://files.grouplens.org/datasets/movielens/';

/** An unset or empty variable takes the default (an empty `THREADS=` in a .env file means "not set"). */
const unsetIfEmpty = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const intInRange = (min: number, max: number) =>
  z.preprocess(unsetIfEmpty, z.coerce.number().int().min(min).max(max).optional());

// One entry per variable. The service adds its own (PORT, HOST, ...) here, beside these.
const envSchema = z.object({
  DATA_DIR: z.preprocess(unsetIfEmpty, z.string().optional()),
  LOG_LEVEL: z.preprocess(
    (v) => (typeof unsetIfEmpty(v) === 'string' ? String(v).toLowerCase() : undefined),
    z.enum(LOG_LEVELS).optional(),
  ),
  THREADS: intInRange(0, 1024),
  MODEL_VERSIONS_KEEP: intInRange(1, 1000),
  MOVIELENS_BASE_URL: z.preprocess(unsetIfEmpty, z.url({ protocol: /^https?$/ }).optional()),
  // The rating store (src/store): PostgreSQL at this URL; unset, SQLite in DATA_DIR.
  DATABASE_URL: z.preprocess(
    unsetIfEmpty,
    z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' }).optional(),
  ),
  // The REST service (src/server).
  PORT: intInRange(1, 65535),
  HOST: z.preprocess(unsetIfEmpty, z.string().optional()),
  AUTHOR_NAME: z.preprocess(unsetIfEmpty, z.string().optional()),
  AUTHOR_CONTACT: z.preprocess(unsetIfEmpty, z.string().optional()),
  BOOTSTRAP: z.preprocess(
    (v) => (typeof unsetIfEmpty(v) === 'string' ? String(v).toLowerCase() : undefined),
    z.enum(['demo', 'none']).optional(),
  ),
  BODY_LIMIT: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^\d+\s*(b|kb|mb)?$/i, { error: 'must be a size like 1048576, 512kb or 1mb' })
      .optional(),
  ),
  RATE_LIMIT: intInRange(0, 1_000_000),
  BUILD_INFO_PATH: z.preprocess(unsetIfEmpty, z.string().optional()),
  SHUTDOWN_GRACE_MS: intInRange(0, 600_000),
  WORKERS: intInRange(1, 256),
  MODEL_WATCH: z.preprocess(
    (v) => (typeof unsetIfEmpty(v) === 'string' ? String(v).toLowerCase() : undefined),
    z.enum(MODEL_WATCH_MODES).optional(),
  ),
  MODEL_POLL_MS: intInRange(100, 60_000),
});

/** `1mb`, `512kb`, `2048` -> bytes. */
function parseSize(text: string): number {
  const m = /^(\d+)\s*(b|kb|mb)?$/i.exec(text.trim());
  if (!m) throw new ConfigError(`not a size: ${text}`);
  const unit = (m[2] ?? 'b').toLowerCase();
  return Number(m[1]) * (unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1);
}

/** Settings of the REST service (src/server); the CLI ignores them. */
export interface ServiceConfig {
  port: number;
  host: string;
  authorName: string;
  authorContact: string;
  /** What to do when `${dataDir}/model` is empty at start: train the demo catalogue, or serve 503s. */
  bootstrap: 'demo' | 'none';
  bodyLimitBytes: number;
  /** Requests per second per client address; 0 = off. */
  rateLimitPerSecond: number;
  /** Absolute path of the build-info JSON written at image build time. */
  buildInfoPath: string;
  /** How long SIGTERM/SIGINT waits for in-flight requests before closing connections. */
  shutdownGraceMs: number;
  /** Serving processes (node:cluster workers); 1 = one process, no cluster. */
  workers: number;
  /** How the service follows `models/current.json` (see src/server/versionWatch.ts). */
  modelWatch: ModelWatchMode;
  /** Interval of the pointer poll in milliseconds (beside file events in `fs` mode, alone in `poll` mode). */
  modelPollMs: number;
}

export interface Config {
  /** Absolute; holds `model/`, `datasets/` and `log_file.log`. */
  dataDir: string;
  logLevel: LogLevel;
  /** Worker threads for the native core; 0 = all cores. */
  threads: number;
  /** Model versions kept in `models/` after a train or import (the current one and those being served are kept too). */
  modelVersionsKeep: number;
  /** Folder URL the `download` command fetches archives from (ends with `/`). */
  movielensBaseUrl: string;
  /** The rating store's PostgreSQL URL; undefined: SQLite in `dataDir`. */
  databaseUrl: string | undefined;
  service: ServiceConfig;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_ERROR';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses an environment (default `process.env`); relative paths resolve against `cwd`. Throws `ConfigError`. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`);
    throw new ConfigError(`invalid environment: ${lines.join('; ')}`);
  }
  const e = parsed.data;
  const base = e.MOVIELENS_BASE_URL ?? DEFAULT_MOVIELENS_BASE_URL;
  return {
    dataDir: path.resolve(cwd, e.DATA_DIR ?? './data'),
    logLevel: e.LOG_LEVEL ?? 'info',
    threads: e.THREADS ?? 0,
    modelVersionsKeep: e.MODEL_VERSIONS_KEEP ?? 5,
    movielensBaseUrl: base.endsWith('/') ? base : `${base}/`,
    databaseUrl: e.DATABASE_URL,
    service: {
      port: e.PORT ?? 5000,
      host: e.HOST ?? '0.0.0.0',
      authorName: e.AUTHOR_NAME ?? 'not set (AUTHOR_NAME)',
      authorContact: e.AUTHOR_CONTACT ?? 'not set (AUTHOR_CONTACT)',
      bootstrap: e.BOOTSTRAP ?? 'demo',
      bodyLimitBytes: parseSize(e.BODY_LIMIT ?? '1mb'),
      rateLimitPerSecond: e.RATE_LIMIT ?? 0,
      buildInfoPath: path.resolve(cwd, e.BUILD_INFO_PATH ?? './build-info.json'),
      shutdownGraceMs: e.SHUTDOWN_GRACE_MS ?? 10_000,
      workers: e.WORKERS ?? availableParallelism(),
      modelWatch: e.MODEL_WATCH ?? 'fs',
      modelPollMs: e.MODEL_POLL_MS ?? 1000,
    },
  };
}

let cached: Config | undefined;

/** The process-wide configuration, parsed from `process.env` on first use. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}

/** Forgets the cached configuration (tests that change `process.env`). */
export function resetConfigForTests(): void {
  cached = undefined;
}
