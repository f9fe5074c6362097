import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  createStreamEncoder,
  ERROR_CODES,
  encodeEvent,
  formatEventId,
  isTerminalEvent,
} from '@gpt-stream/protocol';
import type { GenerateInput, Model } from '../models/model.ts';
import type { StreamError } from '../models/model-failure.ts';
import type { Logger } from '../observability/logger.ts';
import { redactStreamId } from '../observability/redact.ts';
import type { StreamObserver } from '../observability/stream-observer.ts';
import { EventLog } from '../store/event-log.ts';
import { endsStream } from '../store/replay.ts';
import { INSTANCE_LOST, INSTANCE_LOST_SEQ, type StreamStore } from '../store/stream-store.ts';
import { type FlushScheduler, sharedFlushScheduler } from './flush-scheduler.ts';
import { Generation } from './generation.ts';
import { GenerationFollower } from './generation-reader.ts';
import { SseResponse } from './sse-response.ts';

/** Why the server itself ends a stream early; sent to the reader as the terminal `error` event. */
export type StopReason = StreamError;

const STREAM_NOT_FOUND: StopReason = {
  code: ERROR_CODES.streamNotFound,
  message: 'This stream is unknown or has expired; send the prompt again to start a new one.',
  retryable: false,
};

const STREAM_STOPPED: StopReason = {
  code: ERROR_CODES.streamStopped,
  message: 'The stream was stopped.',
  retryable: false,
};

const STORE_FAILED: StopReason = {
  code: ERROR_CODES.internal,
  message: 'The stream could not be read just now. Try again in a moment.',
  retryable: true,
};

export interface ActiveStreamsOptions {
  store: StreamStore;
  /** How long a response may stay silent before a `: ping` comment. */
  heartbeatMs: number;
  /** How long a generation runs on with nobody reading it. */
  retentionMs: number;
  /** Hears of every generation's start, tokens and end. */
  observer: StreamObserver;
  logger: Logger;
  /** Batches the writes of a turn; the process-wide one unless a test brings its own. */
  flushes?: FlushScheduler;
  /** How far a reader with a full socket may fall behind before it is cut (READER_MAX_LAG_BYTES). */
  readerMaxLagBytes: number;
}

export interface StartOptions {
  res: ServerResponse;
  model: Model;
  input: Omit<GenerateInput, 'signal'>;
  resumable: boolean;
  /** Who started it (see `clientKeyOf`), counted in `runningFor` until the stream ends. */
  client?: string;
}

/** What a reader at some position of a stream has still to receive. */
export type Remaining = 'events' | 'nothing' | 'unknown';

/** A response replaying a stream from the store; remembered so that shutdown can end it. */
interface StoreReader {
  out: SseResponse;
  abort: AbortController;
  /** The id of the last event written, for a terminal event that is not part of the stream. */
  lastId: string;
}

/**
 * The streams of this process: the generations running here, and every open response reading
 * one (here or from the store). Counted for health checks, reachable to stop one or all, and
 * driven by two timers shared by all of them: heartbeats, and stopping generations that nobody
 * has read for the retention time.
 */
export class ActiveStreams {
  readonly #store: StreamStore;
  readonly #retentionMs: number;
  readonly #observer: StreamObserver;
  readonly #logger: Logger;
  readonly #flushes: FlushScheduler;
  readonly #readerMaxLagBytes: number;
  readonly #generations = new Map<string, Generation>();
  readonly #responses = new Set<SseResponse>();
  readonly #storeReaders = new Set<StoreReader>();
  /** Running generations per client; a client with none has no entry. */
  readonly #perClient = new Map<string, number>();
  /** Ended generations whose last events are still on their way into the store. */
  readonly #storing = new Set<Promise<void>>();
  readonly #heartbeat: NodeJS.Timeout;
  readonly #sweeper: NodeJS.Timeout;
  #running = 0;
  #closing = false;

