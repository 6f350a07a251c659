// Model versions (src/model/versions.ts through MyRecModel): every train writes a new version and moves the current
// pointer; promote and rollback load before they move it; old versions are pruned but never the current one nor one a
// live lease names; a DATA_DIR/model folder from before versions (test/fixtures/legacy-data, written by the save of
// main before versions) loads as a version and is moved into models/ at the first promotion.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { configureLogger } from '../../src/logger';
import { ModelStore, MyRecModel, VERSION_ID } from '../../src/model';
import { newVersionId } from '../../src/model/versions';
import { currentVersion } from '../helpers/models';
import { FIXTURE_ML_LATEST, REPO_ROOT } from '../helpers/paths';
import { tempDir } from '../helpers/tmp';

const LEGACY_FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'legacy-data', 'model');
const SMALL = { method: 'als', factors: 4, iterations: 2 } as const;

function versionFolders(dataDir: string): string[] {
  return fs.readdirSync(path.join(dataDir, 'models')).filter((n) => VERSION_ID.test(n)).sort();
}

describe('version ids', () => {
  test('sort by creation time and are unique within one millisecond', () => {
    const t0 = new Date('2026-01-02T03:04:05.006Z');
    const ids = Array.from({ length: 200 }, () => newVersionId(t0));
    assert.equal(new Set(ids).size, 200);
    for (const id of ids) assert.match(id, VERSION_ID);
    assert.ok(newVersionId(new Date(t0.getTime() + 1)) > [...ids].sort().at(-1)!);
    assert.ok(ids[0].startsWith('20260102T030405.006Z-'));
  });
});

describe('train, list, promote, rollback, prune', () => {
  test('two trains: two versions, the second current; rollback and promote move the pointer after loading', async (t) => {
    const dataDir = tempDir(t);
    configureLogger({ dataDir, level: 'info', consoleLevel: 'off' });
    const model = new MyRecModel({ dataDir, threads: 1 });
    const first = await model.train(FIXTURE_ML_LATEST, { ...SMALL, seed: 1 });
    const second = await model.train(FIXTURE_ML_LATEST, { ...SMALL, seed: 2 });
    assert.ok(second.version > first.version, 'ids sort by time');
    assert.equal(currentVersion(dataDir), second.version);
    assert.equal(model.servedVersion(), second.version);

    const list = await model.versions();
    assert.equal(list.current, second.version);
    assert.deepEqual(list.versions.map((v) => v.version), [second.version, first.version]);
    assert.equal(list.versions[0].counts?.ratings, 50);

    const back = await model.rollback();
    assert.equal(back.version, first.version);
    assert.equal(currentVersion(dataDir), first.version);
    assert.equal(model.servedVersion(), first.version);
    // A second service on the same data folder loads what the pointer names.
    const other = new MyRecModel({ dataDir, threads: 1 });
    await other.warmup();
    assert.equal(other.servedVersion(), first.version);
    assert.deepEqual(await other.predict([[1], [5]], 3), await model.predict([[1], [5]], 3));

    // Nothing older than the first: a rollback from it is refused and the pointer stays.
    await assert.rejects(model.rollback(), { code: 'VERSION_NOT_FOUND' });
    assert.equal(currentVersion(dataDir), first.version);

    await model.promote(second.version);
    assert.equal(currentVersion(dataDir), second.version);
    assert.equal(model.servedVersion(), second.version);
    await assert.rejects(model.promote('../model'), { code: 'INVALID_INPUT', field: 'version' });
    await assert.rejects(model.promote('20000101T000000.000Z-000000'), { code: 'VERSION_NOT_FOUND' });

    // A damaged version is loaded first, refused, and never becomes current.
    const damaged = newVersionId();
    fs.cpSync(path.join(dataDir, 'models', first.version), path.join(dataDir, 'models', damaged), { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'models', damaged, 'item_factors.npy'), 'garbage');
    await assert.rejects(model.promote(damaged), { code: 'INVALID_MODEL' });
    assert.equal(currentVersion(dataDir), second.version);
    assert.equal(model.servedVersion(), second.version);
  });

  test('keeps the newest N, the current one and the versions live leases name', async (t) => {
    const dataDir = tempDir(t);
    configureLogger({ dataDir, level: 'info', consoleLevel: 'off' });
    const model = new MyRecModel({ dataDir, threads: 1, keepVersions: 2 });
    const store = new ModelStore(dataDir);
    const v1 = (await model.train(FIXTURE_ML_LATEST, { ...SMALL, seed: 1 })).version;
    // Another service serves v1: its lease protects it.
    await store.writeLease('other-host-1', v1, new Date().toISOString());
    const v2 = (await model.train(FIXTURE_ML_LATEST, { ...SMALL, seed: 2 })).version;
    const v3 = (await model.train(FIXTURE_ML_LATEST, { ...SMALL, seed: 3 })).version;
    assert.deepEqual(versionFolders(dataDir), [v1, v2, v3], 'v1 is served elsewhere, so it stays');
    assert.equal((await model.versions()).versions.find((v) => v.version === v1)?.servedBy, 1);

    await store.removeLease('other-host-1');
    await model.promote(v2);
    const v4 = (await model.train(FIXTURE_ML_LATEST, { ...SMALL, seed: 4 })).version;
    assert.deepEqual(versionFolders(dataDir), [v3, v4], 'the newest two; v1 and v2 removed');
    // The current one is kept even when it is not among the newest N.
    await model.promote(v3);
    await store.prune(1, []);
    assert.deepEqual(versionFolders(dataDir), [v3, v4]);
  });
});

describe('a DATA_DIR/model from before versions', () => {
  test('loads as a version, is listed, and moves into models/ at the first train (then rollback reaches it)', async (t) => {
    const dataDir = tempDir(t);
    configureLogger({ dataDir, level: 'info', consoleLevel: 'off' });
    fs.cpSync(LEGACY_FIXTURE, path.join(dataDir, 'model'), { recursive: true });
    const legacyTrainedAt = JSON.parse(fs.readFileSync(path.join(LEGACY_FIXTURE, 'model.json'), 'utf8')).trainedAt;

    const model = new MyRecModel({ dataDir, threads: 1 });
    const info = await model.warmup();
    assert.equal(info.trainedAt, legacyTrainedAt);
    const legacyVersion = model.servedVersion()!;
    assert.match(legacyVersion, /^\d{8}T\d{6}\.\d{3}Z-legacy$/);
    assert.ok(legacyVersion.startsWith(legacyTrainedAt.replace(/[-:]/g, '')));
    const before = await model.versions();
    assert.deepEqual(before.versions.map((v) => [v.version, v.legacy]), [[legacyVersion, true]]);
    assert.equal(before.current, legacyVersion);
    assert.ok((await model.recommend([[1], [5]], 3)).items.length > 0);

    const trained = await model.train(FIXTURE_ML_LATEST, { ...SMALL, seed: 5 });
    assert.ok(!fs.existsSync(path.join(dataDir, 'model')), 'the legacy folder moved');
    assert.deepEqual(versionFolders(dataDir), [legacyVersion, trained.version]);
    const back = await model.rollback();
    assert.equal(back.version, legacyVersion);
    assert.equal(back.info.trainedAt, legacyTrainedAt);
  });
});
