// The training parameters in TypeScript, all derived from the core's table (native/core/src/params/table.rs) through
// the generated PARAMETER_SPEC: their types, the zod schemas of `train --config` files and `tune --grid` values, and the
// resolution of a partial object by the addon (`resolveParams`: the defaults of its feedback and method filled in,
// then validated: the one check of a training's parameters before the core's own). Adding a parameter is one entry
// in the core's table and `npm run generate:params`.

import fs from 'node:fs/promises';

import { z } from 'zod';

import { native } from '../native.js';
import { fromNativeError, InvalidInputError } from './errors.js';
import { PARAMETER_SPEC } from './params.generated.js';

export { PARAMETER_SPEC };

/** One parameter's definition: name, `cli` flag, help, type and range, `appliesTo`, `defaults` per mode, `search`. */
export type ParamSpec = (typeof PARAMETER_SPEC)[number];
export type ParamName = ParamSpec['name'];
/** The three ways to train, each with its defaults: explicit by Gibbs sampling (the default) or ALS, or implicit. */
export type Mode = keyof ParamSpec['defaults'];

type ValueOf<S> = S extends { type: 'word'; words: readonly (infer W)[] } ? W : number;
/** Every training parameter, as a trained model records them. */
export type TrainParams = { -readonly [S in ParamSpec as S['name']]: ValueOf<S> };

export const PARAM_NAMES: ParamName[] = PARAMETER_SPEC.map((spec) => spec.name);

function schemaOf(spec: ParamSpec): z.ZodType {
  switch (spec.type) {
    case 'integer':
      return z.number().int().min(spec.min).max(spec.max);
    case 'number': {
      const above = 'minExclusive' in spec ? z.number().gt(spec.min) : z.number().min(spec.min);
      return 'maxExclusive' in spec ? above.lt(spec.max) : above.max(spec.max);
    }
    case 'word':
      return z.enum(spec.words);
  }
}

/** Each parameter's schema (type and range from the spec). */
export const trainParamsShape = Object.fromEntries(
  PARAMETER_SPEC.map((spec) => [spec.name, schemaOf(spec).describe(spec.help)]),
) as { [K in ParamName]: z.ZodType<TrainParams[K]> };

/** Every field optional (left-out ones take the defaults), unknown keys rejected. */
export const trainParamsSchema = z.object(trainParamsShape).partial().strict();

/** What `movierec tune` stores beside the best parameters (informative; `train --config` ignores it). */
export const tuningInfoSchema = z.object({}).catchall(z.unknown());

/** A configuration file: the parameters at top level, optionally `tuning` (the cross-validation that chose them). */
export const configFileSchema = trainParamsSchema.extend({ tuning: tuningInfoSchema.optional() }).strict();
export type ConfigFile = z.output<typeof configFileSchema>;

/**
 * Every parameter: `partial`'s (undefined ones count as left out), the others the defaults of its feedback and
 * method. Throws InvalidInputError naming the parameter at fault (an unknown name, a value of the wrong type or out
 * of range, a combination no trainer takes).
 */
export function resolveParams(partial: Partial<TrainParams>): TrainParams {
  try {
    return native.resolveParams(partial) as TrainParams;
  } catch (err) {
    throw fromNativeError(err, 'other');
  }
}

/** `field "factors": Too big: expected number to be <=1024; unknown field "factor"`: every issue, each naming its field. */
export function describeParamIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} ` +
          `(known: ${PARAM_NAMES.join(', ')})`;
      }
      const field = issue.path.map(String).join('.') || '(root)';
      return `field "${field}": ${issue.message}`;
    })
    .join('; ');
}

/** Reads and validates a configuration file (`train --config`); the parameters only, `tuning` dropped. */
export async function readConfigFile(file: string): Promise<Partial<TrainParams>> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new InvalidInputError(`config file ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InvalidInputError(`config file ${file}: not valid JSON (${(err as Error).message})`);
  }
  const r = configFileSchema.safeParse(json);
  if (!r.success) throw new InvalidInputError(`config file ${file}: ${describeParamIssues(r.error)}`);
  const { tuning: _tuning, ...params } = r.data;
  return params;
}

/**
 * One value of a parameter given as text (`--grid factors=32,64`): a number, `true`/`false`, or a word, then
 * checked by that parameter's schema. Throws InvalidInputError naming the parameter.
 */
export function parseParamValue(name: string, text: string): TrainParams[ParamName] {
  if (!(PARAM_NAMES as string[]).includes(name)) {
    throw new InvalidInputError(`unknown parameter "${name}" (known: ${PARAM_NAMES.join(', ')})`);
  }
  const raw = text.trim();
  if (raw === '') throw new InvalidInputError(`parameter "${name}": empty value`);
  const value: unknown = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw)
    ? Number(raw)
    : raw === 'true' || raw === 'false'
      ? raw === 'true'
      : raw;
  const r = trainParamsShape[name as ParamName].safeParse(value);
  if (!r.success) {
    throw new InvalidInputError(`parameter "${name}" value "${raw}": ${r.error.issues.map((i) => i.message).join('; ')}`);
  }
  return r.data;
}