  constructor({
    store,
    heartbeatMs,
    retentionMs,
    observer,
    logger,
    flushes = sharedFlushScheduler,
    readerMaxLagBytes,
  }: ActiveStreamsOptions) {
    this.#logger = logger;
    this.#readerMaxLagBytes = readerMaxLagBytes;
    this.#flushes = flushes;
    this.#store = store;
    this.#retentionMs = retentionMs;
    this.#observer = observer;
    store.onStopRequest((streamId, cause) => {
      const generation = this.#generations.get(streamId);
      // Numbered as the store numbered it, so that a reader here has the same one terminal event.
      if (cause === 'instance_lost') generation?.stop(INSTANCE_LOST, INSTANCE_LOST_SEQ);
      else generation?.stop(STREAM_STOPPED);
    });
    this.#heartbeat = setInterval(() => {
      for (const out of this.#responses) out.tick();
    }, heartbeatMs);
    this.#heartbeat.unref();
    this.#sweeper = setInterval(
      () => this.#stopUnread(),
      Math.min(Math.max(retentionMs / 4, 10), 10_000),
    );
    this.#sweeper.unref();
  }

  /** Generations running in this process. */
  get size(): number {
    return this.#running;
  }

  /** True once `stopAll` ran: the process is going away and takes no new streams. */
  get closing(): boolean {
    return this.#closing;
  }

  /** The store, for health checks. */
  get store(): StreamStore {
    return this.#store;
  }

  /** The generations `client` started that are running here. */
  runningFor(client: string): number {
    return this.#perClient.get(client) ?? 0;
  }

  /** Open responses reading a stream, here or from the store. */
  get readers(): number {
    return this.#responses.size;
  }

  /** The ids of the generations running here, oldest first. */
  runningIds(): string[] {
    return [...this.#generations.values()]
      .filter((generation) => !generation.ended)
      .map((generation) => generation.log.streamId);
  }

  /** Starts a new stream answered on `res`. False when the store has no room for it. */
  start({ res, model, input, resumable, client }: StartOptions): boolean {
    // The input stays in memory as long as the model runs; its JSON length is near enough.
    const log = new EventLog(randomUUID(), model.id, JSON.stringify(input).length);
    if (resumable && !this.#store.add(log)) return false;
    const generation = new Generation({
      log,
      model,
      input,
      resumable,
      observed: this.#observer.started({ streamId: log.streamId, model: model.id }),
      onEnd: (ended) => this.#onEnd(ended, client),
      flushes: this.#flushes,
      onAppend: resumable ? (grown) => this.#store.appended(grown) : undefined,
    });
    this.#generations.set(log.streamId, generation);
    this.#running++;
    if (client !== undefined) this.#perClient.set(client, this.runningFor(client) + 1);
    this.#follow(generation, res, -1);
    void generation.run();
    return true;
  }

  /**
   * Answers `res` with the events of `streamId` after `afterSeq`, then follows the stream to its
   * end. Never starts a generation: an unknown or expired stream gets one `stream_not_found` error.
   */
  async resume(streamId: string, afterSeq: number, res: ServerResponse): Promise<void> {
    const generation = this.#generations.get(streamId);
    if (generation?.resumable) return this.#follow(generation, res, afterSeq);
    await this.#readFromStore(streamId, afterSeq, res);
  }

  /**
   * Whether a reader positioned after `afterSeq` has anything left to receive: `nothing` once it
   * has the terminal event, `unknown` for a stream that is unknown or expired. Looks at most at
   * the first batch a resume would send; a store that fails says `events`, and the resume that
   * follows reports the failure.
   */
  async remainingAfter(streamId: string, afterSeq: number): Promise<Remaining> {
    const generation = this.#generations.get(streamId);
    if (generation?.resumable) {
      const { log } = generation;
      return log.terminal !== undefined && afterSeq >= log.length - 1 ? 'nothing' : 'events';
    }
    try {
      // Aborted from the start: a peek must never wait for events still to be generated.
      const batches = await this.#store.read(streamId, afterSeq, AbortSignal.abort());
      if (!batches) return 'unknown';
      for await (const [first, ...rest] of batches) {
        const alreadyHad =
          first !== undefined && isTerminalEvent(first.event) && first.seq <= afterSeq;
        return alreadyHad && rest.length === 0 ? 'nothing' : 'events';
      }
    } catch {
      // Reported by the resume itself.
    }
    return 'events';
  }

  /** The deliberate stop. False when the stream is unknown or expired. */
  async stop(streamId: string): Promise<boolean> {
    const generation = this.#generations.get(streamId);
    if (!generation) return this.#store.requestStop(streamId);
    generation.stop(STREAM_STOPPED);
    return true;
  }

  /** Ends every stream with `reason`: generations record it, readers of the store receive it. */
  stopAll(reason: StopReason): void {
    this.#closing = true;
    for (const generation of [...this.#generations.values()]) generation.stop(reason);
    for (const reader of [...this.#storeReaders]) {
      reader.out.write(encodeEvent({ type: 'error', data: reason }, reader.lastId));
      reader.abort.abort();
    }
  }

  /** Waits until ended streams are stored, then closes the store. Call after `stopAll`. */
  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    clearInterval(this.#sweeper);
    await Promise.all(this.#storing);
    await this.#store.close();
  }

  #open(res: ServerResponse): SseResponse {
    const out = new SseResponse(res);
    this.#responses.add(out);
    // `on`, not `once`: a response closes once, and `once` would hold a wrapper, its state and a
    // bound function besides the listener for as long as the stream is open.
    res.on('close', () => this.#responses.delete(out));
    return out;
  }

  #follow(generation: Generation, res: ServerResponse, afterSeq: number): void {
    new GenerationFollower(
      generation,
      this.#open(res),
      afterSeq,
      this.#flushes,
      this.#readerMaxLagBytes,
    ).start();
  }

  async #readFromStore(streamId: string, afterSeq: number, res: ServerResponse): Promise<void> {
    const out = this.#open(res);
    const abort = new AbortController();
    const reader: StoreReader = {
      out,
      abort,
      lastId: afterSeq >= 0 ? formatEventId(streamId, afterSeq) : '',
    };
    const leave = () => abort.abort();
    res.on('close', leave);
    this.#storeReaders.add(reader);
    const fail = (reason: StopReason) => {
      if (!abort.signal.aborted)
        out.write(encodeEvent({ type: 'error', data: reason }, reader.lastId));
    };
    try {
      const batches = await this.#store.read(streamId, afterSeq, abort.signal);
      if (!batches) return fail(STREAM_NOT_FOUND);
      const encoder = createStreamEncoder(streamId);
      for await (const batch of batches) {
        if (abort.signal.aborted) return;
        let chunk = '';
        for (const { seq, event } of batch) chunk += encoder.event(event, seq);
        const last = batch.at(-1);
        if (last) reader.lastId = formatEventId(streamId, last.seq);
        const flowing = out.write(chunk);
        if (endsStream(batch)) return;
        if (!flowing) await out.drained(abort.signal);
      }
      // The stream vanished while it was being followed: it expired.
      fail(STREAM_NOT_FOUND);
    } catch (error) {
      if (abort.signal.aborted) return;
      this.#logger.error(
        { err: error, streamId: redactStreamId(streamId) },
        'could not read a stream from the store',
      );
      fail(STORE_FAILED);
    } finally {
      res.off('close', leave);
      this.#storeReaders.delete(reader);
      out.end();
    }
  }

  #onEnd(generation: Generation, client: string | undefined): void {
    this.#running--;
    if (client !== undefined) {
      const left = this.runningFor(client) - 1;
      if (left > 0) this.#perClient.set(client, left);
      else this.#perClient.delete(client);
    }
    const { streamId } = generation.log;
    if (!generation.resumable) {
      this.#generations.delete(streamId);
      return;
    }
    // Until the store has every event, resumes keep reading the log here.
    const storing = this.#store.ended(generation.log).then(() => {
      this.#generations.delete(streamId);
      this.#storing.delete(storing);
    });
    this.#storing.add(storing);
  }

  #stopUnread(): void {
    const before = Date.now() - this.#retentionMs;
    for (const generation of this.#generations.values()) {
      const since = generation.unreadSince;
      if (!generation.ended && since !== undefined && since <= before) {
        generation.stop({
          code: ERROR_CODES.streamAbandoned,
          message: `Nobody read this stream for ${this.#retentionMs} ms, so the server stopped it.`,
          retryable: false,
        });
      }
    }
  }
}
