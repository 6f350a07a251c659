// The SVG chart builders: well-formed documents (a tag-balance check), one path per series with one point per
// iteration, the values in the labels, and chart writing that never throws.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { metricsSvg, trainingCurveSvg, writeTrainingCurve } from '../../src/model/charts/index';
import { niceTicks } from '../../src/model/charts/svg';
import { tempDir } from '../helpers/tmp';
import type { EvaluationResult, ModelInfo } from '../../src/model/types';

/** Checks that every element is closed in order (no XML parser dependency); returns the element names seen. */
function assertWellFormedSvg(svg: string): string[] {
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const stack: string[] = [];
  const names: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)([^>]*?)(\/?)>/g)) {
    const [, closing, name, , selfClosing] = m;
    if (closing) assert.equal(stack.pop(), name, `</${name}> closes the open element`);
    else {
      names.push(name);
      if (!selfClosing) stack.push(name);
    }
  }
  assert.deepEqual(stack, [], 'every element is closed');
  assert.ok(!/&(?!(lt|gt|amp|quot|apos);)/.test(svg), 'no unescaped ampersand');
  return names;
}

function pathPoints(svg: string): number[] {
  return [...svg.matchAll(/<path d="([^"]+)"/g)].map((m) => m[1].split(/[ML]/).filter((s) => s.trim() !== '').length);
}

const history = (n: number, validation: boolean) =>
  Array.from({ length: n }, (_, i) => ({
    iteration: i + 1,
    trainRmse: 0.9 - 0.3 * (1 - Math.exp(-i / 3)),
    elapsedSeconds: i * 0.1,
    ...(validation ? { validationRmse: 0.95 - 0.08 * (1 - Math.exp(-i / 3)) } : {}),
  }));

describe('trainingCurveSvg', () => {
  test('one path with a point per iteration; the last value labelled; legend says validation was not recorded', () => {
    const h = history(12, false);
    const svg = trainingCurveSvg(h, 'ml-1m/ratings.dat: 1,000,209 ratings & more');
    const names = assertWellFormedSvg(svg);
    assert.ok(names.includes('rect') && names.includes('title'));
    assert.deepEqual(pathPoints(svg), [12]);
    assert.ok(svg.includes(`>${h[11].trainRmse.toFixed(4)}</text>`), 'final train RMSE is a label');
    assert.ok(svg.includes('validation RMSE (not recorded)'));
    assert.ok(svg.includes('&amp; more'), 'subtitle text is escaped');
    assert.ok(svg.includes('fill="#ffffff"'), 'explicit background');
  });

  test('validation RMSE, when recorded, is a second path of the same length', () => {
    const h = history(7, true);
    const svg = trainingCurveSvg(h);
    assertWellFormedSvg(svg);
    assert.deepEqual(pathPoints(svg), [7, 7]);
    assert.ok(svg.includes('data-series="validation RMSE"'));
    assert.ok(svg.includes(`>${h[6].validationRmse!.toFixed(4)}</text>`));
    assert.ok(!svg.includes('not recorded'));
  });

  test('y ticks cover the values with round steps', () => {
    const ticks = niceTicks(0.5912, 0.8034);
    assert.ok(ticks[0] <= 0.5912 && ticks.at(-1)! >= 0.8034, JSON.stringify(ticks));
    const steps = new Set(ticks.slice(1).map((t, i) => (t - ticks[i]).toFixed(6)));
    assert.equal(steps.size, 1, `equal steps: ${JSON.stringify(ticks)}`);
  });
});

const rating = (rmse: number | null, mae: number | null) => ({ rmse, mae, count: 1000, unknownUser: 0, unknownMovie: 0 });
const ranking = (precision: number, recall: number, ndcg: number) => ({ k: 10, precision, recall, ndcg, coverage: 0.3, users: 500 });

function evaluation(modelRmse: number | null): EvaluationResult {
  return {
    dataset: { path: '/x/ml-1m/test/ratings.dat', layout: 'double-colon', sha256: 'x', ratings: 1000, users: 50, movies: 90, skippedInvalid: 0, duplicates: 0 },
    model: { rating: rating(modelRmse, modelRmse === null ? null : 0.6612), ranking: ranking(0.0561, 0.0432, 0.0712) },
    biasOnly: { rating: rating(0.9107, 0.7189), ranking: ranking(0.01, 0.02, 0.015) },
    popularity: { ranking: ranking(0.0881, 0.0612, 0.0953) },
    evaluatedAt: '2026-11-27T00:00:00Z',
  } as unknown as EvaluationResult;
}

describe('metricsSvg', () => {
  test('every metric of model and baselines appears as a bar label', () => {
    const svg = metricsSvg(evaluation(0.8471));
    assertWellFormedSvg(svg);
    for (const v of ['0.8471', '0.6612', '0.9107', '0.7189', '0.0561', '0.0881', '0.0432', '0.0612', '0.0712', '0.0953']) {
      assert.ok(svg.includes(`>${v}</text>`), `label ${v}`);
    }
    assert.equal((svg.match(/<rect [^>]*data-method=/g) ?? []).length, 10, 'two rating groups x 2 + three ranking groups x 2');
    for (const label of ['RMSE', 'MAE', 'P@10', 'R@10', 'NDCG@10', 'bias-only', 'popularity']) assert.ok(svg.includes(`>${label}</text>`));
  });

  test('an implicit model (no RMSE) gets "n/a" instead of a bar', () => {
    const svg = metricsSvg(evaluation(null));
    assertWellFormedSvg(svg);
    assert.equal((svg.match(/>n\/a</g) ?? []).length, 2);
    assert.equal((svg.match(/<rect [^>]*data-method=/g) ?? []).length, 8);
  });
});

describe('writeTrainingCurve', () => {
  test('writes atomically (no temporary left) and never throws when the folder is missing', async (t) => {
    const dir = tempDir(t);
    const info = { dataset: { path: '/d/ratings.csv', ratings: 10 }, params: { factors: 4 }, counts: { factors: 4 }, trainingSeconds: 0.1, history: history(3, false) } as unknown as ModelInfo;
    const file = await writeTrainingCurve(dir, info);
    assert.equal(file, path.join(dir, 'training-curve.svg'));
    assert.deepEqual(fs.readdirSync(dir), ['training-curve.svg']);
    assert.deepEqual(pathPoints(fs.readFileSync(file, 'utf8')), [3]);
    assert.equal(await writeTrainingCurve(path.join(dir, 'missing', 'deeper'), info), undefined);
  });
});
