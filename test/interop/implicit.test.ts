// `implicit` (PyPI, test/.venv) both ways, through the CLI: a model exported here loads with
// AlternatingLeastSquares.load and scores what this model estimates; a model trained and saved by implicit imports
// here and gives its known users the lists implicit recommends them.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { MyRecModel } from '../../src/model';
import { runCli } from '../helpers/cli';
import { missing, ML_LATEST_SMALL } from '../helpers/paths';
import { runPython } from '../helpers/python';

const USERS = 15;

describe('implicit (PyPI) reads what movierec exports, and the other way round', { skip: missing(ML_LATEST_SMALL) }, () => {
  let work: string;
  before(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'movierec-implicit-'))));
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  /** The first users of the model's lists (id, list) and what implicit scores for the same pairs. */
  async function scoredByImplicit(dataDir: string, npz: string) {
    const model = new MyRecModel({ dataDir, threads: 2 });
    await model.warmup();
    const lists = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((user) => ({ user, items: model.recommendForUser(user, 20)!.items }));
    const request = path.join(work, 'request.json');
    fs.writeFileSync(request, JSON.stringify(lists.map((l) => ({ user: l.user, movies: l.items.map((i) => i.movieId) }))));
    const answer = runPython('implicit_models.py', ['score', npz, request]) as { scores: number[][]; factors: number };
    return { model, lists, answer };
  }

  for (const feedback of ['explicit', 'implicit'] as const) {
    test(`an exported ${feedback} model loads in implicit and scores what it estimates here`, async (t) => {
      const dataDir = path.join(work, `export-${feedback}`);
      const train = await runCli(['train', '--dataset', ML_LATEST_SMALL, '--method', 'als', '--feedback', feedback, '--factors', '16', '--iters', '4'], {
        dataDir,
      });
      assert.equal(train.code, 0, train.stderr);
      const npz = path.join(work, `${feedback}.npz`);
      const run = await runCli(['export', 'implicit', npz, '--json'], { dataDir });
      assert.equal(run.code, 0, run.stderr);
      const exported = JSON.parse(run.stdout) as { factors: number };
      const { model, lists, answer } = await scoredByImplicit(dataDir, npz);
      // An explicit model's mean and biases travel as two more factor columns.
      assert.equal(answer.factors, feedback === 'explicit' ? 18 : 16);
      assert.equal(exported.factors, answer.factors);
      const scale = model.ratingScale()!;
      let worst = 0;
      lists.forEach((list, u) =>
        list.items.forEach((item, i) => {
          const theirs = answer.scores[u][i];
          // Lists show an explicit model's estimate clipped to the rating scale; implicit gives it unclipped.
          const shown = feedback === 'explicit' ? Math.min(scale.max, Math.max(scale.min, theirs)) : theirs;
          worst = Math.max(worst, Math.abs(shown - item.rating));
        }),
      );
      t.diagnostic(`largest difference from implicit's score: ${worst.toExponential(2)}`);
      assert.ok(worst <= 1e-4, `largest difference from implicit's score: ${worst}`);
    });
  }

  test('a model trained and saved by implicit imports here and recommends what implicit recommends', async (t) => {
    const npz = path.join(work, 'trained-by-implicit.npz');
    const theirs = runPython('implicit_models.py', ['train', ML_LATEST_SMALL, npz, String(USERS)]) as {
      lists: Record<string, number[]>;
    };
    const dataDir = path.join(work, 'import');
    const run = await runCli(['import', 'implicit', npz, '--ratings', ML_LATEST_SMALL, '--json'], { dataDir });
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as { engine: string; counts: { factors: number; users: number } };
    assert.deepEqual([result.engine, result.counts.factors, result.counts.users], ['implicit', 16, 610]);
    const model = new MyRecModel({ dataDir, threads: 2 });
    await model.warmup();
    let same = 0;
    for (const [user, list] of Object.entries(theirs.lists)) {
      const mine = model.recommendForUser(Number(user), 10)!.items.map((i) => i.movieId);
      if (JSON.stringify(mine) === JSON.stringify(list)) same++;
      else assert.deepEqual(new Set(mine), new Set(list), `user ${user}: ${mine.join(',')} here, ${list.join(',')} in implicit`);
    }
    t.diagnostic(`${same} of ${USERS} lists in the same order (the rest: the same movies, near-equal scores swapped)`);
    assert.ok(same >= USERS - 2, `${same} of ${USERS} lists in implicit's order`);
  });
});
