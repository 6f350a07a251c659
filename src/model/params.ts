// The one schema of the training hyper-parameters (zod). `train --config`, `tune --grid` and the random search read
// parameters through it, so a name, type or range is checked the same way everywhere; the service can reuse it.
// Adding a parameter is one line in `trainParamsShape` (and its range in tune's search space if it is tunable).

import fs from 'node:fs/promises';

import { z } from 'zod';

import { InvalidInputError } from './errors.js';

const MAX_INT = Number.MAX_SAFE_INTEGER;
const int = (min: number, max: number) => z.number().int().min(min).max(max);
const nonNegative = (max = 1e6) => z.number().min(0).max(max);

/** Ranges match MyRecModel's checks and the core's `validate_params`. */
export const trainParamsShape = {
  factors: int(1, 1024).describe('latent factors'),
  regFactors: nonNegative().describe('weighted-lambda regularisation of the factors'),
  regBias: nonNegative().describe('regularisation of the user and movie biases'),
  iterations: int(1, 1000).describe('ALS iterations'),
  seed: int(0, MAX_INT).describe('random seed'),
  threads: int(0, 1024).describe('worker threads, 0 = all cores'),
  feedback: z.enum(['explicit', 'implicit']).describe('explicit ratings or implicit confidence'),
  priorCount: nonNegative().describe('virtual ratings added to each row\'s regularisation (explicit)'),
  alpha: nonNegative().describe('implicit only: confidence 1 + alpha * rating'),
  cgSteps: int(1, 1000).describe('implicit only: conjugate-gradient steps'),
  method: z.enum(['gibbs', 'als']).describe('gibbs: Gibbs sampling; als: alternating least squares'),
  samples: int(1, 100_000).describe('gibbs only: sweeps averaged into the model'),
  burnIn: int(0, 100_000).describe('gibbs only: sweeps discarded first'),
  noiseStd: z.number().min(1e-6).max(10).describe('gibbs only: rating noise standard deviation'),
  validationFraction: z.number().min(0).max(0.49).describe('fraction of ratings held out for a validation curve'),
  earlyStopping: int(0, 1000).describe('als: stop after N iterations without validation improvement'),
  solver: z.enum(['cholesky', 'cg']).describe('explicit als: exact Cholesky or warm-started conjugate-gradient rows'),
} as const;

export type ParamName = keyof typeof trainParamsShape;
export const PARAM_NAMES = Object.keys(trainParamsShape) as ParamName[];

/** Every field optional (left-out ones take the defaults), unknown keys rejected. */
export const trainParamsSchema = z.object(trainParamsShape).partial().strict();
export type TrainParams = z.output<typeof trainParamsSchema>;

/** What `movierec tune` stores beside the best parameters (informative; `train --config` ignores it). */
export const tuningInfoSchema = z.object({}).catchall(z.unknown());

/** A configuration file: the parameters at top level, optionally `tuning` (the cross-validation that chose them). */
export const configFileSchema = trainParamsSchema.extend({ tuning: tuningInfoSchema.optional() }).strict();
export type ConfigFile = z.output<typeof configFileSchema>;

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

/** Parses a parameters object (from JSON or code) or throws InvalidInputError naming the bad fields. */
export function parseTrainParams(value: unknown, source: string): TrainParams {
  const r = trainParamsSchema.safeParse(value);
  if (!r.success) throw new InvalidInputError(`${source}: ${describeParamIssues(r.error)}`);
  return r.data;
}

/** Reads and validates a configuration file (`train --config`); the parameters only, `tuning` dropped. */
export async function readConfigFile(file: string): Promise<TrainParams> {
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
