// `movierec tune` and `train --config` end to end through the built CLI: cross-validation on ml-latest-small gives a
// ranked table and a best-config file that train accepts (its parameters land in model.json, flags override it);
// every class of bad input is a usage error (exit 2) with a message naming what is wrong, and is logged.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { runCli } from '../helpers/cli';
import { waitForLogLine } from '../helpers/log';
import { FIXTURE_ML_LATEST, missing, ML_LATEST_SMALL } from '../helpers/paths';
import { tempDir } from '../helpers/tmp';
import { currentModelDir } from '../helpers/models';

describe('movierec tune', { skip: missing(ML_LATEST_SMALL) }, () => {
  test('ranks a grid by mean RMSE over folds, writes the best configuration, and train --config uses it', async (t) => {
    const dataDir = tempDir(t);
    const grid = 'factors=4,16;iterations=4';
    const r = await runCli(['tune', `--dataset=${ML_LATEST_SMALL}`, '--folds', '3', '--grid', grid], { dataDir, timeoutMs: 300_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /100,836 ratings, 3 folds \(seed 42\), 2 configurations/);
    const rows = [...r.stdout.matchAll(/^(\d)\. (factors=\d+ iterations=4)\s+(\d\.\d{4}) ± (\d\.\d{4})\s+(\d\.\d{4})\s+(\d+\.\d\d)$/gm)];
    assert.equal(rows.length, 2, r.stdout);
    const means = rows.map((m) => Number(m[3]));
    assert.ok(means[0] <= means[1], `ranked best first: ${means.join(', ')}`);
    for (const m of rows) {
      assert.ok(Number(m[3]) > 0.8 && Number(m[3]) < 1.0, `plausible RMSE ${m[3]}`);
      assert.ok(Number(m[4]) > 0 && Number(m[4]) < 0.05, `sd over folds ${m[4]}`);
    }

    const file = path.join(dataDir, 'tune', 'best-config.json');
    assert.ok(r.stdout.includes(`Best configuration written to ${file}`));
    const best = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(`factors=${best.factors} iterations=${best.iterations}`, rows[0][2]);
    assert.equal(best.tuning.folds, 3);
    assert.equal(best.tuning.meanRmse.toFixed(4), rows[0][3]);
    assert.equal(best.threads, undefined, 'threads belong to the machine, not the configuration');
    await waitForLogLine(path.join(dataDir, 'log_file.log'), /cross-validation done in .* best .*mean RMSE/);
    assert.match(fs.readFileSync(path.join(dataDir, 'log_file.log'), 'utf8'), /fit 6\/6: fold 3\/3/);

    // The file trains as is; a flag overrides one of its values.
    const tr = await runCli(['train', `--dataset=${ML_LATEST_SMALL}`, '--config', file, '--iters', '5', '--json'], { dataDir, timeoutMs: 300_000 });
    assert.equal(tr.code, 0, tr.stderr);
    const stored = JSON.parse(fs.readFileSync(path.join(currentModelDir(dataDir), 'model.json'), 'utf8'));
    assert.equal(stored.params.factors, best.factors);
    assert.equal(stored.params.regFactors, best.regFactors);
    assert.equal(stored.params.iterations, 5, '--iters overrides the file');
    assert.equal(stored.history.length, 5);

    // train wrote its curve: one path with a point per iteration.
    const svg = fs.readFileSync(path.join(currentModelDir(dataDir), 'training-curve.svg'), 'utf8');
    assert.match(svg, /^<svg /);
    const d = /<path d="([^"]+)"/.exec(svg)?.[1] ?? '';
    assert.equal(d.split(/[ML]/).filter((s) => s.trim()).length, 5);
    assert.ok(svg.includes(`>${stored.history[4].trainRmse.toFixed(4)}</text>`));

    // evaluate writes the metrics chart beside it.
    const ev = await runCli(['evaluate', `--dataset=${ML_LATEST_SMALL}`, '--json'], { dataDir, timeoutMs: 300_000 });
    assert.equal(ev.code, 0, ev.stderr);
    const metrics = fs.readFileSync(path.join(currentModelDir(dataDir), 'metrics.svg'), 'utf8');
    assert.ok(metrics.includes(`>${(JSON.parse(ev.stdout).model.rating.rmse as number).toFixed(4)}</text>`));
  });

  test('random search (--trials) on the fixture: --json result, distinct configurations, --out honoured', async (t) => {
    const dataDir = tempDir(t);
    const out = path.join(dataDir, 'chosen', 'config.json');
    const r = await runCli(['tune', `--dataset=${FIXTURE_ML_LATEST}`, '--folds', '2', '--trials', '3', '--seed', '5', '--out', out, '--json'], { dataDir, timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.results.length, 3);
    assert.equal(new Set(result.results.map((c: { config: object }) => JSON.stringify(c.config))).size, 3);
    for (const c of result.results) assert.equal(c.folds.length, 2);
    assert.equal(result.bestConfigFile, out);
    assert.equal(JSON.parse(fs.readFileSync(out, 'utf8')).factors, result.results[0].params.factors);
  });

  test('bad input: a usage error (exit 2) saying what is wrong, logged', async (t) => {
    const dataDir = tempDir(t);
    const cfg = (name: string, text: string) => {
      fs.writeFileSync(path.join(dataDir, name), text);
      return path.join(dataDir, name);
    };
    const cases: [string[], RegExp][] = [
      [['tune', `--dataset=${FIXTURE_ML_LATEST}`, '--folds', '1'], /--folds.*must be at least 2/],
      [['tune', `--dataset=${FIXTURE_ML_LATEST}`, '--folds', 'x'], /--folds.*must be an integer in 2\.\.20/],
      [['tune', `--dataset=${FIXTURE_ML_LATEST}`, '--grid', 'factors'], /--grid: "factors" is not NAME=VALUE/],
      [['tune', `--dataset=${FIXTURE_ML_LATEST}`, '--grid', 'factor=8'], /unknown parameter "factor"/],
      [['tune', `--dataset=${FIXTURE_ML_LATEST}`, '--grid', 'regFactors=-1'], /parameter "regFactors" value "-1": Too small/],
      [['tune', `--dataset=${FIXTURE_ML_LATEST}`, '--trials', '0'], /--trials.*1\.\.500/],
      [['tune', `--dataset=${FIXTURE_ML_LATEST}`, '--grid', 'feedback=implicit'], /implicit feedback does not have/],
      [['tune', `--dataset=${path.join(dataDir, 'nope.csv')}`], /nope\.csv/],
      [['train', `--dataset=${FIXTURE_ML_LATEST}`, '--config', cfg('a.json', '{"factors": 8, "regularisation": 1}')], /a\.json: unknown field "regularisation"/],
      [['train', `--dataset=${FIXTURE_ML_LATEST}`, '--config', cfg('b.json', '{"iterations": "ten"}')], /b\.json: field "iterations": .*expected number/],
      [['train', `--dataset=${FIXTURE_ML_LATEST}`, '--config', cfg('c.json', '{"factors": 0}')], /c\.json: field "factors": Too small/],
      [['train', `--dataset=${FIXTURE_ML_LATEST}`, '--config', cfg('d.json', 'factors: 8')], /d\.json: not valid JSON/],
    ];
    for (const [args, pattern] of cases) {
      const r = await runCli(args, { dataDir });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern, args.join(' '));
    }
    const log = path.join(dataDir, 'log_file.log');
    await waitForLogLine(log, /c\.json: field "factors": Too small/);
    await waitForLogLine(log, /usage error: .*must be at least 2/);
    assert.ok(!fs.existsSync(path.join(dataDir, 'models')), 'nothing was trained');
  });
});
