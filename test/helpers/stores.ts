// The rating store's back ends for tests: SQLite in a temporary folder always, and PostgreSQL when TEST_DATABASE_URL
// names a server (.ci/run starts one with scripts/start-postgres.sh and exports it). Each PostgreSQL store gets a
// database of its own, dropped at the end. Locally, without a server, the PostgreSQL tests skip with a message; in CI
// (CI=true) a missing or unreachable server is a failure, never a skip.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openRatingStore, type RatingStore, type StoreLocation } from '../../src/store/index.js';

export interface Backend {
  name: 'sqlite' | 'postgres';
  /** Why this back end cannot run here (the tests skip with it), or null. */
  unavailable: string | null;
  /** A new, empty store location (a folder or a database), removed by `cleanup`. */
  location(): Promise<StoreLocation>;
  cleanup(): Promise<void>;
}

const adminUrl = process.env.TEST_DATABASE_URL;

async function reachable(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return `TEST_DATABASE_URL is set but the server does not answer: ${(err as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function sqliteBackend(): Backend {
  const dirs: string[] = [];
  return {
    name: 'sqlite',
    unavailable: null,
    location: () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'movierec-store-'));
      dirs.push(dataDir);
      return Promise.resolve({ dataDir });
    },
    cleanup: () => {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

let counter = 0;

async function postgresBackend(): Promise<Backend> {
  const why = adminUrl ? await reachable(adminUrl) : 'TEST_DATABASE_URL is not set (scripts/start-postgres.sh starts a server)';
  if (why && process.env.CI === 'true') {
    throw new Error(`CI=true: the PostgreSQL store tests must run, but ${why}`);
  }
  const databases: string[] = [];
  return {
    name: 'postgres',
    unavailable: why,
    location: async () => {
      const name = `movierec_test_${process.pid}_${Date.now()}_${counter++}`;
      await admin((c) => c.query(`CREATE DATABASE ${name}`));
      databases.push(name);
      const url = new URL(adminUrl as string);
      url.pathname = `/${name}`;
      return { dataDir: tmpdir(), databaseUrl: url.toString() };
    },
    cleanup: async () => {
      const names = databases.splice(0);
      if (names.length === 0) return;
      await admin(async (c) => {
        for (const name of names) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
    },
  };
}

/** Both back ends; a PostgreSQL one whose `unavailable` says why it skips. */
export async function backends(): Promise<Backend[]> {
  return [sqliteBackend(), await postgresBackend()];
}

/** Opens a new store on `backend` (a fresh location). */
export async function freshStore(backend: Backend): Promise<{ store: RatingStore; where: StoreLocation }> {
  const where = await backend.location();
  return { store: await openRatingStore(where), where };
}
