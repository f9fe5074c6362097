import type { Server } from 'node:http';
import { ERROR_CODES } from '@gpt-stream/protocol';
import type { ActiveStreams, StopReason } from './active-streams.ts';
import type { Logger } from './observability/logger.ts';

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
 * the grace period runs out first (a reader that stopped reading cannot take its last event). A
 * second signal exits at once.
 */
export function closeOnSignals({ server, streams, graceMs, logger }: ShutdownOptions): void {
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    closing = true;
    const startedAt = performance.now();
    logger.info({ signal, openStreams: streams.size, graceMs }, `${signal}: shutting down`);
    setTimeout(() => {
      logger.error({ graceMs }, 'connections still open at the end of the grace period; exiting');
      process.exit(1);
    }, graceMs).unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    streams.stopAll(SHUTDOWN_REASON);
    Promise.all([closed, streams.close()]).then(
      () => {
        logger.info({ durationMs: Math.round(performance.now() - startedAt) }, 'shut down cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
    // Keep-alive connections only become idle once their last response has gone out.
    setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS).unref();
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
