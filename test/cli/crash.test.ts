// kill -9 during `movierec train` when a model already exists: the old model still loads afterwards (saving is
// atomic: temporary folder, fsync, rename). Killed once mid-training and at several moments around the save.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { configureLogger } from '../../src/logger';
import { MyRecModel } from '../../src/model';
import { native } from '../../src/native';
import { runCli, spawnCli } from '../helpers/cli';
import { FIXTURE_ML_LATEST, ML_1M } from '../helpers/paths';
import { tempDir } from '../helpers/tmp';
import { currentModelDir } from '../helpers/models';

/** A data set big enough that training takes a while: ml-1m, or the synthetic demo set where it is absent. */
let bigDataset: string;
let generatedDir: string | undefined;

before(async () => {
  if (fs.existsSync(ML_1M)) {
    bigDataset = ML_1M;
    return;
  }
  generatedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'movierec-crash-'));
  bigDataset = (await native.generateDemo(generatedDir)).ratingsFile;
});
after(() => generatedDir && fs.rmSync(generatedDir, { recursive: true, force: true }));

/** Spawns `train` on the big set, waits until stderr shows `pattern`, waits `delayMs`, then SIGKILLs it. */
function trainAndKill(dataDir: string, args: string[], pattern: RegExp, delayMs: number): Promise<{ killed: boolean; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(['train', `--dataset=${bigDataset}`, '--verbose', '--method', 'als', ...args], { dataDir });
    let stderr = '';
    let armed = false;
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      if (!armed && pattern.test(stderr)) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => resolve({ killed: signal === 'SIGKILL', stderr }));
  });
}

async function trainSmall(dataDir: string): Promise<string> {
  const r = await runCli(['train', `--dataset=${FIXTURE_ML_LATEST}`, '--factors', '4', '--iters', '2', '--json'], { dataDir });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(fs.readFileSync(path.join(currentModelDir(dataDir), 'model.json'), 'utf8')).trainedAt;
}

async function warmupInfo(dataDir: string) {
  configureLogger({ dataDir, level: 'info', consoleLevel: 'off' });
  const model = new MyRecModel({ dataDir });
  const info = await model.warmup();
  const [ids] = await model.predict([[1], [5]], 5);
  assert.equal(ids.length, 5);
  return info;
}

describe('kill -9 during train', () => {
  test('mid-training: the previous model loads, unchanged', async (t) => {
    const dataDir = tempDir(t);
    const oldTrainedAt = await trainSmall(dataDir);
    const run = await trainAndKill(dataDir, ['--iters', '200', '--factors', '64'], /iteration 2\/200/, 0);
    assert.ok(run.killed, `train was not killed:\n${run.stderr}`);
    const info = await warmupInfo(dataDir);
    assert.equal(info.trainedAt, oldTrainedAt);
    assert.equal(info.dataset.ratings, 50);
  });

  test('around the save: whatever the moment, a whole model loads (the old one or the new one)', async (t) => {
    const dataDir = tempDir(t);
    const oldTrainedAt = await trainSmall(dataDir);
    const outcomes: string[] = [];
    for (const delayMs of [0, 5, 20, 60, 150]) {
      const run = await trainAndKill(dataDir, ['--iters', '2', '--factors', '32'], /iteration 2\/2/, delayMs);
      const info = await warmupInfo(dataDir);
      if (info.trainedAt === oldTrainedAt) {
        outcomes.push(`${delayMs} ms: old`);
        assert.equal(info.dataset.ratings, 50);
      } else {
        outcomes.push(`${delayMs} ms: new${run.killed ? '' : ' (finished)'}`);
        assert.ok(info.dataset.ratings > 50_000, 'a new model is the whole big one');
        assert.ok(Date.parse(info.trainedAt) > Date.parse(oldTrainedAt));
      }
      // Leftovers of an interrupted save never shadow the model folder.
      assert.ok(fs.existsSync(path.join(currentModelDir(dataDir), 'model.json')));
    }
    t.diagnostic(outcomes.join(', '));
  });
});
