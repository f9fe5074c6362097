import type { TerminalEvent } from '@gpt-stream/protocol';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';

/** What a generation tells the outside world about one stream, in the order it happens. */
export interface StreamObserver {
  started(stream: { streamId: string; model: string }): ObservedStream;
}

export interface ObservedStream {
  /** One more `delta` in the stream: the first marks the time to first token. */
  token(): void;
  /** The model threw: the cause goes to the log, never to the reader. */
  failed(cause: unknown): void;
  /**
   * Called once, last, with the stream's terminal event. `outcome` overrides the one the event
   * implies, for an ending nobody was told about (the reader of a non-resumable stream left).
   */
  ended(terminal: TerminalEvent, outcome?: string): void;
}

/** `done`, or the code of the error event that ended the stream. */
function outcomeOf(terminal: TerminalEvent): string {
  return terminal.type === 'done' ? 'done' : terminal.data.code;
}

/** Counts streams into the metrics and writes one log line as each ends. */
export function createStreamObserver({
  logger,
  metrics,
}: {
  logger: Logger;
  metrics: Metrics;
}): StreamObserver {
  return {
    started({ streamId, model }) {
      const startedAt = performance.now();
      let tokens = 0;
      let firstTokenMs: number | undefined;
      let cause: unknown;
      metrics.activeStreams.inc();
      return {
        token() {
          if (tokens === 0) {
            firstTokenMs = performance.now() - startedAt;
            metrics.timeToFirstToken.observe(firstTokenMs / 1000);
          }
          tokens++;
          metrics.tokensSent.inc();
        },
        failed(error) {
          cause = error;
        },
        ended(terminal, outcome = outcomeOf(terminal)) {
          metrics.activeStreams.dec();
          metrics.streamsEnded.inc({ outcome });
          const line = {
            streamId,
            model,
            outcome,
            tokens,
            durationMs: Math.round(performance.now() - startedAt),
            ...(firstTokenMs === undefined ? {} : { firstTokenMs: Math.round(firstTokenMs) }),
            ...(terminal.type === 'done' ? { finishReason: terminal.data.finishReason } : {}),
          };
          if (cause === undefined) logger.info(line, 'stream ended');
          else logger.error({ ...line, err: cause }, 'stream failed');
        },
      };
    },
  };
}
