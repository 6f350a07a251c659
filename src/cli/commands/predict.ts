// movierec predict --ratings '[[ids],[ratings]]' [-M 20] [--json]   one ad-hoc new user
// movierec predict --dataset=PATH [-M 20] [--json]                    every user of PATH as a new user (JSON lines)
// Both take the list options: --genres, --exclude-genres, --year-min, --year-max, --min-ratings, --exclude, --explain,
// --order, --include-cold (checked by the core, which names the option at fault).

import type { Command } from 'commander';

import { DEFAULT_M, InvalidInputError, MAX_M, type ListOptions, type PredictResult } from '../../model/index.js';
import { fmtNum, intOption, type CliContext } from '../context.js';

interface PredictFlags {
  dataset?: string;
  ratings?: string;
  top: number;
  json?: boolean;
  genres?: string;
  excludeGenres?: string;
  yearMin?: string;
  yearMax?: string;
  minRatings?: string;
  exclude?: string;
  explain?: boolean;
  order?: string;
  includeCold?: boolean;
}

export function registerPredict(program: Command, getContext: () => CliContext): void {
  program
    .command('predict')
    .description('recommend movies for new users from their ratings, with the current model version of DATA_DIR')
    .option('-d, --dataset <path>', 'ratings file: each of its users is taken as a new user')
    .option('-r, --ratings <json>', "one user's ratings as '[[movieIds],[ratings]]'")
    .option('-M, --top <n>', 'number of movies to recommend', intOption(1, MAX_M), DEFAULT_M)
    .option('--json', 'with --ratings: print exactly [[movieIds],[estimatedRatings]]; with --dataset: one JSON line per user')
    .option('--genres <list>', 'only movies with any of these genres (comma-separated)')
    .option('--exclude-genres <list>', 'no movie with any of these genres (comma-separated)')
    .option('--year-min <year>', 'only movies released in or after this year')
    .option('--year-max <year>', 'only movies released in or before this year')
    .option('--min-ratings <n>', 'only movies with at least this many training ratings')
    .option('--exclude <ids>', 'never these movie ids (comma-separated)')
    .option('--explain', 'show the rated movies that contributed most to choosing each movie')
    .option('--order <order>', 'estimate (by estimated rating, the default) or score (by the ranking score)')
    .option('--include-cold', 'let in movies without training ratings, where the rating model alone ranks them in the top M')
    .action(async (flags: PredictFlags) => {
      const ctx = getContext();
      if ((flags.dataset === undefined) === (flags.ratings === undefined)) {
        throw new InvalidInputError('give exactly one of --ratings \'[[ids],[ratings]]\' or --dataset=PATH');
      }
      const options = listOptions(flags);
      if (flags.ratings !== undefined) await predictOne(ctx, flags.ratings, flags.top, flags.json === true, options);
      else await predictDataset(ctx, flags.dataset as string, flags.top, flags.json === true, options);
    });
}

/** The list options of the flags, as given: the core checks them and names the one at fault. */
function listOptions(flags: PredictFlags): ListOptions {
  const words = (text: string | undefined) => text?.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const number = (text: string | undefined) => (text === undefined || text.trim() === '' ? text : Number(text));
  const filters = {
    genres: words(flags.genres),
    excludeGenres: words(flags.excludeGenres),
    yearMin: number(flags.yearMin),
    yearMax: number(flags.yearMax),
    minRatings: number(flags.minRatings),
    exclude: words(flags.exclude)?.map((id) => (/^\d+$/.test(id) ? Number(id) : id)),
  };
  // Strings left where a number belongs reach the core, whose refusal names the flag's option.
  return {
    filters: filters as ListOptions['filters'],
    explain: flags.explain,
    order: flags.order as ListOptions['order'],
    includeCold: flags.includeCold,
  };
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

async function predictOne(ctx: CliContext, text: string, M: number, json: boolean, options: ListOptions): Promise<void> {
  const input = parseRatingsArg(text);
  const model = ctx.model();
  await model.warmup();
  const r = await model.recommend(input, M, options);
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

async function predictDataset(
  ctx: CliContext,
  datasetPath: string,
  M: number,
  json: boolean,
  options: ListOptions,
): Promise<void> {
  const model = ctx.model();
  await model.warmup();
  let users = 0;
  for await (const { user, result } of model.predictDataset(datasetPath, M, options)) {
    users++;
    if (json) {
      ctx.printJson(
        {
          user,
          movieIds: result.items.map((i) => i.movieId),
          titles: result.items.map((i) => i.title),
          ratings: result.items.map((i) => i.rating),
          ...(result.items.some((i) => i.coldStart) && { coldStart: result.items.map((i) => i.coldStart === true) }),
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
    const cold = item.coldStart ? '  (cold: no ratings yet)' : '';
    ctx.print(`${String(i + 1).padStart(width)}. ${fmtNum(item.rating, 2)}  ${String(item.movieId).padStart(6)}  ${item.title}${cold}`);
    for (const b of item.because ?? []) {
      ctx.print(`${' '.repeat(width + 2)}because you rated ${b.title || b.movieId} (${fmtNum(100 * b.share, 0)}%)`);
    }
  }
}
