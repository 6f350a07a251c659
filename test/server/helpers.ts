// Shared set-up of the service tests: a REAL model trained once per test file on ml-latest-small in a temporary
// data folder, logging to that folder's log_file.log (so tests can assert what was logged), and the app settings.
import { cpSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { configureLogger, LOG_FILE_NAME } from '../../src/logger.js';
import { MyRecModel } from '../../src/model/index.js';
import { createApp, type AppDeps, type ServiceApp } from '../../src/server/app.js';
import type { ServiceSettings } from '../../src/server/deps.js';
import { openSqliteStore, type RatingStore } from '../../src/store/index.js';
import { currentModelDir } from '../helpers/models.js';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const ML_LATEST_SMALL = resolve(REPO_ROOT, '..', 'shared', 'movielens', 'ml-latest-small', 'ratings.csv');
/** Small and fast; enough to give sensible recommendations on ml-latest-small. */
export const TRAIN_OPTIONS = { factors: 16, iterations: 6, seed: 7, method: 'als' } as const;

export function tempDataDir(prefix = 'movierec-server-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Sends every log line of the process to `${dataDir}/log_file.log` (none to the console). */
export function logTo(dataDir: string): string {
  return configureLogger({ dataDir, level: 'debug', consoleLevel: 'off' });
}

export interface TrainedModel {
  dataDir: string;
  model: MyRecModel;
  logFile: string;
}

/** A data folder with a model trained on ml-latest-small, loaded; logging goes to its log file. */
export async function trainedModel(seed: number = TRAIN_OPTIONS.seed): Promise<TrainedModel> {
  const dataDir = tempDataDir();
  const logFile = logTo(dataDir);
  const model = new MyRecModel({ dataDir, threads: 2 });
  await model.train(ML_LATEST_SMALL, { ...TRAIN_OPTIONS, seed });
  return { dataDir, model, logFile };
}

/** Copies the model versions of `from` into a fresh data folder (for tests that corrupt or replace them). */
export function copyDataDir(from: string): string {
  const dataDir = tempDataDir();
  cpSync(join(from, 'models'), join(dataDir, 'models'), { recursive: true });
  return dataDir;
}

/** Overwrites every file of the current version's folder with garbage of the same size (a torn or corrupted copy). */
export function corruptModel(dataDir: string): void {
  const dir = currentModelDir(dataDir);
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (statSync(file).isFile()) writeFileSync(file, Buffer.alloc(statSync(file).size, 0x5a));
  }
}

export function settings(dataDir: string, overrides: Partial<ServiceSettings> = {}): ServiceSettings {
  return {
    authorName: 'Ada Tester',
    authorContact: 'ada@example.org',
    bodyLimitBytes: 1024 * 1024,
    rateLimitPerSecond: 0,
    logFile: join(dataDir, LOG_FILE_NAME),
    buildInfoPath: join(dataDir, 'no-build-info.json'),
    ...overrides,
  };
}

const stores = new Map<string, RatingStore>();

/** The SQLite rating store of `dataDir`, one per folder for the whole test file (apps on one folder share it). */
export function storeOf(dataDir: string): RatingStore {
  let store = stores.get(dataDir);
  if (!store) stores.set(dataDir, (store = openSqliteStore(dataDir)));
  return store;
}

export function makeApp(model: AppDeps['model'], dataDir: string, overrides: Partial<ServiceSettings> = {}): ServiceApp {
  return createApp({ model, store: storeOf(dataDir), settings: settings(dataDir, overrides) });
}

/** The app on a real socket (127.0.0.1, random port), for concurrent load. */
export async function listen(app: ServiceApp): Promise<{ server: Server; url: string }> {
  const handle = app.callback();
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

/** Waits until the log file has a line matching `pattern` (log4js writes asynchronously). */
export { waitForLogLine } from '../helpers/log.js';

/** A few ml-latest-small movies everyone knows: Toy Story, Jumanji, Heat, GoldenEye, Babe, ... */
export const KNOWN_MOVIES = [1, 2, 6, 10, 34, 47, 50, 110, 150, 260];
export const TEN_RATINGS: [number[], number[]] = [KNOWN_MOVIES, [5, 3, 4, 3.5, 4, 5, 5, 4.5, 3, 5]];
