import type { StoreState } from '@gpt-stream/protocol';
import type { EventLog } from './event-log.ts';
import { replayLog } from './replay.ts';
import type { EventBatches, StreamStore } from './stream-store.ts';

export interface MemoryStoreOptions {
  /** How long a finished stream stays resumable. */
  retentionMs: number;
  /** Most streams kept, running and finished together. */
  maxStreams: number;
  /** Most bytes kept (approximate, see EventLog.bytes), running and finished together. */
  maxBytes: number;
  now?: () => number;
}

interface Entry {
  log: EventLog;
  /** The log's bytes as last counted into the store's total. */
  bytes: number;
  expiresAt: number;
}

/**
 * The embedded store: it keeps the logs of this process's streams. Room is made by dropping the
 * oldest finished streams first; running streams are never cut short, so when they alone fill
 * the bounds a new stream is refused (`add` answers false) until one finishes. Running streams
 * count at their size as of their last `appended`, which the generation calls for every event.
 */
export class MemoryStore implements StreamStore {
  readonly #running = new Map<string, Entry>();
  /** In the order the streams finished, which with one retention time is also expiry order. */
  readonly #finished = new Map<string, Entry>();
  readonly #options: MemoryStoreOptions;
  readonly #now: () => number;
  readonly #sweeper: NodeJS.Timeout;
  #bytes = 0;

  constructor(options: MemoryStoreOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    // One timer for the whole store frees expired streams even when no request comes.
    const period = Math.min(Math.max(options.retentionMs / 4, 50), 60_000);
    this.#sweeper = setInterval(() => this.#dropExpired(), period);
    this.#sweeper.unref();
  }

  get size(): number {
    return this.#running.size + this.#finished.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  add(log: EventLog): boolean {
    this.#dropExpired();
    const { maxStreams, maxBytes } = this.#options;
    while (this.size >= maxStreams && this.#dropOldestFinished());
    while (this.#bytes + log.bytes > maxBytes && this.#dropOldestFinished());
    if (this.size >= maxStreams || this.#bytes + log.bytes > maxBytes) return false;
    this.#running.set(log.streamId, { log, bytes: log.bytes, expiresAt: Number.POSITIVE_INFINITY });
    this.#bytes += log.bytes;
    return true;
  }

  appended(log: EventLog): void {
    const entry = this.#running.get(log.streamId);
    if (!entry) return;
    this.#bytes += log.bytes - entry.bytes;
    entry.bytes = log.bytes;
    while (this.#bytes > this.#options.maxBytes && this.#dropOldestFinished());
  }

  ended(log: EventLog): Promise<void> {
    const entry = this.#running.get(log.streamId);
    if (entry) {
      this.appended(log);
      this.#running.delete(log.streamId);
      entry.expiresAt = this.#now() + this.#options.retentionMs;
      this.#finished.set(log.streamId, entry);
    }
    return Promise.resolve();
  }

  async read(streamId: string, afterSeq: number): Promise<EventBatches | undefined> {
    this.#dropExpired();
    // A running stream is read from its generation, never from here: only finished ones count.
    const entry = this.#finished.get(streamId);
    return entry && replayLog(entry.log, afterSeq);
  }

  async requestStop(streamId: string): Promise<boolean> {
    this.#dropExpired();
    // One process: a stream running here was stopped by its generation already.
    return this.#finished.has(streamId) || this.#running.has(streamId);
  }

  onStopRequest(): void {
    // Nobody else can ask, and no other instance can end a stream: every stream of a memory
    // store runs in this process, and a running one is read from its generation, never from here.
  }

  state(): StoreState {
    return { kind: 'memory', reachable: true };
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    this.#running.clear();
    this.#finished.clear();
    this.#bytes = 0;
  }

  #dropExpired(): void {
    const now = this.#now();
    for (const [streamId, entry] of this.#finished) {
      if (entry.expiresAt > now) return;
      this.#drop(streamId, entry);
    }
  }

  #dropOldestFinished(): boolean {
    const oldest = this.#finished.entries().next();
    if (oldest.done) return false;
    this.#drop(...oldest.value);
    return true;
  }

  #drop(streamId: string, entry: Entry): void {
    this.#finished.delete(streamId);
    this.#bytes -= entry.bytes;
  }
}
