// The rating store's contract, run against both back ends (SQLite in a temporary folder; PostgreSQL when
// TEST_DATABASE_URL names a server, required in CI): migrations, later-wins writes, deletions as tombstones, atomic
// batches, group commit under concurrency, paging, counts, closing with writes queued, two handles on one store.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import pg from 'pg';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { SQLITE_FILE, StoreError, openRatingStore, readEvents, type RatingStore, type StoreLocation } from '../../src/store/index.js';
import { backends, freshStore, type Backend } from '../helpers/stores.js';

const LATEST = MIGRATIONS.map((m) => m.version);

/** Records a schema version newer than the build knows, through the back end's own client. */
async function recordFutureVersion(backend: Backend, where: StoreLocation, version: number): Promise<void> {
  const sql = 'INSERT INTO schema_migrations (version, name, applied_at) VALUES (' + `${version}, 'from the future', 0)`;
  if (backend.name === 'sqlite') {
    const db = new DatabaseSync(join(where.dataDir, SQLITE_FILE));
    db.exec(sql);
    db.close();
  } else {
    const client = new pg.Client({ connectionString: where.databaseUrl });
    await client.connect();
    await client.query(sql);
    await client.end();
  }
}

async function suite(t: TestContext, backend: Backend): Promise<void> {
  const open = async () => {
    const opened = await freshStore(backend);
    t.after(() => opened.store.close());
    return opened;
  };

  await t.test('migrations: applied once at open, recorded; a newer schema is refused', async () => {
    const { store, where } = await open();
    assert.deepEqual(await store.schemaVersions(), LATEST);
    await store.close();
    const again = await openRatingStore(where);
    assert.deepEqual(await again.schemaVersions(), LATEST, 'reopening applies nothing twice');
    await again.close();
    const future = (LATEST.at(-1) ?? 0) + 1;
    await recordFutureVersion(backend, where, future);
    await assert.rejects(openRatingStore(where), (err: unknown) => {
      assert.ok(err instanceof StoreError);
      assert.match(err.message, new RegExp(`schema version ${future}, newer than this build knows`));
      return true;
    });
  });

  await t.test('writes: a later write of the same (user, movie) wins; a deletion stays as a tombstone', async () => {
    const { store } = await open();
    const first = await store.write([{ userId: 7, movieId: 50, rating: 3 }]);
    assert.equal(first.length, 1);
    assert.equal(first[0]?.rating, 3);
    assert.ok(Math.abs((first[0]?.time ?? 0) - Date.now()) < 60_000, 'time is the commit time in ms');
    await store.write([
      { userId: 7, movieId: 1, rating: 4.5 },
      { userId: 7, movieId: 50, rating: 1 },
      { userId: 7, movieId: 1, rating: 5 },
      { userId: 8, movieId: 1, rating: 2 },
    ]);
    await store.write([{ userId: 7, movieId: 260, rating: null }]);
    const mine = await store.forUser(7);
    assert.deepEqual(
      mine.map((e) => [e.movieId, e.rating]),
      [
        [1, 5],
        [50, 1],
        [260, null],
      ],
      'by movie id; later wins within a write and across writes; the deletion is kept',
    );
    assert.deepEqual(await store.forUser(8).then((r) => r.map((e) => e.rating)), [2]);
    assert.deepEqual(await store.forUser(9), []);
    assert.deepEqual(await store.count(), { ratings: 3, deletions: 1 });
    const last = await store.lastEventTime();
    assert.equal(last, Math.max(...mine.map((e) => e.time)));
    await store.write([{ userId: 7, movieId: 260, rating: 4 }]);
    assert.deepEqual(await store.count(), { ratings: 4, deletions: 0 }, 'a rating replaces the tombstone');
  });

  await t.test('a write is all or nothing, and one bad write among concurrent ones fails alone', async () => {
    const { store } = await open();
    // 2^32 is outside the schema's id range: the database refuses it (the API never sends it: it checks first).
    const bad = store.write([
      { userId: 1, movieId: 1, rating: 4 },
      { userId: 1, movieId: 2 ** 32, rating: 4 },
    ]);
    const good = store.write([{ userId: 2, movieId: 1, rating: 3 }]);
    await assert.rejects(bad, (err: unknown) => err instanceof StoreError);
    assert.equal((await good).length, 1);
    assert.deepEqual(await store.forUser(1), [], 'nothing of the failed write was kept');
    assert.deepEqual(await store.count(), { ratings: 1, deletions: 0 });
  });

  await t.test('500 concurrent writers: every one answered after its commit, all there', async () => {
    const { store } = await open();
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) => store.write([{ userId: 100 + (i % 10), movieId: i, rating: 0.5 + (i % 10) / 2 }])),
    );
    assert.equal(results.flat().length, 500);
    assert.deepEqual(await store.count(), { ratings: 500, deletions: 0 });
    const user3 = await store.forUser(103);
    assert.equal(user3.length, 50);
    assert.ok(user3.every((e) => e.rating === 0.5 + 3 / 2));
  });

  await t.test('entries: every entry once, by (user, movie), in pages; readEvents as columns', async () => {
    const { store } = await open();
    const writes = Array.from({ length: 23 }, (_, i) => ({ userId: 5 - (i % 3), movieId: 100 - i, rating: i % 4 === 0 ? null : 3 }));
    await store.write(writes);
    const pages: number[] = [];
    const seen: string[] = [];
    for await (const page of store.entries(7)) {
      pages.push(page.length);
      seen.push(...page.map((e) => `${e.userId}:${e.movieId}`));
    }
    assert.deepEqual(pages, [7, 7, 7, 2]);
    const expected = writes
      .map((w) => [w.userId, w.movieId] as const)
      .sort((a, b) => a[0] - b[0] || a[1] - b[1])
      .map(([u, m]) => `${u}:${m}`);
    assert.deepEqual(seen, expected);
    const events = await readEvents(store.entries(5));
    assert.equal(events.users.length, 23);
    assert.equal(events.ratings.filter(Number.isNaN).length, writes.filter((w) => w.rating === null).length);
    assert.equal(events.lastEventTime, await store.lastEventTime());
    const empty = await readEvents((await open()).store.entries());
    assert.equal(empty.users.length, 0);
    assert.equal(empty.lastEventTime, null);
  });

  await t.test('close waits for queued writes; a closed store refuses work', async () => {
    const { store, where } = await open();
    const pending = Array.from({ length: 100 }, (_, i) => store.write([{ userId: 1, movieId: i, rating: 4 }]));
    await store.close();
    await Promise.all(pending);
    await assert.rejects(store.write([{ userId: 1, movieId: 1, rating: 1 }]), /closed/);
    await assert.rejects(store.forUser(1), /closed/);
    const reopened = await openRatingStore(where);
    assert.deepEqual(await reopened.count(), { ratings: 100, deletions: 0 });
    await reopened.close();
  });

  await t.test('two handles on one store (two processes, replicas): a write through one is read by the other', async () => {
    const { store, where } = await open();
    const other: RatingStore = await openRatingStore(where);
    t.after(() => other.close());
    await store.write([{ userId: 42, movieId: 1, rating: 4 }]);
    assert.deepEqual((await other.forUser(42)).map((e) => e.rating), [4]);
    await other.write([{ userId: 42, movieId: 1, rating: null }]);
    assert.deepEqual((await store.forUser(42)).map((e) => e.rating), [null]);
  });
}

test('rating store contract', async (t) => {
  for (const backend of await backends()) {
    await t.test(backend.name, async (bt) => {
      if (backend.unavailable) {
        bt.skip(backend.unavailable);
        return;
      }
      bt.after(() => backend.cleanup());
      await suite(bt, backend);
    });
  }
});
