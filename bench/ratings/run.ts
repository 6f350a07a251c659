// npm run bench:ratings: the rating store behind the service, on a model trained on ml-1m (ALS, 64 factors; cached in
// bench/.cache/ratings), each run on a fresh store:
//   (a) writes at a steady rate (open loop, steady.ts): PUT /api/users/:id/ratings/:movieId at BENCH_WRITE_RATE
//       (default 2,000/s) for BENCH_SECONDS: writes/s answered, p50/p99 from each request's due time;
//   (b) writes flat out: autocannon, 64 connections: writes/s and p50/p99;
//   (c) the store alone, without HTTP: 64 writers each awaiting one durable write at a time, for BENCH_SECONDS;
//   (d) the HTTP ceiling of this machine at the time: GET /healthz flat out (autocannon, 64 connections), to read
//       (a) and (b) against when other work shares the cores;
//   (e) the cost of the fold-in over stored ratings to a list: GET /api/users/:id/recommendations at 1,000/s for
//       200 training users, first with nothing stored, then with 1..500 stored ratings each (written through the
//       store from this process: the service reads the same SQLite file); the p50/p99 added; and the same lists one
//       at a time (one connection, no queueing), which is the fold-in's own cost when the cores are shared.
// (a)-(c) run on SQLite (DATA_DIR), and on PostgreSQL too when BENCH_DATABASE_URL or TEST_DATABASE_URL names a
// server (a fresh database is created and dropped). Results go to stdout and bench/results/ratings.json.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { configureLogger, shutdownLogger } from '../../src/logger.js';
import { MyRecModel } from '../../src/model/index.js';
import { openRatingStore, openSqliteStore, type StoreLocation } from '../../src/store/index.js';
import { startReadyService, type Service } from '../../test/helpers/service.js';
import { steadyRate, type SteadyRequest, type SteadyResult } from '../http/steady.js';

const ROOT = resolve(__dirname, '..', '..');
const ML_1M = join(ROOT, '..', 'shared', 'movielens', 'ml-1m');
const CACHE = join(ROOT, 'bench', '.cache', 'ratings');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WRITE_RATE = Number(process.env.BENCH_WRITE_RATE ?? 2000);
const LIST_RATE = 1000;
const LIST_USERS = 200;
const MAX_STORED = 500;
const PG_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;

const log = (message: string) => process.stderr.write(`[bench:ratings] ${message}\n`);
const json = { 'content-type': 'application/json' };

/** The cached DATA_DIR's model versions (trained once). */
async function cachedModels(): Promise<string> {
  const dataDir = join(CACHE, 'ml1m');
  if (!existsSync(join(dataDir, 'models', 'current.json'))) {
    log('training the ml-1m model (ALS, 64 factors) once');
    mkdirSync(dataDir, { recursive: true });
    configureLogger({ dataDir, level: 'warn', consoleLevel: 'off' });
    await new MyRecModel({ dataDir }).train(join(ML_1M, 'ratings.dat'), { method: 'als', factors: 64 });
  }
  return join(dataDir, 'models');
}

/** A fresh DATA_DIR holding a copy of the model (and so a new, empty SQLite store). */
function freshDataDir(models: string): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'movierec-bench-ratings-'));
  cpSync(models, join(dataDir, 'models'), { recursive: true, filter: (src) => !src.includes('.serving') });
  return dataDir;
}

const movieIds = readFileSync(join(ML_1M, 'movies.dat'), 'latin1')
  .split('\n')
  .map((line) => Number(line.split('::')[0]))
  .filter((id) => Number.isInteger(id) && id > 0);
const pick = (i: number) => movieIds[(i * 7919) % movieIds.length] as number;

/** Rating writes of new people (ids from 10,000,000 on), each distinct; ml-1m's scale is 1..5 in whole stars. */
function writeRequests(n: number, offset: number): SteadyRequest[] {
  return Array.from({ length: n }, (_, i) => ({
    method: 'PUT',
    path: `/api/users/${10_000_000 + offset + Math.floor(i / 50)}/ratings/${pick(i)}`,
    headers: json,
    body: JSON.stringify({ rating: 1 + (i % 5) }),
  }));
}

function summary(r: SteadyResult) {
  return { rps: Math.round(r.rps), p50: r.p50, p99: r.p99, max: r.max, errors: r.errors, non2xx: r.non2xx };
}

async function flatOut(url: string, request: autocannon.Request) {
  const result = await autocannon({ url, connections: 64, duration: SECONDS, requests: [request] });
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

function writesFlatOut(url: string, offset: number) {
  let i = 0;
  return flatOut(url, {
    method: 'PUT',
    setupRequest: (req) => {
      const k = i++;
      return {
        ...req,
        path: `/api/users/${20_000_000 + offset + Math.floor(k / 50)}/ratings/${pick(k)}`,
        headers: json,
        body: JSON.stringify({ rating: 1 + (k % 5) }),
      };
    },
  });
}

/** 64 writers on the store itself, each awaiting its durable write before the next: writes/s and p50/p99 (ms). */
async function storeAlone(where: StoreLocation) {
  const store = await openRatingStore(where);
  const latencies: number[] = [];
  const end = performance.now() + SECONDS * 1000;
  let k = 0;
  const writer = async () => {
    while (performance.now() < end) {
      const i = k++;
      const t = performance.now();
      await store.write([{ userId: 30_000_000 + Math.floor(i / 50), movieId: pick(i), rating: 1 + (i % 5) }]);
      latencies.push(performance.now() - t);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 64 }, writer));
  const seconds = (performance.now() - t0) / 1000;
  await store.close();
  latencies.sort((a, b) => a - b);
  const q = (x: number) => Math.round((latencies[Math.floor(x * (latencies.length - 1))] ?? Number.NaN) * 100) / 100;
  return { rps: Math.round(latencies.length / seconds), p50: q(0.5), p99: q(0.99) };
}

