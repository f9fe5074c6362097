import { decodeStreamEvent, isTerminalEvent } from '@gpt-stream/protocol';
import { Redis } from 'ioredis';
import { type Logger, silentLogger } from '../observability/logger.ts';
import type { EventLog } from './event-log.ts';
import { endsStream, REPLAY_BATCH_EVENTS } from './replay.ts';
import type { EventBatches, StoredEvent, StreamStore } from './stream-store.ts';

const KEY_PREFIX = 'gpt-stream:stream:';
/** Every instance listens here; a message is the id of a stream to stop wherever it runs. */
const STOP_CHANNEL = 'gpt-stream:stop';
/** A follower wakes at least this often to notice a stream that expired (its generator died). */
const FOLLOW_BLOCK_MAX_MS = 5000;
const CONNECT_TIMEOUT_MS = 5000;

export interface RedisStoreOptions {
  url: string;
  retentionMs: number;
  /** Where connection and write failures go; they are retried, not thrown. */
  logger?: Logger;
}

interface Writing {
  log: EventLog;
  /** Events before this sequence number are on their way to Redis. */
  sent: number;
  dirty: boolean;
  flushed?: () => void;
}

function keyOf(streamId: string): string {
  return `${KEY_PREFIX}${streamId}`;
}

/** Entry ids are the sequence numbers (shifted by one: `0-0` is not a valid id). */
function entryId(seq: number): string {
  return `0-${seq + 1}`;
}

type Entry = [id: string, fields: string[]];

function decodeEntry([id, fields]: Entry): StoredEvent {
  const seq = Number(id.slice(id.indexOf('-') + 1)) - 1;
  const decoded = decodeStreamEvent(fields[1] ?? '', fields[3] ?? '');
  if (!decoded.ok) throw new Error(`stored event ${id} is unreadable: ${decoded.reason}`);
  return { seq, event: decoded.event };
}

/**
 * Streams in Redis, so that any instance can resume a stream another one generates. Each stream
 * is a Redis Stream whose entry ids are the event sequence numbers: XADD (batched into one
 * pipeline per tick for all streams), XRANGE to replay after a position, XREAD BLOCK to follow a
 * generation running elsewhere, PEXPIRE for retention. Stop requests travel on a pub/sub channel.
 */
export class RedisStore implements StreamStore {
  readonly #redis: Redis;
  readonly #subscriber: Redis;
  readonly #retentionMs: number;
  readonly #writing = new Map<string, Writing>();
  readonly #dirty: Writing[] = [];
  readonly #refresher: NodeJS.Timeout;
  #flushScheduled = false;
  #flushes = new Set<Promise<void>>();
  #stop: (streamId: string) => void = () => undefined;
  readonly #logger: Logger;

  private constructor(redis: Redis, subscriber: Redis, retentionMs: number, logger: Logger) {
    this.#logger = logger;
    this.#redis = redis;
    this.#subscriber = subscriber;
    this.#retentionMs = retentionMs;
    subscriber.on('message', (_channel: string, streamId: string) => this.#stop(streamId));
    // Keeps running streams alive; one that stops being refreshed (its process died) expires.
    this.#refresher = setInterval(() => this.#refresh(), Math.max(retentionMs / 3, 10));
    this.#refresher.unref();
  }

  /** Connects and subscribes; rejects with a readable message when Redis cannot be reached. */
  static async connect({
    url,
    retentionMs,
    logger = silentLogger(),
  }: RedisStoreOptions): Promise<RedisStore> {
    const options = {
      lazyConnect: true,
      connectTimeout: CONNECT_TIMEOUT_MS,
      maxRetriesPerRequest: 3,
    };
    const redis = new Redis(url, options);
    const subscriber = new Redis(url, options);
    for (const client of [redis, subscriber]) client.on('error', () => undefined);
    try {
      await Promise.all([redis.connect(), subscriber.connect()]);
      await subscriber.subscribe(STOP_CHANNEL);
    } catch (error) {
      redis.disconnect();
      subscriber.disconnect();
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`Could not reach Redis at ${new URL(url).host}: ${reason}`);
    }
    for (const client of [redis, subscriber]) {
      client.removeAllListeners('error');
      client.on('error', (error: Error) => logger.error({ err: error }, 'redis connection failed'));
    }
    return new RedisStore(redis, subscriber, retentionMs, logger);
  }

  add(log: EventLog): boolean {
    this.#writing.set(log.streamId, { log, sent: 0, dirty: false });
    this.appended(log);
    return true;
  }

  appended(log: EventLog): void {
    const writing = this.#writing.get(log.streamId);
    if (!writing || writing.dirty) return;
    writing.dirty = true;
    this.#dirty.push(writing);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => this.#flush());
  }

