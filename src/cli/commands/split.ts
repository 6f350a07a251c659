// movierec split --dataset=PATH --out DIR [--test-fraction 0.1] [--seed 42] [--by ratings|users]

import { Option, type Command } from 'commander';

import { splitDataset } from '../../model/index.js';
import { fmtInt, intOption, numberOption, type CliContext } from '../context.js';

interface SplitFlags {
  dataset: string;
  out: string;
  testFraction: number;
  seed: number;
  by: 'ratings' | 'users';
  json?: boolean;
}

export function registerSplit(program: Command, getContext: () => CliContext): void {
  program
    .command('split')
    .description('split a ratings file into train and test parts (same layout, movies file copied) for experiments')
    .requiredOption('-d, --dataset <path>', 'ratings file to split')
    .requiredOption('-o, --out <dir>', 'output folder: gets train/ and test/')
    .option('--test-fraction <x>', 'share of ratings (or users) in the test part', numberOption(0, 1, { exclusive: true }), 0.1)
    .option('--seed <n>', 'random seed (the same seed gives the same split)', intOption(0, Number.MAX_SAFE_INTEGER), 42)
    .addOption(
      new Option('--by <what>', 'ratings: random ratings; users: whole users (for evaluate --fold-in)')
        .choices(['ratings', 'users'])
        .default('ratings'),
    )
    .option('--json', 'print the result as one JSON document on stdout')
    .action(async (flags: SplitFlags) => {
      const ctx = getContext();
      const r = await splitDataset(flags.dataset, flags.out, {
        by: flags.by,
        testFraction: flags.testFraction,
        seed: flags.seed,
      });
      if (flags.json) {
        ctx.printJson(r);
        return;
      }
      ctx.print(`Split ${r.dataset} by ${r.by} (test fraction ${r.testFraction}, seed ${r.seed}):`);
      ctx.print(`  train  ${r.trainFile}  ${fmtInt(r.trainRatings)} ratings`);
      ctx.print(`  test   ${r.testFile}  ${fmtInt(r.testRatings)} ratings`);
      ctx.print(r.moviesFile ? `  ${r.moviesFile} copied beside both` : '  (no movies file to copy)');
    });
}
