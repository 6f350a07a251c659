// GET /api/log (the last lines of the service's log file) and GET /api/log/download (the whole file as an
// attachment, streamed). The file is the configured one; no path ever comes from the client. Both leave out stack
// frames and replace file paths by <path> (logRedact.ts): the file on disk keeps them for the operator.
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline } from 'node:stream';
import { z } from 'zod';
import type { RouteDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { redactingStream, redactLogLines } from '../logRedact.js';
import { tailLines } from '../logTail.js';
import { errorResponse } from './common.js';
import { defineRoute, type AnyRouteSpec } from './spec.js';

export const MAX_LOG_LINES = 1000;
const nError = 'must be a positive integer (values above 1000 are capped)';

const logQuery = z.object({
  n: z.coerce
    .number({ error: nError })
    .int({ error: nError })
    .min(1, { error: nError })
    .default(20)
    .transform((n) => Math.min(n, MAX_LOG_LINES))
    .describe(`How many lines (default 20; values above ${MAX_LOG_LINES} are capped)`),
});

export const logResponse = z.object({
  lines: z.array(z.string()).describe('The last lines of the log file, oldest first'),
  n: z.number().int().describe('Lines asked for, after the cap'),
});

export function logRoutes(deps: RouteDeps): AnyRouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/log',
      operationId: 'getLogTail',
      tag: 'operations',
      summary: 'The last lines of the service log',
      description:
        'Read from the end of the file in chunks (never the whole file); file paths replaced by <path>, stack ' +
        'frames left out. [] when there is no log file yet.',
      query: logQuery,
      responses: {
        200: { description: 'Log lines', schema: logResponse },
        400: errorResponse('n is not a positive integer'),
      },
      handler: async (ctx, { query }) => {
        // Stack frames are left out: read a few more lines so that n remain when there are some.
        const lines = redactLogLines(await tailLines(deps.settings.logFile, query.n * 4)).slice(-query.n);
        ctx.body = { lines, n: query.n } satisfies z.output<typeof logResponse>;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/log/download',
      operationId: 'downloadLog',
      tag: 'operations',
      summary: 'The service log file as an attachment (file paths replaced by <path>, no stack frames)',
      responses: {
        200: { description: 'The log file', contentType: 'text/plain', schema: z.string() },
        404: errorResponse('No log file yet'),
      },
      handler: async (ctx) => {
        const file = deps.settings.logFile;
        let handle;
        try {
          handle = await open(file, 'r');
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound('no log file yet', 'LOG_NOT_FOUND');
          throw err;
        }
        // Send what exists now; lines appended while streaming belong to the next download.
        const size = (await handle.stat()).size;
        ctx.attachment(basename(file));
        ctx.type = 'text/plain; charset=utf-8';
        if (size === 0) {
          await handle.close();
          ctx.body = '';
          return;
        }
        const redacted = redactingStream();
        // pipeline (not pipe): a read error destroys the response stream too, instead of leaving it hanging.
        pipeline(handle.createReadStream({ start: 0, end: size - 1, autoClose: true }), redacted, () => undefined);
        ctx.body = redacted;
      },
    }),
  ];
}
