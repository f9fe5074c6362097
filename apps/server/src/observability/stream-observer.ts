import type { TerminalEvent } from '@gpt-stream/protocol';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { redactStreamId } from './redact.ts';

/** What a generation tells the outside world about one stream, in the order it happens. */
export interface StreamObserver {
  started(stream: { streamId: string; model: string }): ObservedStream;
}

export interface ObservedStream {
  /** One more `delta` in the stream: the first marks the time to first token. */
  token(): void;
  /** One more `reasoning` event: thinking, which is not the answer's first token. */
  reasoning(): void;
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

/**
 * One stream's figures. A class, not closures over shared variables: a stream can stay open for
 * minutes, and one small object is a third of the memory of three closures and their context.
 */
class ObservedStreamRecord implements ObservedStream {
  readonly #streamId: string;
  readonly #model: string;
  readonly #logger: Logger;
  readonly #metrics: Metrics;
  readonly #startedAt = performance.now();
  #tokens = 0;
  #reasoningTokens = 0;
  #firstTokenMs: number | undefined;
  #cause: unknown;

  constructor(streamId: string, model: string, logger: Logger, metrics: Metrics) {
    this.#streamId = streamId;
    this.#model = model;
    this.#logger = logger;
    this.#metrics = metrics;
    metrics.activeStreams.inc();
  }

  token(): void {
    if (this.#tokens === 0) {
      this.#firstTokenMs = performance.now() - this.#startedAt;
      this.#metrics.timeToFirstToken.observe(this.#firstTokenMs / 1000);
    }
    this.#tokens++;
    this.#metrics.countToken();
  }

  reasoning(): void {
    this.#reasoningTokens++;
    this.#metrics.countReasoningToken();
  }

  failed(cause: unknown): void {
    this.#cause = cause;
  }

  ended(terminal: TerminalEvent, outcome = outcomeOf(terminal)): void {
    const firstTokenMs = this.#firstTokenMs;
    this.#metrics.activeStreams.dec();
    this.#metrics.streamsEnded.inc({ outcome });
    const line = {
      streamId: redactStreamId(this.#streamId),
      model: this.#model,
      outcome,
      tokens: this.#tokens,
      ...(this.#reasoningTokens === 0 ? {} : { reasoningTokens: this.#reasoningTokens }),
      durationMs: Math.round(performance.now() - this.#startedAt),
      ...(firstTokenMs === undefined ? {} : { firstTokenMs: Math.round(firstTokenMs) }),
      ...(terminal.type === 'done' ? { finishReason: terminal.data.finishReason } : {}),
    };
    if (this.#cause === undefined) this.#logger.info(line, 'stream ended');
    else this.#logger.error({ ...line, err: this.#cause }, 'stream failed');
  }
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
    started: ({ streamId, model }) => new ObservedStreamRecord(streamId, model, logger, metrics),
  };
}
