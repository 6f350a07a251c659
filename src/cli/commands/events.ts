// The rating store from the command line (the ratings people give through the service's API, src/store):
//   movierec events export FILE     the stored ratings as a MovieLens CSV (userId,movieId,rating,timestamp)
// and what `train` takes from it: the stored events, by default whenever there are some (--with-events forces them
// in, --no-with-events leaves them out).
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';

import type { EventsInfo, RatingEvents } from '../../model/index.js';
import { openRatingStore, readEvents, type RatingStore } from '../../store/index.js';
import { fmtInt, type CliContext } from '../context.js';

/** Runs `work` on the store of DATA_DIR (or DATABASE_URL) and closes it. */
export async function withStore<T>(ctx: CliContext, work: (store: RatingStore) => Promise<T>): Promise<T> {
  const store = await openRatingStore({ dataDir: ctx.config.dataDir, databaseUrl: ctx.config.databaseUrl });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

export interface EventsChoice {
  /** The events to train with; undefined: train on the file alone. */
  events?: RatingEvents;
  /** Why, for the summary: `--with-events`, `default: the store is not empty`, ... */
  reason: string;
}

/** What `train` merges: `flag` true (--with-events), false (--no-with-events) or undefined (when there are some). */
export async function eventsForTraining(ctx: CliContext, flag: boolean | undefined): Promise<EventsChoice> {
  if (flag === false) return { reason: '--no-with-events: the stored ratings are left out' };
  return withStore(ctx, async (store) => {
    const events = await readEvents(store.entries());
    const where = `${store.kind} ${store.location}`;
    ctx.logger.info(`train: ${events.users.length} stored rating events in ${where}`);
    if (flag === true) return { events, reason: `--with-events (${where})` };
    if (events.users.length === 0) return { reason: `the rating store is empty (${where})` };
    return { events, reason: `by default: the rating store is not empty (${where}); --no-with-events leaves them out` };
  });
}

/** The summary's line about events. */
export function describeEvents(events: EventsInfo | undefined, reason: string): string {
  if (!events) return `none merged: ${reason}`;
  return (
    `${fmtInt(events.count)} stored ratings and deletions merged, ${reason}: ${fmtInt(events.replaced)} replaced, ` +
    `${fmtInt(events.added)} added, ${fmtInt(events.deleted)} deleted; latest ${events.lastEventTime ?? 'none'}`
  );
}

/** Writes the store's ratings as a MovieLens CSV (temp file + rename: a reader never sees half a file). */
async function exportCsv(store: RatingStore, file: string): Promise<{ ratings: number; deletions: number }> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const out = createWriteStream(temp);
  let ratings = 0;
  let deletions = 0;
  try {
    out.write('userId,movieId,rating,timestamp\n');
    for await (const chunk of store.entries()) {
      let text = '';
      for (const e of chunk) {
        if (e.rating === null) {
          deletions++;
          continue;
        }
        text += `${e.userId},${e.movieId},${e.rating},${Math.floor(e.time / 1000)}\n`;
        ratings++;
      }
      if (!out.write(text)) await new Promise<void>((ok) => out.once('drain', () => ok()));
    }
    out.end();
    await finished(out);
    await rename(temp, file);
  } catch (err) {
    out.destroy();
    await rm(temp, { force: true });
    throw err;
  }
  return { ratings, deletions };
}

export function registerEvents(program: Command, getContext: () => CliContext): void {
  const events = program
    .command('events')
    .description("the ratings people gave through the service's API (the rating store: DATABASE_URL or DATA_DIR)");
  events
    .command('export')
    .description('write the stored ratings as a MovieLens CSV: userId,movieId,rating,timestamp (deletions are not written)')
    .argument('<file>', 'the CSV file to write (replaced when it exists)')
    .option('--json', 'print the result as one JSON document on stdout')
    .action(async (file: string, flags: { json?: boolean }) => {
      const ctx = getContext();
      const target = path.resolve(file);
      const result = await withStore(ctx, (store) => exportCsv(store, target));
      ctx.logger.info(`events export: ${result.ratings} ratings to ${target}, ${result.deletions} deletions not written`);
      if (flags.json) {
        ctx.printJson({ file: target, ...result });
        return;
      }
      ctx.print(`Wrote ${fmtInt(result.ratings)} stored ratings to ${target}`);
      if (result.deletions > 0) {
        ctx.print(
          `(${fmtInt(result.deletions)} deletions not written: a MovieLens file cannot say one; train --with-events applies them)`,
        );
      }
    });
}
