// The built CLI end to end (child processes on bin/movierec.js): exit codes, --json outputs, messages on stderr,
// the log file, each command on the fixture data.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';

import { runCli } from '../helpers/cli';
import { FIXTURE_BAD, FIXTURE_ML_LATEST, ML_LATEST_SMALL, REPO_ROOT, missing } from '../helpers/paths';
import { tempDir } from '../helpers/tmp';
import { currentModelDir } from '../helpers/models';

const NO_STACK = /\n\s+at .*:\d+:\d+/;

async function trainedDataDir(t: import('node:test').TestContext): Promise<string> {
  const dataDir = tempDir(t);
  const r = await runCli(['train', `--dataset=${FIXTURE_ML_LATEST}`, '--factors', '4', '--iters', '4'], { dataDir });
  assert.equal(r.code, 0, r.stderr);
  return dataDir;
}

describe('movierec (usage)', () => {
  test('--help lists the commands; --version; every command has help', async (t) => {
    const dataDir = tempDir(t);
    const r = await runCli(['--help'], { dataDir });
    assert.equal(r.code, 0);
    for (const c of ['train', 'evaluate', 'predict', 'split', 'download', 'demo']) assert.match(r.stdout, new RegExp(`\\n  ${c}\\b`));
    assert.match(r.stdout, /Exit codes: 0 ok, 2 usage error/);
    const v = await runCli(['--version'], { dataDir });
    assert.equal(v.code, 0);
    assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
    const th = await runCli(['train', '--help'], { dataDir });
    assert.equal(th.code, 0);
    assert.match(th.stdout, /--dataset <path>[\s\S]*--factors <n>[\s\S]*--reg-bias <x>[\s\S]*--skip-invalid/);
    assert.match(th.stdout, /--method <method>[\s\S]*\(default gibbs[\s\S]*--samples <n>[\s\S]*--burn-in <n>[\s\S]*--noise-std <x>/);
    assert.match(th.stdout, /--validation-fraction <f>[\s\S]*--early-stopping <n>/);
  });

  test('usage errors exit 2 with a message on stderr and no stack', async (t) => {
    const dataDir = tempDir(t);
    const cases: Array<[string[], RegExp]> = [
      [[], /Usage: movierec \[options\] \[command\]/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['train'], /required option '-d, --dataset <path>' not specified/],
      [['train', '--dataset=x', '--factors', 'many'], /--factors <n>' argument 'many' is invalid\. must be an integer in 1\.\.1024/],
      [['train', '--dataset=x', '--reg', '-1'], /--reg <x>' argument '-1' is invalid/],
      [['train', '--dataset=x', '--bogus'], /unknown option '--bogus'/],
      [['train', '--dataset=x', '--method', 'svd'], /argument 'svd' is invalid\. Allowed choices are gibbs, als/],
      [['train', '--dataset=x', '--samples', '0'], /--samples <n>' argument '0' is invalid/],
      [['train', '--dataset=x', '--solver', 'lu'], /argument 'lu' is invalid\. Allowed choices are cholesky, cg/],
      [['train', '--dataset=x', '--noise-std', '0'], /--noise-std <x>' argument '0' is invalid/],
      [['train', '--dataset=x', '--validation-fraction', '0.5'], /--validation-fraction <f>' argument '0\.5' is invalid/],
      [['predict'], /give exactly one of --ratings/],
      [['predict', '--ratings', '[[1],[5]]', '--dataset', 'x'], /give exactly one of --ratings/],
      [['predict', '--ratings', '[[1],[5]', '-M', '5'], /--ratings is not valid JSON/],
      [['predict', '--ratings', '[[1],[5]]', '-M', '0'], /-M, --top <n>' argument '0' is invalid/],
      [['split', '--dataset=x', '--out=y', '--by', 'movies'], /argument 'movies' is invalid\. Allowed choices are ratings, users/],
      [['evaluate', '--dataset=x', '--fold-in', '--history-fraction', '1'], /between 0 and 1/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, { dataDir });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.doesNotMatch(r.stderr, NO_STACK);
      assert.equal(r.stdout, '', `${args.join(' ')} printed to stdout`);
    }
  });

  test('a bad environment exits 2 naming the variable', async (t) => {
    const r = await runCli(['train', `--dataset=${FIXTURE_ML_LATEST}`], { dataDir: tempDir(t), env: { THREADS: 'lots' } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /THREADS/);
  });
});

describe('movierec train', () => {
  test('--json prints one document; the log has the command, every iteration and the summary', async (t) => {
    const dataDir = tempDir(t);
    const r = await runCli(
      ['train', `--dataset=${FIXTURE_ML_LATEST}`, '--method', 'als', '--factors', '4', '--reg', '0.1', '--reg-bias', '0.02', '--iters', '3', '--seed', '9', '--json'],
      { dataDir },
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.params, {
      factors: 4, regFactors: 0.1, regBias: 0.02, iterations: 3, seed: 9, threads: 2, feedback: 'explicit', priorCount: 150, alpha: 0, cgSteps: 3,
      method: 'als', samples: 100, burnIn: 10, noiseStd: 0.8, validationFraction: 0, earlyStopping: 0, solver: 'cholesky',
      ranking: 'implicit', confidence: 'linear', confidenceMid: 0.25, confidenceLow: 0.5, regScaling: 'weighted',
    });
    assert.equal(out.history.length, 3);
    assert.equal(out.modelDir, path.join(dataDir, 'models', out.version));
    assert.equal(r.stderr, '', 'no progress bar and no log lines on stderr with --json');
    const log = fs.readFileSync(path.join(dataDir, 'log_file.log'), 'utf8');
    assert.match(log, /command: movierec train --dataset=/);
    assert.match(log, /iteration 1\/3[\s\S]*iteration 2\/3[\s\S]*iteration 3\/3/);
    assert.match(log, /train summary: \{/);
  });

  test('gibbs (the default): sweeps = burn-in + samples, logged; implicit + gibbs is refused', async (t) => {
    const dataDir = tempDir(t);
    const r = await runCli(
      ['train', `--dataset=${FIXTURE_ML_LATEST}`, '--factors', '4', '--iters', '2', '--burn-in', '1', '--samples', '3', '--json'],
      { dataDir },
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.params.method, 'gibbs');
    assert.equal(out.params.samples, 3);
    assert.equal(out.params.burnIn, 1);
    assert.equal(out.history.length, 4);
    const json = JSON.parse(fs.readFileSync(path.join(currentModelDir(dataDir), 'model.json'), 'utf8'));
    assert.equal(json.params.method, 'gibbs');
    const log = fs.readFileSync(path.join(dataDir, 'log_file.log'), 'utf8');
    assert.match(log, /sweep 1\/4[\s\S]*sweep 4\/4: train RMSE \d\.\d{4}/);
    const bad = await runCli(['train', `--dataset=${FIXTURE_ML_LATEST}`, '--feedback', 'implicit', '--method', 'gibbs'], {
      dataDir,
    });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /method gibbs .*implicit feedback trains with method als/);
    assert.doesNotMatch(bad.stderr, NO_STACK);
  });

  test('--solver cg: warm-started conjugate-gradient rows, recorded in model.json, close to the exact solve', async (t) => {
    const train = async (solver: string) => {
      const dataDir = tempDir(t);
      const args = ['train', `--dataset=${FIXTURE_ML_LATEST}`, '--method', 'als', '--factors', '4', '--iters', '6'];
      const r = await runCli([...args, '--solver', solver, '--cg-steps', '3', '--json'], { dataDir });
      assert.equal(r.code, 0, r.stderr);
      const json = JSON.parse(fs.readFileSync(path.join(currentModelDir(dataDir), 'model.json'), 'utf8'));
      assert.equal(json.params.solver, solver);
      return JSON.parse(r.stdout).history.at(-1).trainRmse as number;
    };
    const [exact, cg] = [await train('cholesky'), await train('cg')];
    assert.ok(Math.abs(cg - exact) < 0.05 && cg !== exact, `cg ${cg} vs exact ${exact}`);
  });

  test('--validation-fraction reports a validation RMSE per iteration; --early-stopping stops ALS', { skip: missing(ML_LATEST_SMALL) }, async (t) => {
    const dataDir = tempDir(t);
    const args = ['train', `--dataset=${ML_LATEST_SMALL}`, '--method', 'als', '--factors', '8', '--validation-fraction', '0.1'];
    const r = await runCli([...args, '--iters', '12', '--reg', '0', '--reg-bias', '0', '--early-stopping', '2', '--json'], {
      dataDir,
    });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.params.validationFraction, 0.1);
    assert.ok(out.history.length < 12, `unregularised ALS overfits and stops early (${out.history.length} iterations)`);
    for (const s of out.history) assert.ok(s.validationRmse > 0.5 && s.validationRmse < 3, JSON.stringify(s));
    const json = JSON.parse(fs.readFileSync(path.join(currentModelDir(dataDir), 'model.json'), 'utf8'));
    assert.equal(json.history.length, out.history.length);
    assert.equal(typeof json.history[0].validationRmse, 'number');
    const log = fs.readFileSync(path.join(dataDir, 'log_file.log'), 'utf8');
    assert.match(log, /iteration 1\/12: train RMSE \d\.\d{4}, validation RMSE \d\.\d{4}/);
  });

  test('human output: a summary on stdout', async (t) => {
    const dataDir = tempDir(t);
    const r = await runCli(['train', '-d', FIXTURE_ML_LATEST, '--factors', '4', '--iters', '2'], { dataDir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Data set\s+.*ratings\.csv \(csv-header\)\n\s+50 ratings, 8 users/);
    assert.match(r.stdout, /Training\s+\d+\.\d\d s, final train RMSE \d\.\d{4}/);
    const saved = currentModelDir(dataDir).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(r.stdout, new RegExp(`Model\\s+version \\S+, now current \\(saved to ${saved}\\)`));
  });

  test('bad data: exit 2 naming file and line; --skip-invalid trains; missing file; no movies file warns', async (t) => {
    const dataDir = tempDir(t);
    const bad = path.join(FIXTURE_BAD, 'non_numeric.dat');
    const r = await runCli(['train', `--dataset=${bad}`], { dataDir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^movierec: error: .*non_numeric\.dat:6: movie id 'abc' is not a positive integer\n$/);
    const skip = await runCli(['train', `--dataset=${bad}`, '--skip-invalid', '--iters', '2', '--factors', '2', '--json'], { dataDir });
    assert.equal(skip.code, 0, skip.stderr);
    assert.equal(JSON.parse(skip.stdout).dataset.skippedInvalid, 1);
    const log = fs.readFileSync(path.join(dataDir, 'log_file.log'), 'utf8');
    assert.match(log, /WARN .*skipped 1 malformed lines/);
    assert.match(log, /WARN .*no movies file beside the ratings/);
    const gone = await runCli(['train', '--dataset=/nonexistent/ratings.dat'], { dataDir });
    assert.equal(gone.code, 2);
    assert.match(gone.stderr, /\/nonexistent\/ratings\.dat: No such file or directory/);
    const verbose = await runCli(['train', '--dataset=/nonexistent/ratings.dat', '--verbose'], { dataDir });
    assert.equal(verbose.code, 2);
    assert.match(verbose.stderr, NO_STACK, '--verbose shows the stack');
  });
});

describe('movierec predict / evaluate / split', () => {
  test('predict --ratings --json prints exactly [[ids],[ratings]]', async (t) => {
    const dataDir = await trainedDataDir(t);
    const r = await runCli(['predict', '--ratings', '[[1,2,3],[5,4,3]]', '-M', '5', '--json'], { dataDir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\[\[(\d+,){4}\d+\],\[([\d.]+,){4}[\d.]+\]\]\n$/);
    const [ids, ratings] = JSON.parse(r.stdout) as [number[], number[]];
    assert.equal(ids.length, 5);
    assert.ok(ratings.every((x, i) => i === 0 || ratings[i - 1] >= x));
    assert.ok(![1, 2, 3].some((id) => ids.includes(id)));
  });

  test('predict human output, unknown ids noted on stderr; bad ratings exit 2', async (t) => {
    const dataDir = await trainedDataDir(t);
    const r = await runCli(['predict', '--ratings', '[[1,777777],[5,4]]', '-M', '3'], { dataDir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^1\. \d\.\d\d\s+\d+\s+\S.*\n2\. .*\n3\. .*\n$/);
    assert.match(r.stderr, /does not know movie ids 777777/);
    const outOfScale = await runCli(['predict', '--ratings', '[[1],[9]]'], { dataDir });
    assert.equal(outOfScale.code, 2);
    assert.match(outOfScale.stderr, /rating|scale/i);
    const shape = await runCli(['predict', '--ratings', '[[1,2],[5]]'], { dataDir });
    assert.equal(shape.code, 2);
    assert.match(shape.stderr, /2 movie ids but 1 ratings/);
  });

  test('no model yet: predict and evaluate exit 1 with a hint', async (t) => {
    const dataDir = tempDir(t);
    for (const args of [['predict', '--ratings', '[[1],[5]]'], ['evaluate', `--dataset=${FIXTURE_ML_LATEST}`]]) {
      const r = await runCli(args, { dataDir });
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.stderr, /no model at .*model/);
      assert.match(r.stderr, /hint: train a model first/);
      assert.doesNotMatch(r.stderr, NO_STACK);
    }
  });

  test('predict --dataset --json: one JSON line per user', async (t) => {
    const dataDir = await trainedDataDir(t);
    const r = await runCli(['predict', `--dataset=${FIXTURE_ML_LATEST}`, '-M', '4', '--json'], { dataDir });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 8);
    assert.deepEqual(lines.map((l) => l.user), [1, 2, 3, 4, 5, 6, 7, 8]);
    for (const l of lines) {
      assert.deepEqual(Object.keys(l), ['user', 'movieIds', 'titles', 'ratings']);
      assert.equal(l.movieIds.length, 4);
      assert.equal(l.titles.length, 4);
      assert.ok(l.ratings.every((x: number, i: number) => i === 0 || l.ratings[i - 1] >= x));
    }
  });

  test('split, train on train, evaluate on test (table and --json), fold-in on held-out users', async (t) => {
    const dataDir = tempDir(t);
    const out = path.join(dataDir, 'split');
    const s = await runCli(['split', `--dataset=${FIXTURE_ML_LATEST}`, '--out', out, '--test-fraction', '0.2', '--json'], { dataDir });
    assert.equal(s.code, 0, s.stderr);
    const split = JSON.parse(s.stdout);
    assert.equal(split.trainRatings + split.testRatings, 50);
    assert.ok(fs.existsSync(path.join(out, 'train', 'movies.csv')));
    const tr = await runCli(['train', `--dataset=${split.trainFile}`, '--factors', '4', '--iters', '4'], { dataDir });
    assert.equal(tr.code, 0, tr.stderr);
    const table = await runCli(['evaluate', `--dataset=${split.testFile}`, '-k', '5'], { dataDir });
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /metric\s+model\s+bias-only\s+popularity/);
    assert.match(table.stdout, /RMSE\s+\d\.\d{4}\s+\d\.\d{4}\s+-/);
    assert.match(table.stdout, /precision@5/);
    const json = await runCli(['evaluate', `--dataset=${split.testFile}`, '--json'], { dataDir });
    const e = JSON.parse(json.stdout);
    assert.ok(e.model.rating.rmse > 0 && e.biasOnly.rating.rmse > 0);
    const stored = JSON.parse(fs.readFileSync(path.join(currentModelDir(dataDir), 'model.json'), 'utf8'));
    assert.deepEqual(stored.evaluation, e);

    const byUsers = path.join(dataDir, 'by-users');
    const su = await runCli(['split', `--dataset=${FIXTURE_ML_LATEST}`, '--out', byUsers, '--by', 'users', '--test-fraction', '0.25', '--json'], { dataDir });
    assert.equal(su.code, 0, su.stderr);
    const users = JSON.parse(su.stdout);
    const tu = await runCli(['train', `--dataset=${users.trainFile}`, '--factors', '4', '--iters', '4'], { dataDir });
    assert.equal(tu.code, 0, tu.stderr);
    const f = await runCli(['evaluate', '--fold-in', `--dataset=${users.testFile}`, '--json'], { dataDir });
    assert.equal(f.code, 0, f.stderr);
    const fold = JSON.parse(f.stdout);
    assert.equal(fold.users, 2);
    assert.equal(fold.usersKnown, 0);
    assert.ok(fold.rating.count > 0 && fold.rating.rmse > 0);
  });
});

describe('movierec demo', () => {
  test('generates the demo catalogue, trains on it, and predict works', async (t) => {
    const dataDir = tempDir(t);
    const r = await runCli(['demo', '--json'], { dataDir, timeoutMs: 300_000 });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.dataset.generated, true);
    assert.equal(out.dataset.dir, path.join(dataDir, 'datasets', 'demo'));
    assert.ok(out.training.dataset.ratings > 100_000);
    const p = await runCli(['predict', '--ratings', '[[1,2,3],[5,4,1]]', '--json'], { dataDir });
    assert.equal(p.code, 0, p.stderr);
    assert.equal(JSON.parse(p.stdout)[0].length, 20);
  });
});

describe('the bin', () => {
  test('npx movierec --help works from the repository', async () => {
    const { stdout } = await promisify(execFile)('npx', ['--no-install', 'movierec', '--help'], {
      cwd: REPO_ROOT,
      env: { ...process.env, npm_config_yes: 'false' },
    });
    assert.match(stdout, /Usage: movierec/);
  });
});
