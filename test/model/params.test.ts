// The parameters' one definition seen from TypeScript: the generated spec is the addon's, the schemas built from it
// accept and refuse what the core does, and the CLI's flags and help come from it.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';

import { GENERATED_FILE, renderSpec } from '../../scripts/generate-params';
import { flagHelp } from '../../src/cli/commands/train';
import { InvalidInputError } from '../../src/model/errors';
import { PARAMETER_SPEC, resolveParams, trainParamsShape, type ParamSpec, type TrainParams } from '../../src/model/params';
import { SEARCH_SPACE } from '../../src/model/tune';
import { native } from '../../src/native';

describe('the generated spec', () => {
  test('is the addon\'s, as scripts/generate-params.ts writes it (else run npm run generate:params)', () => {
    const spec = native.parameterSpec();
    assert.deepEqual(PARAMETER_SPEC, spec);
    assert.equal(fs.readFileSync(GENERATED_FILE, 'utf8'), renderSpec(spec));
  });

  test('the defaults of each mode are what resolveParams gives', () => {
    const selectors = { gibbs: {}, als: { method: 'als' }, implicit: { feedback: 'implicit' } } as const;
    for (const [mode, partial] of Object.entries(selectors)) {
      const defaults = Object.fromEntries(PARAMETER_SPEC.map((spec) => [spec.name, spec.defaults[mode as keyof typeof selectors]]));
      assert.deepEqual(resolveParams(partial), defaults, mode);
    }
  });
});

/** Values just inside and just outside a parameter's range, or its words and one that is not. */
function probes(spec: ParamSpec): Array<[unknown, boolean]> {
  switch (spec.type) {
    case 'integer':
      return [[spec.min, true], [spec.max, true], [spec.min - 1, false], [spec.max + 1, false], [spec.min + 0.5, false]];
    case 'number': {
      const step = Math.max(1e-9, Math.abs(spec.max) * 1e-6);
      return [
        [spec.min, !('minExclusive' in spec)],
        [spec.max, !('maxExclusive' in spec)],
        [spec.min - step, false],
        [spec.max + step, false],
        ['1', false],
      ];
    }
    case 'word':
      return [...spec.words.map((w): [unknown, boolean] => [w, true]), ['none-of-these', false]];
  }
}

describe('the schemas built from the spec agree with the core', () => {
  test('every parameter\'s bounds, on both sides', () => {
    for (const spec of PARAMETER_SPEC) {
      for (const [value, ok] of probes(spec)) {
        const label = `${spec.name} = ${JSON.stringify(value)}`;
        assert.equal(trainParamsShape[spec.name].safeParse(value).success, ok, `zod: ${label}`);
        // In the mode the parameter applies to, with what its combination rules ask for.
        const mode = spec.appliesTo[0];
        // Some values are wrong on purpose: the core must say so.
        const partial = {
          ...(mode === 'als' ? { method: 'als' } : mode === 'implicit' ? { feedback: 'implicit' } : {}),
          ...(spec.name === 'earlyStopping' ? { validationFraction: 0.1 } : {}),
          ...(spec.name === 'regScaling' ? { regFactors: 0.1 } : {}),
          [spec.name]: value,
        } as Partial<TrainParams>;
        if (ok) assert.doesNotThrow(() => resolveParams(partial), label);
        else {
          const namesIt = (err: unknown) => err instanceof InvalidInputError && err.field === spec.name && err.message.includes(spec.name);
          assert.throws(() => resolveParams(partial), namesIt, label);
        }
      }
    }
  });

  test('the random search samples inside each parameter\'s range', () => {
    for (const [name, space] of Object.entries(SEARCH_SPACE)) {
      const spec = PARAMETER_SPEC.find((s) => s.name === name);
      assert.ok(spec && spec.type !== 'word', name);
      const ends = 'choices' in space ? space.choices : 'logMin' in space ? [space.logMin, space.logMax] : [space.intMin, space.intMax];
      for (const value of ends) assert.ok(trainParamsShape[spec.name].safeParse(value).success, `${name} = ${value}`);
    }
  });
});

describe('train flags', () => {
  test('help names the default of each mode the parameter applies to', () => {
    const spec = (name: string) => PARAMETER_SPEC.find((s) => s.name === name) as Extract<ParamSpec, { cli: string }>;
    const reg = spec('regFactors');
    assert.equal(
      flagHelp(reg),
      `${reg.help} (default ${reg.defaults.gibbs}; ${reg.defaults.als} with --method als, ${reg.defaults.implicit} with --feedback implicit)`,
    );
    const regBias = spec('regBias');
    assert.equal(flagHelp(regBias), `explicit only: ${regBias.help} (default ${regBias.defaults.gibbs}; ${regBias.defaults.als} with --method als)`);
    assert.match(flagHelp(spec('method')), /\(default gibbs; als with --feedback implicit\)$/);
    assert.match(flagHelp(spec('samples')), /^gibbs only: /);
    assert.match(flagHelp(spec('threads')), /\(default THREADS\)$/);
  });
});
