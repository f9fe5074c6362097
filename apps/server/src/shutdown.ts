import type { Server } from 'node:http';
import { ERROR_CODES } from '@gpt-stream/protocol';
import type { ActiveStreams } from './active-streams.ts';

export interface ShutdownOptions {
  server: Server;
  streams: ActiveStreams;
  /** The longest the process waits for connections to close before it exits anyway. */
  graceMs: number;
}

/**
 * `server.close()` alone never finishes while a stream is open, so streams are ended on purpose,
 * each with a retryable `server_shutdown` error the page can act on; the store records it, so a
 * resume on another instance sees it too. A second signal exits at once.
 */
export function closeOnSignals({ server, streams, graceMs }: ShutdownOptions): void {
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) process.exit(1);
    closing = true;
    console.log(`${signal}: closing ${streams.size} open stream(s)`);
    setTimeout(() => {
      console.error(`connections still open after ${graceMs} ms; exiting anyway`);
      process.exit(1);
    }, graceMs).unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    streams.stopAll({
      code: ERROR_CODES.serverShutdown,
      message: 'The server is restarting. Try again in a moment.',
      retryable: true,
    });
    Promise.all([closed, streams.close()]).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('shutdown failed', error);
        process.exit(1);
      },
    );
    // Keep-alive connections only become idle once their last response has gone out.
    setInterval(() => server.closeIdleConnections(), 25).unref();
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
