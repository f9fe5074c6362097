import type { Server } from 'node:http';
import { ERROR_CODES } from '@gpt-stream/protocol';
import { exitProcess, type Logger } from './observability/logger.ts';
import type { ActiveStreams, StopReason } from './streaming/active-streams.ts';

export interface ShutdownOptions {
  server: Server;
  streams: ActiveStreams;
  /** The longest the process waits for connections to close before it exits anyway. */
  graceMs: number;
  logger: Logger;
}

const SHUTDOWN_REASON: StopReason = {
  code: ERROR_CODES.serverShutdown,
  message: 'The server is restarting. Try again in a moment.',
  retryable: true,
};

/** How often idle keep-alive connections are swept while shutting down. */
const IDLE_SWEEP_MS = 25;

/**
 * `server.close()` alone never finishes while a stream is open, so streams are ended on purpose,
 * each with a retryable `server_shutdown` error the page can act on; the store records it, so a
 * resume on another instance sees it too. The listener closes first, so no new stream can start
 * meanwhile. Exits 0 once every connection has closed and the store has every event, or 1 when
 * the grace period runs out first (a reader that stopped reading cannot take its last event, a
 * store that stopped answering cannot take the events), saying which of the two it waited on.
 * SIGHUP (a closed terminal) counts as SIGTERM. A second signal exits at once.
 */
export function closeOnSignals({ server, streams, graceMs, logger }: ShutdownOptions): void {
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn({ signal }, 'second signal: exiting now');
      exitProcess(logger, 1);
    }
    closing = true;
    const startedAt = performance.now();
    let connectionsClosed = false;
    logger.info({ signal, openStreams: streams.size, graceMs }, `${signal}: shutting down`);
    setTimeout(() => {
      if (connectionsClosed) {
        logger.error(
          { graceMs },
          'the stream store did not take the last events within the grace period; exiting',
        );
      } else {
        logger.error({ graceMs }, 'connections still open at the end of the grace period; exiting');
      }
      exitProcess(logger, 1);
    }, graceMs).unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    streams.stopAll(SHUTDOWN_REASON);
    let storeClosed = false;
    const stored = streams.close().then(() => {
      storeClosed = true;
    });
    void closed.then(() => {
      connectionsClosed = true;
      if (!storeClosed) {
        logger.info(
          { durationMs: Math.round(performance.now() - startedAt) },
          'connections closed; waiting for the stream store to take the last events',
        );
      }
    });
    Promise.all([closed, stored]).then(
      () => {
        logger.info({ durationMs: Math.round(performance.now() - startedAt) }, 'shut down cleanly');
        exitProcess(logger, 0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        exitProcess(logger, 1);
      },
    );
    // Keep-alive connections only become idle once their last response has gone out.
    setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS).unref();
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, shutdown);
}
