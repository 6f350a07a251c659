// movierec evaluate --dataset=PATH [-k 10] [--json]
// movierec evaluate --fold-in --dataset=PATH [--history-fraction 0.8] [--seed 42] [--json]
// movierec evaluate --new-users --dataset=PATH [-k 10] [--seed 42] [--json]

import type { Command } from 'commander';

import {
  MAX_K,
  type EvaluationResult,
  type FoldInEvaluationResult,
  type NewUserEvaluationResult,
  type RankingMetrics,
} from '../../model/index.js';
import { fmtInt, fmtNum, intOption, numberOption, table, type CliContext } from '../context.js';

interface EvaluateFlags {
  dataset: string;
  k: number;
  foldIn?: boolean;
  newUsers?: boolean;
  historyFraction: number;
  seed: number;
  json?: boolean;
}

export function registerEvaluate(program: Command, getContext: () => CliContext): void {
  program
    .command('evaluate')
    .description('evaluate the current model version of DATA_DIR on a ratings file, beside the bias-only and popularity baselines')
    .requiredOption('-d, --dataset <path>', 'ratings file to evaluate on (e.g. the test part of `movierec split`)')
    .option('-k <n>', 'list length of the ranking metrics', intOption(1, MAX_K), 10)
    .option('--fold-in', 'the users in the file are new users: predict each one\'s held-out ratings from the rest')
    .option('--new-users', 'the users in the file are new users: the lists /predict gives them from half their ratings, scored on the other half')
    .option('--history-fraction <x>', 'with --fold-in: share of each user\'s ratings given as history', numberOption(0, 1, { exclusive: true }), 0.8)
    .option('--seed <n>', 'with --fold-in or --new-users: seed of the split of each user\'s ratings', intOption(0, Number.MAX_SAFE_INTEGER), 42)
    .option('--json', 'print the result as one JSON document on stdout')
    .action(async (flags: EvaluateFlags) => {
      const ctx = getContext();
      const model = ctx.model();
      if (flags.newUsers) {
        const r = await model.evaluateNewUsers(flags.dataset, { k: flags.k, seed: flags.seed });
        if (flags.json) ctx.printJson(r);
        else printNewUsers(ctx, r);
        return;
      }
      if (flags.foldIn) {
        const r = await model.evaluateFoldIn(flags.dataset, { historyFraction: flags.historyFraction, seed: flags.seed });
        if (flags.json) ctx.printJson(r);
        else printFoldIn(ctx, r);
        return;
      }
      const r = await model.evaluate(flags.dataset, { k: flags.k });
      if (flags.json) ctx.printJson(r);
      else printEvaluation(ctx, r);
    });
}

export function printEvaluation(ctx: CliContext, r: EvaluationResult): void {
  const k = r.model.ranking.k;
  const rank = (m: RankingMetrics | undefined, key: keyof RankingMetrics) => fmtNum(m?.[key]);
  const rows: string[][] = [
    ['RMSE', fmtNum(r.model.rating.rmse), fmtNum(r.biasOnly.rating.rmse), '-'],
    ['MAE', fmtNum(r.model.rating.mae), fmtNum(r.biasOnly.rating.mae), '-'],
    [`precision@${k}`, rank(r.model.ranking, 'precision'), rank(r.biasOnly.ranking, 'precision'), rank(r.popularity.ranking, 'precision')],
    [`recall@${k}`, rank(r.model.ranking, 'recall'), rank(r.biasOnly.ranking, 'recall'), rank(r.popularity.ranking, 'recall')],
    [`NDCG@${k}`, rank(r.model.ranking, 'ndcg'), rank(r.biasOnly.ranking, 'ndcg'), rank(r.popularity.ranking, 'ndcg')],
    [`MAP@${k}`, rank(r.model.ranking, 'map'), rank(r.biasOnly.ranking, 'map'), rank(r.popularity.ranking, 'map')],
    ['coverage', rank(r.model.ranking, 'coverage'), rank(r.biasOnly.ranking, 'coverage'), rank(r.popularity.ranking, 'coverage')],
  ];
  const d = r.dataset;
  const rating = r.model.rating;
  ctx.print(`Evaluation on ${d.path}: ${fmtInt(d.ratings)} ratings, ${fmtInt(d.users)} users, ${fmtInt(d.movies)} movies`);
  ctx.print();
  ctx.print(table(['metric', 'model', 'bias-only', 'popularity'], rows));
  ctx.print();
  ctx.print(
    `Scored ${fmtInt(rating.count)} pairs; not scored: ${fmtInt(rating.unknownUser)} of users and ` +
      `${fmtInt(rating.unknownMovie)} of movies the model does not know.`,
  );
  ctx.print(
    `Ranking over ${fmtInt(r.model.ranking.users)} users (relevant = rating >= 4; each user's training movies excluded).`,
  );
  ctx.print('Stored in model.json.');
}

export function printNewUsers(ctx: CliContext, r: NewUserEvaluationResult): void {
  const k = r.k;
  const methods: [string, RankingMetrics][] = [
    ['model', r.model],
    ['model by score', r.modelByScore],
    ['popularity', r.popularity],
  ];
  const row = (name: string, key: keyof RankingMetrics) => [name, ...methods.map(([, m]) => fmtNum(m[key]))];
  ctx.print(`New-user evaluation on ${r.dataset.path}: ${fmtInt(r.users)} users the model never saw`);
  ctx.print(
    `Given ${Math.round(r.givenFraction * 100)}% of each user's ratings (seed ${r.seed}); liked = target rating >= ${r.likedRating}.`,
  );
  ctx.print();
  ctx.print(
    table(
      ['metric', ...methods.map(([name]) => name)],
      [
        row(`precision@${k}`, 'precision'),
        row(`recall@${k}`, 'recall'),
        row(`NDCG@${k}`, 'ndcg'),
        row(`MAP@${k}`, 'map'),
        row('coverage', 'coverage'),
        row('novelty (bits)', 'novelty'),
        row('genre diversity', 'diversity'),
      ],
    ),
  );
  ctx.print();
  ctx.print(
    `Skipped ${fmtInt(r.usersKnown)} users the model was trained on and ${fmtInt(r.usersSkipped)} without a liked ` +
      `target movie; ${fmtInt(r.usersNotPersonalised)} evaluated users got the non-personalised list. Stored in model.json.`,
  );
}

export function printFoldIn(ctx: CliContext, r: FoldInEvaluationResult): void {
  ctx.print(`Fold-in evaluation on ${r.dataset.path}: ${fmtInt(r.users)} users as new users`);
  ctx.print(
    `History ${Math.round(r.historyFraction * 100)}% of each user's ratings (seed ${r.seed}), target the rest.`,
  );
  ctx.print();
  ctx.print(table(['metric', 'fold-in'], [['RMSE', fmtNum(r.rating.rmse)], ['MAE', fmtNum(r.rating.mae)]]));
  ctx.print();
  ctx.print(
    `Scored ${fmtInt(r.rating.count)} target ratings; ${fmtInt(r.rating.unknownMovie)} of movies the model does not ` +
      `know; skipped ${fmtInt(r.usersKnown)} users the model was trained on and ${fmtInt(r.usersTooFew)} with fewer than two ratings.`,
  );
}
