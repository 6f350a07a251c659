// movierec demo [--force] [--json]: generate the demo catalogue into DATA_DIR/datasets/demo and train on it.

import path from 'node:path';

import type { Command } from 'commander';

import { DEMO_TRAIN_OPTIONS, generateDemoDataset } from '../../model/index.js';
import { fmtInt, type CliContext } from '../context.js';
import { printSummary, runTraining } from './train.js';

interface DemoFlags {
  force?: boolean;
  json?: boolean;
}

export function registerDemo(program: Command, getContext: () => CliContext): void {
  program
    .command('demo')
    .description('generate the demo catalogue (synthetic MovieLens-format data) and train a model on it')
    .option('--force', 'generate the data set again even when it exists')
    .option('--json', 'print the result as one JSON document on stdout')
    .action(async (flags: DemoFlags) => {
      const ctx = getContext();
      const json = flags.json === true;
      const dir = path.join(ctx.config.dataDir, 'datasets', 'demo');
      if (ctx.interactive(json)) ctx.note(`generating the demo catalogue in ${dir} ...`);
      const data = await generateDemoDataset(dir, { force: flags.force === true });
      ctx.logger.info(`demo data set: ${JSON.stringify(data)}`);
      const trained = await runTraining(ctx, data.ratingsFile, { ...DEMO_TRAIN_OPTIONS }, json);
      if (json) {
        ctx.printJson({ dataset: data, training: trained });
        return;
      }
      ctx.print(
        data.generated
          ? `Generated ${dir}: ${fmtInt(data.ratings ?? 0)} ratings, ${fmtInt(data.users ?? 0)} users, ` +
              `${fmtInt(data.movies ?? 0)} movies in ${data.seconds.toFixed(1)} s`
          : `Using the demo data set already in ${dir}`,
      );
      printSummary(ctx, trained);
      ctx.print();
      ctx.print(`Try: movierec predict --ratings '[[1,2,3],[5,4,1]]' -M 10`);
    });
}