async function writeBench(label: string, svc: Service, where: StoreLocation, offset: number) {
  // Flat out first: it also warms the service up (JIT) before the open-loop run.
  log(`${label}: flat out, 64 connections, ${SECONDS} s`);
  const writesFlat = await writesFlatOut(svc.url, offset);
  log(`${label}: ${WRITE_RATE} writes/s for ${SECONDS} s (open loop)`);
  const steady = summary(
    await steadyRate({ url: svc.url, rate: WRITE_RATE, seconds: SECONDS, connections: 64, requests: writeRequests(WRITE_RATE * SECONDS, offset) }),
  );
  log(`${label}: the store alone, 64 writers, ${SECONDS} s`);
  const alone = await storeAlone(where);
  log(`${label}: http ceiling, GET /healthz flat out, ${SECONDS} s`);
  const httpCeiling = await flatOut(svc.url, { method: 'GET', path: '/healthz' });
  const out = { steady, flatOut: writesFlat, storeAlone: alone, httpCeiling };
  log(`${label}: ${JSON.stringify(out)}`);
  return out;
}

/** GET lists of `users` in turn over one connection for SECONDS: the time of each alone. */
async function oneAtATime(url: string, users: number[]) {
  let i = 0;
  const result = await autocannon({
    url,
    connections: 1,
    duration: SECONDS,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/api/users/${users[i++ % users.length]}/recommendations?M=20` }) }],
  });
  return { rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx };
}

function listRequests(users: number[]): SteadyRequest[] {
  return users.map((u) => ({ method: 'GET', path: `/api/users/${u}/recommendations?M=20`, headers: {}, body: '' }));
}

async function listBench(svc: Service, dataDir: string) {
  const users = Array.from({ length: LIST_USERS }, (_, i) => 1 + ((i * 29) % 6040));
  const run = async () =>
    summary(await steadyRate({ url: svc.url, rate: LIST_RATE, seconds: SECONDS, connections: 32, requests: listRequests(users) }));
  log(`lists: ${LIST_RATE}/s for ${SECONDS} s, ${LIST_USERS} users, nothing stored`);
  const plain = await run();
  log(`lists, nothing stored: ${JSON.stringify(plain)}`);
  log(`lists one at a time, nothing stored, ${SECONDS} s`);
  const sequentialPlain = await oneAtATime(svc.url, users);
  let stored = 0;
  const store = openSqliteStore(dataDir);
  for (const [k, user] of users.entries()) {
    const count = 1 + ((k * 37) % MAX_STORED);
    stored += count;
    await store.write(Array.from({ length: count }, (_, j) => ({ userId: user, movieId: pick(user * 13 + j), rating: 1 + (j % 5) })));
  }
  await store.close();
  log(`lists: the same with 1..${MAX_STORED} stored ratings per user (${stored} in all)`);
  const withStored = await run();
  log(`lists, with stored ratings: ${JSON.stringify(withStored)}`);
  log(`lists one at a time, with stored ratings, ${SECONDS} s`);
  const sequential = { plain: sequentialPlain, withStored: await oneAtATime(svc.url, users) };
  log(`lists one at a time: ${JSON.stringify(sequential)}`);
  return {
    users: LIST_USERS,
    storedRatings: stored,
    plain,
    withStored,
    addedP50: Math.round((withStored.p50 - plain.p50) * 100) / 100,
    addedP99: Math.round((withStored.p99 - plain.p99) * 100) / 100,
    sequential,
  };
}

async function withPostgresDatabase<T>(work: (url: string) => Promise<T>): Promise<T | null> {
  if (!PG_URL) return null;
  const name = `movierec_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    const url = new URL(PG_URL);
    url.pathname = `/${name}`;
    return await work(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function main(): Promise<void> {
  const models = await cachedModels();
  const results: Record<string, unknown> = { seconds: SECONDS, writeRate: WRITE_RATE, listRate: LIST_RATE, at: new Date().toISOString() };
  const dataDir = freshDataDir(models);
  const sqlite = await startReadyService({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
  try {
    results.sqlite = await writeBench('sqlite', sqlite, { dataDir }, 0);
    results.lists = await listBench(sqlite, dataDir);
  } finally {
    sqlite.child.kill('SIGTERM');
    await sqlite.exit;
    rmSync(dataDir, { recursive: true, force: true });
  }
  results.postgres = await withPostgresDatabase(async (url) => {
    const pgDir = freshDataDir(models);
    const svc = await startReadyService({ DATA_DIR: pgDir, DATABASE_URL: url, LOG_LEVEL: 'warn' });
    try {
      return await writeBench('postgres', svc, { dataDir: pgDir, databaseUrl: url }, 0);
    } finally {
      svc.child.kill('SIGTERM');
      await svc.exit;
      rmSync(pgDir, { recursive: true, force: true });
    }
  });
  if (results.postgres === null) log('postgres: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)');
  writeFileSync(join(ROOT, 'bench', 'results', 'ratings.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  await shutdownLogger();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:ratings failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
