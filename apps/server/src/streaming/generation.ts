import { ERROR_CODES, type TerminalEvent } from '@gpt-stream/protocol';
import type { GenerateInput, Model, TextStream } from '../models/model.ts';
import { type StreamError, terminalErrorFor } from '../models/model-failure.ts';
import type { ObservedStream } from '../observability/stream-observer.ts';
import type { EventLog } from '../store/event-log.ts';
import type { FlushScheduler } from './flush-scheduler.ts';

/** Whoever writes a generation's events to a client; told each time the log grows. */
export interface GenerationReader {
  pump(): void;
}

export interface GenerationOptions {
  log: EventLog;
  model: Model;
  input: Omit<GenerateInput, 'signal'>;
  /** False: the first reader leaving stops generation, since nobody will ever resume it. */
  resumable: boolean;
  /** Told of each token and of the end, for the log and the metrics. */
  observed: ObservedStream;
  /** Runs once, right after the terminal event is in the log. */
  onEnd: (generation: Generation) => void;
  /** Where the readers' writes of a turn are batched; the model yields to it now and then. */
  flushes: FlushScheduler;
  /** Told each time the log grows, before the readers: the store copies the events as they come. */
  onAppend?: ((log: EventLog) => void) | undefined;
}

/**
 * The most tokens a model that never waits (the mock at no delay, a fast upstream's buffered
 * chunks) makes in one turn before its readers write them: enough for one large write each, few
 * enough that the readers and the other streams get their turn before much piles up.
 */
const TOKENS_PER_TURN = 128;

/** Why a non-resumable stream stopped: only in its own log, which nobody reads any more. */
const READER_LEFT: StreamError = {
  code: ERROR_CODES.streamStopped,
  message: 'The reader left a stream that cannot be resumed.',
  retryable: false,
};

/**
 * The producer of one stream: runs the model and appends its output to the log, numbered, until
 * the model finishes, fails, or the stream is stopped. It keeps going when its readers leave (they
 * may resume), and never waits for a reader that cannot keep up: the log holds every event, so a
 * slow reader catches up from it, and one that falls too far behind is cut (see
 * GenerationFollower). One reader that does not read cannot freeze the stream for the others.
 */
export class Generation {
  readonly log: EventLog;
  readonly resumable: boolean;
  readonly #options: GenerationOptions;
  readonly #readers = new Set<GenerationReader>();
  readonly #abort = new AbortController();
  #ended = false;
  #iterator: TextStream | undefined;
  /** Since when nobody reads it (ms since the epoch); undefined while someone does. */
  #unreadSince: number | undefined = Date.now();

  constructor(options: GenerationOptions) {
    this.#options = options;
    this.log = options.log;
    this.resumable = options.resumable;
  }

  get ended(): boolean {
    return this.#ended;
  }

  get unreadSince(): number | undefined {
    return this.#unreadSince;
  }

  /** Pulls the model to its end. Never rejects: every outcome is the log's terminal event. */
  async run(): Promise<void> {
    const { model, input, flushes } = this.#options;
    let turn = -1;
    let madeThisTurn = 0;
    try {
      const iterator = model.generate({ ...input, signal: this.#abort.signal });
      this.#iterator = iterator;
      for (;;) {
        const step = await iterator.next();
        // Stopped while the model was busy: the stream has ended already, whatever it says now.
        if (this.#ended) return;
        if (step.done) return this.#end({ type: 'done', data: step.value });
        const chunk = step.value;
        if (typeof chunk === 'string') {
          if (chunk === '') continue;
          this.log.pushText(chunk);
          this.#options.observed.token();
        } else {
          if (chunk.reasoning === '') continue;
          this.log.pushReasoning(chunk.reasoning);
          this.#options.observed.reasoning();
        }
        this.#publish();
        if (turn !== flushes.turn) {
          turn = flushes.turn;
          madeThisTurn = 0;
        }
        if (++madeThisTurn >= TOKENS_PER_TURN) await flushes.flushed();
      }
    } catch (error) {
      if (this.#ended) return;
      this.#options.observed.failed(error);
      this.#end({ type: 'error', data: terminalErrorFor(error) });
    }
  }

  /**
   * Ends the stream now with `reason` as its terminal event (numbered `seq`, by default the next
   * one), and stops the model.
   */
  stop(reason: StreamError, seq?: number): void {
    if (this.#ended) return;
    this.#abort.abort(reason);
    this.#end({ type: 'error', data: reason }, seq);
  }

  attach(reader: GenerationReader): void {
    this.#readers.add(reader);
    this.#unreadSince = undefined;
  }

  detach(reader: GenerationReader): void {
    if (!this.#readers.delete(reader) || this.#readers.size > 0) return;
    this.#unreadSince = Date.now();
    if (!this.resumable) this.stop(READER_LEFT);
  }

  #end(event: TerminalEvent, seq?: number): void {
    if (this.#ended) return;
    this.#ended = true;
    this.log.end(event, seq);
    this.#options.observed.ended(event, event.data === READER_LEFT ? 'client_left' : undefined);
    // Runs the model's cleanup if it is suspended at a `yield`; a no-op once it has finished.
    this.#iterator?.return?.(undefined).catch(() => undefined);
    this.#publish();
    this.#options.onEnd(this);
  }

  #publish(): void {
    this.#options.onAppend?.(this.log);
    for (const reader of this.#readers) reader.pump();
  }
}
