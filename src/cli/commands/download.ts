// movierec download <name> [--force] [--json]

import path from 'node:path';

import type { Command } from 'commander';

import { DATASET_NAMES, downloadDataset } from '../download.js';
import { fmtInt, type CliContext } from '../context.js';
import { byteProgress } from '../progress.js';

interface DownloadFlags {
  force?: boolean;
  json?: boolean;
}

export function registerDownload(program: Command, getContext: () => CliContext): void {
  program
    .command('download')
    .description(`download a MovieLens release into DATA_DIR/datasets/<name> (${DATASET_NAMES.join(', ')})`)
    .argument('<name>', 'release name')
    .option('--force', 'download again even when the folder exists')
    .option('--json', 'print the result as one JSON document on stdout')
    .action(async (name: string, flags: DownloadFlags) => {
      const ctx = getContext();
      const json = flags.json === true;
      const datasetsDir = path.join(ctx.config.dataDir, 'datasets');
      const bar = byteProgress(ctx, name, json);
      ctx.logger.info(`download ${name} from ${ctx.config.movielensBaseUrl} into ${datasetsDir}`);
      let result;
      try {
        result = await downloadDataset(name, {
          baseUrl: ctx.config.movielensBaseUrl,
          datasetsDir,
          force: flags.force === true,
          onProgress: (got, total) => bar.update(got, total),
          onPhase: (phase) => {
            if (phase !== 'download') bar.stop();
            if (phase === 'unpack' && ctx.interactive(json)) ctx.note('unpacking ...');
          },
        });
      } finally {
        bar.stop();
      }
      ctx.logger.info(`download result: ${JSON.stringify(result)}`);
      if (!result.md5Verified && !result.alreadyPresent) {
        ctx.logger.warn(`${result.url}.md5 not found: the archive could not be checked against a published md5`);
      }
      if (json) {
        ctx.printJson(result);
        return;
      }
      if (result.alreadyPresent) {
        ctx.print(`${name} is already in ${result.path} (use --force to download it again)`);
        return;
      }
      ctx.print(`Downloaded ${result.url} (${fmtInt(result.bytes ?? 0)} bytes)`);
      ctx.print(`  md5     ${result.md5} ${result.md5Verified ? '(matches the published md5)' : '(no published md5 found: not verified)'}`);
      ctx.print(`  sha256  ${result.sha256}`);
      if (result.verifiedFiles && result.verifiedFiles.length > 0) {
        ctx.print(`  sha256 of ${result.verifiedFiles.join(', ')} match the known release`);
      }
      ctx.print(`Unpacked into ${result.path}: ${(result.files ?? []).join(', ')}`);
    });
}
