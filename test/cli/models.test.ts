// movierec models list | promote | rollback, as a user runs them: after two trains, the list shows both with the second
// current; rollback and promote move the pointer; bad ids exit 2 naming the argument, absent ones exit 1.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { runCli } from '../helpers/cli';
import { currentVersion } from '../helpers/models';
import { FIXTURE_ML_LATEST } from '../helpers/paths';
import { tempDir } from '../helpers/tmp';

interface Listed {
  current: string | null;
  versions: { version: string; counts?: { ratings: number } }[];
}

describe('movierec models', () => {
  test('list after two trains, rollback, promote, and the errors', async (t) => {
    const dataDir = tempDir(t);
    const train = async (seed: number): Promise<string> => {
      const r = await runCli(['train', `--dataset=${FIXTURE_ML_LATEST}`, '--factors', '4', '--iters', '2', '--seed', String(seed), '--json'], { dataDir });
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as { version: string }).version;
    };
    const v1 = await train(1);
    const v2 = await train(2);

    const listed = await runCli(['models', 'list', '--json'], { dataDir });
    assert.equal(listed.code, 0, listed.stderr);
    const list = JSON.parse(listed.stdout) as Listed;
    assert.equal(list.current, v2);
    assert.deepEqual(list.versions.map((v) => v.version), [v2, v1]);
    assert.equal(list.versions[0].counts?.ratings, 50);

    const text = await runCli(['models', 'list'], { dataDir });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`\\* ${v2}`));
    assert.match(text.stdout, new RegExp(`\\n\\s+${v1}`));
    t.diagnostic(text.stdout);

    const back = await runCli(['models', 'rollback'], { dataDir });
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, new RegExp(`Current\\s+${v1} \\(rolled back to`));
    assert.equal(currentVersion(dataDir), v1);

    const promoted = await runCli(['models', 'promote', v2, '--json'], { dataDir });
    assert.equal(promoted.code, 0, promoted.stderr);
    assert.equal((JSON.parse(promoted.stdout) as { current: string }).current, v2);
    assert.equal(currentVersion(dataDir), v2);

    const malformed = await runCli(['models', 'promote', '../model'], { dataDir });
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /version must be a version id/);
    const absent = await runCli(['models', 'promote', '20000101T000000.000Z-000000'], { dataDir });
    assert.equal(absent.code, 1);
    assert.match(absent.stderr, /no version 20000101T000000\.000Z-000000/);
    assert.equal(currentVersion(dataDir), v2, 'refusals leave the pointer');
  });

  test('an empty data folder: list says how to train; rollback exits 1', async (t) => {
    const dataDir = tempDir(t);
    const listed = await runCli(['models', 'list'], { dataDir });
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /No model versions in .*; train one/);
    const back = await runCli(['models', 'rollback'], { dataDir });
    assert.equal(back.code, 1);
    assert.match(back.stderr, /nothing to roll back to: no version is current/);
  });
});
