import type { StreamEvent, TerminalEvent } from '@gpt-stream/protocol';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';

/** What a stream session tells the outside world about one stream, in the order it happens. */
export interface StreamObserver {
  started(stream: { streamId: string; model: string }): ObservedStream;
}

export interface ObservedStream {
  /** Every event written: the first delta marks the time to first token, done/error the outcome. */
  sent(event: StreamEvent): void;
  /** The model threw: the cause goes to the log, never to the reader. */
  failed(cause: unknown): void;
  /** Called once, last. A stream that never sent done or error lost its reader. */
  ended(): void;
}

/** `done`, `client_left`, or the code of the error event that ended the stream. */
export function outcomeOf(terminal: TerminalEvent | undefined): string {
  if (!terminal) return 'client_left';
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
      let terminal: TerminalEvent | undefined;
      let cause: unknown;
      metrics.activeStreams.inc();
      return {
        sent(event) {
          if (event.type === 'delta') {
            if (tokens === 0) {
              firstTokenMs = performance.now() - startedAt;
              metrics.timeToFirstToken.observe(firstTokenMs / 1000);
            }
            tokens++;
            metrics.tokensSent.inc();
          } else if (event.type !== 'start') {
            terminal = event;
          }
        },
        failed(error) {
          cause = error;
        },
        ended() {
          const outcome = outcomeOf(terminal);
          metrics.activeStreams.dec();
          metrics.streamsEnded.inc({ outcome });
          const line = {
            streamId,
            model,
            outcome,
            tokens,
            durationMs: Math.round(performance.now() - startedAt),
            ...(firstTokenMs === undefined ? {} : { firstTokenMs: Math.round(firstTokenMs) }),
            ...(terminal?.type === 'done' ? { finishReason: terminal.data.finishReason } : {}),
          };
          if (cause === undefined) logger.info(line, 'stream ended');
          else logger.error({ ...line, err: cause }, 'stream failed');
        },
      };
    },
  };
}
