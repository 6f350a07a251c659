// `movierec evaluate --new-users` and the list flags of `predict`, end to end through the built CLI on
// ml-latest-small split by users: the new-user table beats popularity and lands in model.json; filters, --order and
// --explain reach the lists, and a bad filter exits 2 naming it.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { runCli } from '../helpers/cli';
import { missing, ML_LATEST_SMALL } from '../helpers/paths';
import { tempDir } from '../helpers/tmp';
import { currentModelDir } from '../helpers/models';

describe('movierec evaluate --new-users, predict list flags', { skip: missing(ML_LATEST_SMALL) }, () => {
  test('new users get better lists than popularity; flags filter and explain', async (t) => {
    const dataDir = tempDir(t);
    const out = path.join(dataDir, 'split');
    const s = await runCli(['split', `--dataset=${ML_LATEST_SMALL}`, '--by', 'users', '--out', out, '--test-fraction', '0.2', '--json'], { dataDir });
    assert.equal(s.code, 0, s.stderr);
    const split = JSON.parse(s.stdout);
    const tr = await runCli(['train', `--dataset=${split.trainFile}`, '--method', 'als', '--json'], { dataDir, timeoutMs: 300_000 });
    assert.equal(tr.code, 0, tr.stderr);

    const e = await runCli(['evaluate', '--new-users', `--dataset=${split.testFile}`, '--json'], { dataDir, timeoutMs: 120_000 });
    assert.equal(e.code, 0, e.stderr);
    const ev = JSON.parse(e.stdout);
    assert.equal(ev.usersKnown, 0);
    assert.ok(ev.users > 100, `${ev.users} users`);
    assert.ok(ev.model.precision >= 1.6 * ev.popularity.precision, `P@10 ${ev.model.precision} vs ${ev.popularity.precision}`);
    assert.ok(ev.model.coverage >= 3 * ev.popularity.coverage);
    const stored = JSON.parse(fs.readFileSync(path.join(currentModelDir(dataDir), 'model.json'), 'utf8'));
    assert.deepEqual(stored.newUserEvaluation.model, ev.model);

    const fan = JSON.stringify([
      [1, 3114, 2355],
      [5, 5, 5],
    ]);
    const p = await runCli(['predict', '--ratings', fan, '-M', '5', '--genres', 'Animation', '--year-min', '1995', '--explain'], { dataDir });
    assert.equal(p.code, 0, p.stderr);
    assert.equal((p.stdout.match(/because you rated/g) ?? []).length >= 5, true, p.stdout);
    const bad = await runCli(['predict', '--ratings', fan, '--genres', 'Cartoons'], { dataDir });
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /genres/);
    const order = await runCli(['predict', '--ratings', fan, '--order', 'rating'], { dataDir });
    assert.equal(order.code, 2, order.stderr);
    assert.match(order.stderr, /order must be/);
  });
});