  ended(log: EventLog): Promise<void> {
    const writing = this.#writing.get(log.streamId);
    if (!writing) return Promise.resolve();
    this.appended(log);
    return new Promise((resolve) => {
      writing.flushed = resolve;
    });
  }

  async read(
    streamId: string,
    afterSeq: number,
    signal: AbortSignal,
  ): Promise<EventBatches | undefined> {
    const [last] = (await this.#redis.xrevrange(keyOf(streamId), '+', '-', 'COUNT', 1)) as Entry[];
    if (!last) return undefined;
    const lastEvent = decodeEntry(last);
    if (isTerminalEvent(lastEvent.event) && afterSeq >= lastEvent.seq) {
      return [[lastEvent]];
    }
    return this.#follow(keyOf(streamId), afterSeq, signal);
  }

  async requestStop(streamId: string): Promise<boolean> {
    const [last] = (await this.#redis.xrevrange(keyOf(streamId), '+', '-', 'COUNT', 1)) as Entry[];
    if (!last) return false;
    if (!isTerminalEvent(decodeEntry(last).event)) {
      await this.#redis.publish(STOP_CHANNEL, streamId);
    }
    return true;
  }

  onStopRequest(stop: (streamId: string) => void): void {
    this.#stop = stop;
  }

  async close(): Promise<void> {
    clearInterval(this.#refresher);
    if (this.#flushScheduled) this.#flush();
    await Promise.all(this.#flushes);
    await Promise.allSettled([this.#redis.quit(), this.#subscriber.quit()]);
  }

  async *#follow(
    key: string,
    afterSeq: number,
    signal: AbortSignal,
  ): AsyncGenerator<readonly StoredEvent[]> {
    let cursor = afterSeq;
    for (;;) {
      const entries = (await this.#redis.xrange(
        key,
        entryId(cursor + 1),
        '+',
        'COUNT',
        REPLAY_BATCH_EVENTS,
      )) as Entry[];
      if (entries.length === 0) break;
      const batch = entries.map(decodeEntry);
      yield batch;
      if (endsStream(batch)) return;
      cursor = (batch.at(-1) as StoredEvent).seq;
    }
    // Still being generated elsewhere. A blocking read holds its connection, so it gets its own.
    const follower = this.#redis.duplicate();
    follower.on('error', () => undefined);
    const disconnect = () => follower.disconnect();
    signal.addEventListener('abort', disconnect, { once: true });
    try {
      while (!signal.aborted) {
        const reply = (await follower.xread(
          'COUNT',
          REPLAY_BATCH_EVENTS,
          'BLOCK',
          Math.min(FOLLOW_BLOCK_MAX_MS, this.#retentionMs),
          'STREAMS',
          key,
          entryId(cursor),
        )) as [string, Entry[]][] | null;
        const entries = reply?.[0]?.[1] ?? [];
        if (entries.length === 0) {
          // Expired: its generator stopped refreshing it (crashed) long enough ago.
          if ((await this.#redis.exists(key)) === 0) return;
          continue;
        }
        const batch = entries.map(decodeEntry);
        yield batch;
        if (endsStream(batch)) return;
        cursor = (batch.at(-1) as StoredEvent).seq;
      }
    } finally {
      signal.removeEventListener('abort', disconnect);
      disconnect();
    }
  }

  #flush(): void {
    this.#flushScheduled = false;
    const batch = this.#dirty.splice(0);
    if (batch.length === 0) return;
    const pipeline = this.#redis.pipeline();
    const ended: Writing[] = [];
    for (const writing of batch) {
      const { log } = writing;
      const key = keyOf(log.streamId);
      for (let seq = writing.sent; seq < log.length; seq++) {
        const event = log.eventAt(seq);
        pipeline.xadd(key, entryId(seq), 't', event.type, 'd', JSON.stringify(event.data));
      }
      writing.sent = log.length;
      writing.dirty = false;
      pipeline.pexpire(key, this.#retentionMs);
      if (log.terminal) {
        this.#writing.delete(log.streamId);
        ended.push(writing);
      }
    }
    const flush = pipeline
      .exec()
      .then((results) => {
        const failed = results?.find(([error]) => error)?.[0];
        if (failed) this.#logger.error({ err: failed }, 'redis: could not store stream events');
      })
      .catch((error: Error) =>
        this.#logger.error({ err: error }, 'redis: could not store stream events'),
      )
      .finally(() => {
        this.#flushes.delete(flush);
        for (const writing of ended) writing.flushed?.();
      });
    this.#flushes.add(flush);
  }

  #refresh(): void {
    if (this.#writing.size === 0) return;
    const pipeline = this.#redis.pipeline();
    for (const streamId of this.#writing.keys())
      pipeline.pexpire(keyOf(streamId), this.#retentionMs);
    pipeline.exec().catch(() => undefined);
  }
}
