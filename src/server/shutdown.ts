// Graceful shutdown for SIGTERM/SIGINT: stop accepting connections, let in-flight requests finish (up to a grace
// period), close the remaining connections, then let the caller flush the logs and exit 0.
import type { Server } from 'node:http';
import type { Logger } from 'log4js';

export interface ShutdownOptions {
  graceMs: number;
  logger: Logger;
  /** Called once, when every connection is closed or the grace period ran out. */
  onClosed: () => void | Promise<void>;
}

/** Counts requests in flight on `server`; returns `shutdown(signal)`. */
export function gracefulShutdown(server: Server, opts: ShutdownOptions): (signal: string) => void {
  let inFlight = 0;
  let closing = false;
  let finished = false;

  const finish = (): void => {
    if (finished) return;
    finished = true;
    server.closeAllConnections();
    void Promise.resolve(opts.onClosed());
  };

  server.on('request', (_req, res) => {
    inFlight++;
    // Keep-alive connections would outlive the shutdown: tell the client this one ends with the response.
    if (closing && !res.headersSent) res.setHeader('Connection', 'close');
    res.once('close', () => {
      inFlight--;
      if (closing && inFlight === 0) finish();
    });
  });

  return (signal: string) => {
    if (closing) {
      opts.logger.warn(`${signal} again: closing ${inFlight} request(s) in flight now`);
      finish();
      return;
    }
    closing = true;
    opts.logger.info(`${signal}: no longer accepting connections; ${inFlight} request(s) in flight`);
    server.close();
    server.closeIdleConnections();
    if (inFlight === 0) {
      finish();
      return;
    }
    const timer = setTimeout(() => {
      opts.logger.warn(`grace period of ${opts.graceMs} ms over with ${inFlight} request(s) in flight; closing them`);
      finish();
    }, opts.graceMs);
    timer.unref();
  };
}
