// log4js writes files asynchronously: a line logged just before an assertion may not be on disk yet, so tests that
// read the log of their own process poll for the line instead of reading once.

import { existsSync, readFileSync } from 'node:fs';

/** Resolves with the first line of `logFile` matching `pattern`; rejects after `timeoutMs`. */
export async function waitForLogLine(logFile: string, pattern: RegExp, timeoutMs = 3000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    const line = text.split('\n').find((l) => pattern.test(l));
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no log line matching ${pattern} in ${logFile} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
