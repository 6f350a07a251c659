// movierec predict --ratings '[[ids],[ratings]]' [-M 20] [--json]   one ad-hoc new user
// movierec predict --dataset=PATH [-M 20] [--json]                    every user of PATH as a new user (JSON lines)

import type { Command } from 'commander';

import { DEFAULT_M, InvalidInputError, MAX_M, type PredictResult } from '../../model/index.js';
import { fmtNum, intOption, type CliContext } from '../context.js';

interface PredictFlags {
  dataset?: string;
  ratings?: string;
  top: number;
  json?: boolean;
}

export function registerPredict(program: Command, getContext: () => CliContext): void {
  program
    .command('predict')
    .description('recommend movies for new users from their ratings, with the current model version of DATA_DIR')
    .option('-d, --dataset <path>', 'ratings file: each of its users is taken as a new user')
    .option('-r, --ratings <json>', "one user's ratings as '[[movieIds],[ratings]]'")
    .option('-M, --top <n>', 'number of movies to recommend', intOption(1, MAX_M), DEFAULT_M)
    .option('--json', 'with --ratings: print exactly [[movieIds],[estimatedRatings]]; with --dataset: one JSON line per user')
    .action(async (flags: PredictFlags) => {
      const ctx = getContext();
      if ((flags.dataset === undefined) === (flags.ratings === undefined)) {
        throw new InvalidInputError('give exactly one of --ratings \'[[ids],[ratings]]\' or --dataset=PATH');
      }
      if (flags.ratings !== undefined) await predictOne(ctx, flags.ratings, flags.top, flags.json === true);
      else await predictDataset(ctx, flags.dataset as string, flags.top, flags.json === true);
    });
}

function parseRatingsArg(text: string): [number[], number[]] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InvalidInputError(`--ratings is not valid JSON (${(err as Error).message}); expected '[[1,2,3],[5,4,3]]'`);
  }
  return value as [number[], number[]]; // shape and values are checked by the model
}

async function predictOne(ctx: CliContext, text: string, M: number, json: boolean): Promise<void> {
  const input = parseRatingsArg(text);
  const model = ctx.model();
  await model.warmup();
  const r = await model.recommend(input, M);
  ctx.logger.info(
    `predict: ${Array.isArray(input?.[0]) ? input[0].length : 0} input ratings -> ${r.items.length} movies` +
      `${r.unknownIds.length ? `, unknown ids ${r.unknownIds.join(',')}` : ''}${r.personalised ? '' : ' (not personalised)'}`,
  );
  if (json) {
    ctx.printJson([r.items.map((i) => i.movieId), r.items.map((i) => i.rating)], false);
    return;
  }
  if (r.unknownIds.length > 0) ctx.note(`note: the model does not know movie ids ${r.unknownIds.join(', ')}; ignored`);
  if (!r.personalised) ctx.note('note: no known movie in the input; these are the most popular well-rated movies');
  printList(ctx, r);
}

async function predictDataset(ctx: CliContext, datasetPath: string, M: number, json: boolean): Promise<void> {
  const model = ctx.model();
  await model.warmup();
  let users = 0;
  for await (const { user, result } of model.predictDataset(datasetPath, M)) {
    users++;
    if (json) {
      ctx.printJson(
        {
          user,
          movieIds: result.items.map((i) => i.movieId),
          titles: result.items.map((i) => i.title),
          ratings: result.items.map((i) => i.rating),
        },
        false,
      );
    } else {
      ctx.print(`user ${user}${result.personalised ? '' : ' (no known movie: popular list)'}`);
      printList(ctx, result);
      ctx.print();
    }
  }
  ctx.logger.info(`predict: ${users} users of ${datasetPath}, top ${M} each`);
}

function printList(ctx: CliContext, r: PredictResult): void {
  const width = String(r.items.length).length;
  for (const [i, item] of r.items.entries()) {
    ctx.print(`${String(i + 1).padStart(width)}. ${fmtNum(item.rating, 2)}  ${String(item.movieId).padStart(6)}  ${item.title}`);
  }
}
