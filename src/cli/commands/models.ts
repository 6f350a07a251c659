// movierec models list | promote VERSION | rollback: the model versions in DATA_DIR/models and the current pointer
// every service watching the data folder follows (see src/model/versions.ts).

import type { Command } from 'commander';

import type { ModelInfo, VersionList } from '../../model/index.js';
import { fmtInt, table, type CliContext } from '../context.js';

interface JsonFlag {
  json?: boolean;
}

export function registerModels(program: Command, getContext: () => CliContext): void {
  const models = program
    .command('models')
    .description('list the model versions in DATA_DIR/models, promote one, or roll back to the previous one');

  models
    .command('list')
    .description('the versions, newest first; * marks the current one')
    .option('--json', 'print the list as one JSON document on stdout')
    .action(async (flags: JsonFlag) => {
      const ctx = getContext();
      const list = await ctx.model().versions();
      if (flags.json) ctx.printJson(list);
      else printList(ctx, list);
    });

  models
    .command('promote')
    .description('load VERSION (refused when damaged) and make it the current one; services follow within 2 s')
    .argument('<version>', 'a version id from `movierec models list`')
    .option('--json', 'print the result as one JSON document on stdout')
    .action(async (version: string, flags: JsonFlag) => {
      const ctx = getContext();
      const info = await ctx.model().promote(version);
      report(ctx, 'promoted', version, info, flags.json === true);
    });

  models
    .command('rollback')
    .description('make the version that was current before this one current again (loaded and checked first)')
    .option('--json', 'print the result as one JSON document on stdout')
    .action(async (flags: JsonFlag) => {
      const ctx = getContext();
      const { version, info } = await ctx.model().rollback();
      report(ctx, 'rolled back to', version, info, flags.json === true);
    });
}

function report(ctx: CliContext, what: string, version: string, info: ModelInfo, json: boolean): void {
  ctx.logger.info(`models: ${what} ${version}`);
  if (json) {
    ctx.printJson({ current: version, trainedAt: info.trainedAt, counts: info.counts });
    return;
  }
  const c = info.counts;
  ctx.print(`Current      ${version} (${what}; trained ${info.trainedAt})`);
  ctx.print(`             ${fmtInt(c.users)} users, ${fmtInt(c.movies)} movies, ${c.factors} factors`);
  ctx.print(`Services watching ${ctx.config.dataDir} serve it within 2 s.`);
}

function printList(ctx: CliContext, list: VersionList): void {
  if (list.versions.length === 0) {
    ctx.print(`No model versions in ${ctx.config.dataDir}; train one: movierec train --dataset=PATH`);
    return;
  }
  const rows = list.versions.map((v) => [
    `${v.version === list.current ? '*' : ' '} ${v.version}`,
    v.trainedAt ?? '-',
    v.method ?? '-',
    v.counts ? fmtInt(v.counts.ratings) : '-',
    v.counts ? String(v.counts.factors) : '-',
    String(v.servedBy),
    v.problem ?? (v.legacy ? 'legacy DATA_DIR/model' : v.datasetPath ?? ''),
  ]);
  ctx.print(table(['  version', 'trained at', 'method', 'ratings', 'factors', 'served by', 'data set'], rows));
  ctx.print();
  ctx.print(`* current (${list.current ?? 'none'}); "served by": running services whose lease names the version.`);
}
