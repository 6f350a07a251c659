// The parameter schema and the search spaces of `tune`: grid syntax, names, ranges, random samples, config files.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { InvalidInputError } from '../../src/model/errors';
import { MyRecModel } from '../../src/model/MyRecModel';
import { PARAM_NAMES, parseParamValue, readConfigFile, trainParamsSchema } from '../../src/model/params';
import { expandGrid, parseGrid, sampleConfigs, SEARCH_SPACE } from '../../src/model/tune';
import { tempDir } from '../helpers/tmp';

const rejects = (work: () => unknown, pattern: RegExp) => assert.throws(work, (err: unknown) => err instanceof InvalidInputError && pattern.test(err.message));

describe('parseGrid / expandGrid', () => {
  test('every combination, values typed by the schema, duplicates collapsed', () => {
    const grid = parseGrid(' factors=32, 64 ,32 ; regFactors=0.03,5e-2; feedback=explicit ');
    assert.deepEqual(grid, { factors: [32, 64], regFactors: [0.03, 0.05], feedback: ['explicit'] });
    assert.deepEqual(expandGrid(grid), [
      { factors: 32, regFactors: 0.03, feedback: 'explicit' },
      { factors: 32, regFactors: 0.05, feedback: 'explicit' },
      { factors: 64, regFactors: 0.03, feedback: 'explicit' },
      { factors: 64, regFactors: 0.05, feedback: 'explicit' },
    ]);
  });

  test('bad syntax, unknown names, repeated names, bad types and out-of-range values are named', () => {
    rejects(() => parseGrid(''), /--grid is empty/);
    rejects(() => parseGrid('factors'), /"factors" is not NAME=VALUE/);
    rejects(() => parseGrid('=3'), /"=3" is not NAME=VALUE/);
    rejects(() => parseGrid('factor=3'), /unknown parameter "factor" \(known: factors, regFactors/);
    rejects(() => parseGrid('factors=8;factors=16'), /"factors" is given twice/);
    rejects(() => parseGrid('factors=8,'), /parameter "factors": empty value/);
    rejects(() => parseGrid('factors=0'), /parameter "factors" value "0": Too small/);
    rejects(() => parseGrid('factors=2.5'), /parameter "factors" value "2.5":.*int/i);
    rejects(() => parseGrid('regFactors=abc'), /parameter "regFactors" value "abc": .*expected number/);
    rejects(() => parseGrid('regBias=-0.1'), /parameter "regBias" value "-0.1": Too small/);
    rejects(() => parseGrid('iterations=1001'), /parameter "iterations" value "1001": Too big/);
    rejects(() => parseGrid('feedback=both'), /parameter "feedback" value "both"/);
  });
});

describe('sampleConfigs', () => {
  test('random search: distinct, in range, the same for the same seed, different for another', () => {
    const a = sampleConfigs(12, 7);
    assert.equal(a.length, 12);
    assert.equal(new Set(a.map((c) => JSON.stringify(c))).size, 12);
    for (const c of a) {
      assert.ok((SEARCH_SPACE.factors.choices as readonly number[]).includes(c.factors!));
      assert.ok(c.regFactors! >= SEARCH_SPACE.regFactors.logMin * 0.99 && c.regFactors! <= SEARCH_SPACE.regFactors.logMax * 1.01);
      assert.ok(c.iterations! >= SEARCH_SPACE.iterations.intMin && c.iterations! <= SEARCH_SPACE.iterations.intMax);
      assert.deepEqual(trainParamsSchema.parse(c), c, 'every sample passes the schema');
    }
    assert.deepEqual(sampleConfigs(12, 7), a);
    assert.notDeepEqual(sampleConfigs(12, 8), a);
  });

  test('from a grid: a subset of its combinations, never more than it has', () => {
    const grid = parseGrid('factors=8,16,32;regFactors=0.03,0.05');
    const all = expandGrid(grid).map((c) => JSON.stringify(c));
    const some = sampleConfigs(4, 1, grid);
    assert.equal(some.length, 4);
    for (const c of some) assert.ok(all.includes(JSON.stringify(c)));
    assert.equal(sampleConfigs(50, 1, grid).length, 6);
  });
});

describe('parameter schema and config files', () => {
  test('parseParamValue knows every schema field', () => {
    // The schema lists exactly the parameters a trained model records (the resolved defaults), no more, no fewer.
    assert.deepEqual([...PARAM_NAMES].sort(), Object.keys(MyRecModel.defaultParams()).sort());
    assert.equal(parseParamValue('cgSteps', '4'), 4);
    assert.equal(parseParamValue('feedback', 'implicit'), 'implicit');
    assert.equal(parseParamValue('method', 'als'), 'als');
    assert.equal(parseParamValue('solver', 'cg'), 'cg');
    rejects(() => parseParamValue('solver', 'lu'), /solver/);
    rejects(() => parseParamValue('factor', '8'), /unknown parameter "factor"/);
  });

  test('readConfigFile: hand-written and tune-written files; every error names the file and field', async (t) => {
    const dir = tempDir(t);
    const write = (name: string, text: string) => {
      fs.writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    assert.deepEqual(await readConfigFile(write('a.json', '{"factors": 24, "regFactors": 0.05}')), { factors: 24, regFactors: 0.05 });
    assert.deepEqual(await readConfigFile(write('b.json', '{"iterations": 3, "tuning": {"meanRmse": 0.85}}')), { iterations: 3 });
    const bad = async (text: string, pattern: RegExp) =>
      assert.rejects(readConfigFile(write('bad.json', text)), (err: unknown) => err instanceof InvalidInputError && pattern.test(err.message) && err.message.includes('bad.json'));
    await bad('{"factors": 24,}', /not valid JSON/);
    await bad('{"factor": 24}', /unknown field "factor"/);
    await bad('{"factors": "24"}', /field "factors": .*expected number, received string/);
    await bad('{"factors": 2048}', /field "factors": Too big/);
    await bad('{"regBias": -1, "cgSteps": 0}', /field "regBias": Too small.*field "cgSteps": Too small/);
    await bad('[1, 2]', /expected object/);
    await assert.rejects(readConfigFile(path.join(dir, 'missing.json')), /missing\.json: cannot read it \(ENOENT\)/);
  });
});
