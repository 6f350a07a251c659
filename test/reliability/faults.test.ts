// Faults on the model folder: truncated or corrupted files are refused with a clear message at warmup and at reload
// (the service keeps the model it had), a damaged version is never promoted (the current pointer does not move), and a
// full disk while saving gives a clear error with the old model intact and current.
// kill -9 during training and around the save is covered by test/cli/crash.test.ts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { MyRecModel } from '../../src/model/index.js';
import { newVersionId } from '../../src/model/versions.js';
import { runCli } from '../helpers/cli.js';
import { currentModelDir, currentVersion } from '../helpers/models.js';
import { FIXTURE_ML_LATEST, ML_LATEST_SMALL, missing } from '../helpers/paths.js';
import { logTo, makeApp, tempDataDir } from '../server/helpers.js';

let source: string;

before(async () => {
  source = tempDataDir('movierec-faults-src-');
  logTo(source);
  await new MyRecModel({ dataDir: source, threads: 1 }).train(FIXTURE_ML_LATEST, { factors: 4, iterations: 2, seed: 5 });
});
after(() => rmSync(source, { recursive: true, force: true }));

function copyModel(): string {
  const dir = tempDataDir('movierec-faults-');
  cpSync(join(source, 'models'), join(dir, 'models'), { recursive: true });
  return dir;
}

/** Each corruption, applied to a copy of a good model folder. */
const CORRUPTIONS: { name: string; apply: (modelDir: string) => void }[] = [
  {
    name: 'truncated item_factors.npy',
    apply: (m) => {
      const f = join(m, 'item_factors.npy');
      writeFileSync(f, readFileSync(f).subarray(0, statSync(f).size - 7));
    },
  },
  {
    name: 'item_factors.npy cut inside its header',
    apply: (m) => writeFileSync(join(m, 'item_factors.npy'), readFileSync(join(m, 'item_factors.npy')).subarray(0, 20)),
  },
  {
    name: 'NaN in item_factors.npy',
    apply: (m) => {
      const f = join(m, 'item_factors.npy');
      const bytes = readFileSync(f);
      bytes.writeFloatLE(Number.NaN, bytes.length - 4);
      writeFileSync(f, bytes);
    },
  },
  {
    name: 'Infinity in user_factors.npy',
    apply: (m) => {
      const f = join(m, 'user_factors.npy');
      const bytes = readFileSync(f);
      bytes.writeFloatLE(Number.POSITIVE_INFINITY, bytes.length - 4);
      writeFileSync(f, bytes);
    },
  },
  { name: 'model.json not JSON', apply: (m) => writeFileSync(join(m, 'model.json'), '{"trainedAt": "2026-') },
  { name: 'model.json an empty object', apply: (m) => writeFileSync(join(m, 'model.json'), '{}') },
  {
    name: 'model.json with wrong factor count',
    apply: (m) => {
      const f = join(m, 'model.json');
      const json = JSON.parse(readFileSync(f, 'utf8')) as { params?: { factors?: number } };
      if (json.params) json.params.factors = 999;
      writeFileSync(f, JSON.stringify(json));
    },
  },
  { name: 'item_ids.npy missing', apply: (m) => rmSync(join(m, 'item_ids.npy')) },
  { name: 'movies.json empty file', apply: (m) => writeFileSync(join(m, 'movies.json'), '') },
];

