// The version watch (src/server/versionWatch.ts): a service follows the current pointer of its data folder without a
// request, by file events (the poll set far too slow to be what noticed) and by the poll alone; requests running
// during the switch all succeed; a damaged version the pointer names is refused once and the old one keeps serving.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import type { ModelWatchMode } from '../../src/config';
import { configureLogger, getLogger } from '../../src/logger';
import { MyRecModel } from '../../src/model';
import { newVersionId } from '../../src/model/versions';
import { ModelLifecycle } from '../../src/server/lifecycle';
import { VersionWatch } from '../../src/server/versionWatch';
import { FIXTURE_ML_LATEST } from '../helpers/paths';
import { tempDir } from '../helpers/tmp';

const SMALL = { method: 'als', factors: 4, iterations: 2 } as const;
const FOLLOW_WITHIN_MS = 2000;

async function follower(dataDir: string, mode: ModelWatchMode, pollMs: number) {
  const model = new MyRecModel({ dataDir, threads: 1 });
  await model.warmup();
  const logger = getLogger('service');
  const lifecycle = new ModelLifecycle(model, logger);
  lifecycle.setStatus('ready');
  const watch = new VersionWatch({
    dir: model.store.root,
    mode,
    pollMs,
    wanted: async () => (await model.store.current())?.version ?? null,
    served: () => model.servedVersion(),
    reload: () => lifecycle.reload(),
    logger,
  });
  watch.start();
  return { model, watch };
}

async function until(what: string, cond: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!cond()) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - started;
}

for (const { mode, pollMs } of [
  { mode: 'fs', pollMs: 60_000 },
  { mode: 'poll', pollMs: 250 },
] as const) {
  describe(`MODEL_WATCH=${mode}`, () => {
    test('a promotion elsewhere is served within 2 s, no request fails meanwhile, and a damaged one is refused', async (t) => {
      const dataDir = tempDir(t);
      configureLogger({ dataDir, level: 'info', consoleLevel: 'off' });
      const trainer = new MyRecModel({ dataDir, threads: 1 });
      const v1 = (await trainer.train(FIXTURE_ML_LATEST, { ...SMALL, seed: 1 })).version;
      const { model, watch } = await follower(dataDir, mode, pollMs);
      t.after(() => watch.stop());
      assert.equal(watch.watchingEvents, mode === 'fs');
      assert.equal(model.servedVersion(), v1);

      // Requests keep coming while the trainer makes a new version current.
      let stop = false;
      let served = 0;
      const failures: unknown[] = [];
      const load = (async () => {
        while (!stop) {
          await model.predict([[1, 2], [5, 3]], 5).then(
            () => served++,
            (err: unknown) => failures.push(err),
          );
          await new Promise((r) => setImmediate(r));
        }
      })();
      const v2 = (await trainer.train(FIXTURE_ML_LATEST, { ...SMALL, seed: 2 })).version;
      const ms = await until('the follower serves v2', () => model.servedVersion() === v2, FOLLOW_WITHIN_MS);
      t.diagnostic(`${mode}: followed in ${ms} ms`);
      await trainer.rollback();
      await until('the follower serves v1 again', () => model.servedVersion() === v1, FOLLOW_WITHIN_MS);
      stop = true;
      await load;
      assert.deepEqual(failures, []);
      assert.ok(served > 0);

      // The pointer names a damaged version (written by hand: promote would refuse it): refused, v1 keeps serving.
      const damaged = newVersionId();
      fs.cpSync(path.join(dataDir, 'models', v1), path.join(dataDir, 'models', damaged), { recursive: true });
      fs.writeFileSync(path.join(dataDir, 'models', damaged, 'user_factors.npy'), 'garbage');
      const pointer = JSON.parse(fs.readFileSync(model.store.pointerFile, 'utf8'));
      fs.writeFileSync(`${model.store.pointerFile}.tmp`, JSON.stringify({ ...pointer, version: damaged }));
      fs.renameSync(`${model.store.pointerFile}.tmp`, model.store.pointerFile);
      await new Promise((r) => setTimeout(r, mode === 'fs' ? 300 : 3 * pollMs));
      await watch.check('poll');
      assert.equal(model.servedVersion(), v1);
      assert.ok((await model.recommend([[1], [5]], 3)).items.length > 0);
    });
  });
}
