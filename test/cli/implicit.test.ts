// `train --feedback implicit` end to end through the built CLI on ml-latest-small: the flag lands in model.json,
// predict returns unclipped preference scores, and evaluate reports ranking metrics (no RMSE) beating popularity.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { runCli } from '../helpers/cli';
import { missing, ML_LATEST_SMALL } from '../helpers/paths';
import { tempDir } from '../helpers/tmp';
import { currentModelDir } from '../helpers/models';

describe('movierec train --feedback implicit', { skip: missing(ML_LATEST_SMALL) }, () => {
  test('trains, predicts unclipped scores, and ranks better than popularity', async (t) => {
    const dataDir = tempDir(t);
    const out = path.join(dataDir, 'split');
    // A random 80/20 split of ratings (there is no per-user split command): most users keep 80% of their ratings.
    const s = await runCli(['split', `--dataset=${ML_LATEST_SMALL}`, '--out', out, '--test-fraction', '0.2', '--json'], { dataDir });
    assert.equal(s.code, 0, s.stderr);
    const split = JSON.parse(s.stdout);

    const tr = await runCli(['train', `--dataset=${split.trainFile}`, '--feedback', 'implicit', '--iters', '8', '--json'], {
      dataDir,
      timeoutMs: 300_000,
    });
    assert.equal(tr.code, 0, tr.stderr);
    const trained = JSON.parse(tr.stdout);
    assert.equal(trained.params.feedback, 'implicit');
    assert.equal(trained.params.regScaling, 'plain', 'implicit defaults when --reg is not given');
    assert.equal(trained.params.regFactors, 0, 'regFactors 0: a plain lambda from the data size');
    const stored = JSON.parse(fs.readFileSync(path.join(currentModelDir(dataDir), 'model.json'), 'utf8'));
    assert.equal(stored.params.feedback, 'implicit');
    assert.ok(stored.params.regFactors > 0, 'model.json records the lambda training resolved');

    // Toy Story, Jumanji, Heat: all rated 5.
    const input = [1, 2, 6];
    const p = await runCli(['predict', '--ratings', JSON.stringify([input, [5, 5, 5]]), '-M', '200', '--json'], { dataDir });
    assert.equal(p.code, 0, p.stderr);
    const [ids, scores] = JSON.parse(p.stdout) as [number[], number[]];
    assert.equal(ids.length, 200);
    assert.ok(ids.every((id) => !input.includes(id)), 'input movies are not recommended');
    for (let i = 1; i < scores.length; i++) assert.ok(scores[i - 1] >= scores[i], `sorted at ${i}`);
    // Preferences (about 0..1), not ratings: the scale (0.5..5) would clip everything below 0.5 to 0.5.
    assert.ok(scores[0] > 0.1 && scores[0] < 2, `top score ${scores[0]}`);
    assert.ok(scores[scores.length - 1] < 0.5, `200th score ${scores[scores.length - 1]} is below the scale minimum`);

    const e = await runCli(['evaluate', `--dataset=${split.testFile}`, '--json'], { dataDir, timeoutMs: 120_000 });
    assert.equal(e.code, 0, e.stderr);
    const ev = JSON.parse(e.stdout);
    assert.equal(ev.model.rating.rmse, null, 'no RMSE for an implicit model');
    assert.ok(ev.model.rating.count > 0);
    const [model, popularity] = [ev.model.ranking.precision, ev.popularity.ranking.precision];
    assert.ok(model > popularity * 1.2, `precision@10 implicit ${model} vs popularity ${popularity}`);
    assert.ok(ev.model.ranking.ndcg > ev.popularity.ranking.ndcg);

    const table = await runCli(['evaluate', `--dataset=${split.testFile}`], { dataDir, timeoutMs: 120_000 });
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /RMSE\s+-\s+\d\.\d{4}\s+-/);
    assert.match(table.stdout, /precision@10\s+0\.\d{4}/);
  });
});