describe('corrupted model files', () => {
  for (const c of CORRUPTIONS) {
    test(`${c.name}: refused at warmup with a clear message`, async () => {
      const dataDir = copyModel();
      try {
        c.apply(currentModelDir(dataDir));
        const model = new MyRecModel({ dataDir, threads: 1 });
        await assert.rejects(model.warmup(), (err: Error) => {
          assert.ok(err.message.length > 10, `unclear message: ${err.message}`);
          assert.doesNotMatch(err.message, /panicked|RUST_BACKTRACE/);
          return true;
        });
        assert.equal(model.info(), null);
      } finally {
        rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
      }
    });

    test(`${c.name}: refused at reload with 422; the service keeps its model`, async () => {
      const dataDir = copyModel();
      try {
        const model = new MyRecModel({ dataDir, threads: 1 });
        await model.warmup();
        const handler = makeApp(model, dataDir).callback();
        const body = [[1, 2], [5, 4]];
        const beforeAnswer = (await request(handler).post('/predict').send(body).expect(200)).body;
        const trainedAt = model.info()!.trainedAt;
        c.apply(currentModelDir(dataDir));
        const res = await request(handler).post('/api/reload').expect(422);
        assert.equal(res.body.error.code, 'INVALID_MODEL');
        assert.match(res.body.error.message, /keeping the current model/);
        assert.doesNotMatch(JSON.stringify(res.body), /\/tmp\/|\bat .*:\d+:\d+/);
        assert.deepEqual((await request(handler).post('/predict').send(body).expect(200)).body, beforeAnswer);
        assert.equal(model.info()!.trainedAt, trainedAt);
        await request(handler).get('/readyz').expect(200);
      } finally {
        rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
      }
    });

    test(`${c.name} in another version: never promoted (CLI and POST /api/reload?version=); the pointer stays`, async () => {
      const dataDir = copyModel();
      try {
        const current = currentVersion(dataDir);
        const damaged = newVersionId();
        cpSync(currentModelDir(dataDir), join(dataDir, 'models', damaged), { recursive: true });
        c.apply(join(dataDir, 'models', damaged));
        const pointer = readFileSync(join(dataDir, 'models', 'current.json'), 'utf8');

        const run = await runCli(['models', 'promote', damaged], { dataDir });
        assert.equal(run.code, 1, run.stderr);
        assert.match(run.stderr, /movierec: error: .+/);
        assert.doesNotMatch(run.stderr, /panicked/);

        const model = new MyRecModel({ dataDir, threads: 1 });
        await model.warmup();
        const handler = makeApp(model, dataDir).callback();
        const res = await request(handler).post(`/api/reload?version=${damaged}`).expect(422);
        assert.equal(res.body.error.code, 'INVALID_MODEL');
        assert.match(res.body.error.message, new RegExp(`version ${damaged} is corrupt or incompatible; keeping the current model`));
        assert.equal(readFileSync(join(dataDir, 'models', 'current.json'), 'utf8'), pointer, 'the pointer is untouched');
        assert.equal(model.servedVersion(), current);
        const info = await request(handler).get('/api/info').expect(200);
        assert.equal(info.body.model.version, current);
      } finally {
        rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
      }
    });
  }
});

/** Mounts a tmpfs of `size` on a new folder; false when mounting is not permitted here. */
function mountTmpfs(dir: string, size: string): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

describe('full disk while saving', () => {
  test('train a bigger model onto a full tmpfs: clear error, non-zero exit, old model intact and loadable', async (t) => {
    const skipReason = missing(ML_LATEST_SMALL);
    if (skipReason) return t.skip(skipReason);
    const dataDir = join(tempDataDir('movierec-fulldisk-'), 'data');
    // The small model is ~5 KB; 64 factors on ml-latest-small needs ~3.5 MB of factors alone.
    if (!mountTmpfs(dataDir, '1m')) return t.skip('mount -t tmpfs is not permitted here (needs root / CAP_SYS_ADMIN)');
    try {
      cpSync(join(source, 'models'), join(dataDir, 'models'), { recursive: true });
      const oldVersion = currentVersion(dataDir);
      const oldJson = readFileSync(join(currentModelDir(dataDir), 'model.json'), 'utf8');
      const run = await runCli(['train', `--dataset=${ML_LATEST_SMALL}`, '--factors', '64', '--iters', '1'], { dataDir });
      assert.notEqual(run.code, 0, `train should fail on a full disk: ${run.stdout}`);
      assert.match(run.stderr, /no space|ENOSPC|disk|space left/i, `unclear error: ${run.stderr}`);
      assert.doesNotMatch(run.stderr, /panicked/);
      assert.equal(currentVersion(dataDir), oldVersion, 'the pointer did not move');
      assert.equal(readFileSync(join(currentModelDir(dataDir), 'model.json'), 'utf8'), oldJson);
      // The half-written temporary folder is removed, so the disk is not left full; no new version appeared.
      assert.deepEqual(readdirSync(join(dataDir, 'models')).filter((n) => n.includes('.tmp-')), []);
      assert.deepEqual(readdirSync(join(dataDir, 'models')).filter((n) => /^\d{8}T/.test(n)), [oldVersion]);
      const model = new MyRecModel({ dataDir, threads: 1 });
      const info = await model.warmup();
      assert.equal(info.trainedAt, (JSON.parse(oldJson) as { trainedAt: string }).trainedAt);
      const [ids] = await model.predict([[1], [5]], 3);
      assert.equal(ids.length, 3);
      console.log(`full disk: exit ${run.code}; ${run.stderr.trim().split('\n').slice(-1)[0]}`);
    } finally {
      execFileSync('umount', [dataDir], { stdio: 'pipe' });
      rmSync(join(dataDir, '..'), { recursive: true, force: true });
    }
  });
});
