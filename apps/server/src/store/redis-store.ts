import { decodeStreamEvent, isTerminalEvent, type StoreState } from '@gpt-stream/protocol';
import { Redis, type Result } from 'ioredis';
import type { RedisReply } from 'rate-limit-redis';
import { type Logger, silentLogger } from '../observability/logger.ts';
import type { EventLog } from './event-log.ts';
import { InstanceLease, leaseKeyOf } from './instance-lease.ts';
import { CLIENT_OPTIONS, checkRedis } from './redis-connection.ts';
import { APPEND_EVENTS, END_IF_OWNER_LOST } from './redis-scripts.ts';
import { endsStream, REPLAY_BATCH_EVENTS } from './replay.ts';
import {
  type EventBatches,
  INSTANCE_LOST,
  type StopCause,
  type StoredEvent,
  type StreamStore,
} from './stream-store.ts';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    appendEvents(stream: string, lease: string, ...args: string[]): Result<number, Context>;
    endIfOwnerLost(stream: string, lease: string, ...args: string[]): Result<number, Context>;
  }
}

const KEY_PREFIX = 'gpt-stream:stream:';
/** Every instance listens here; a message is the id of a stream to stop wherever it runs. */
const STOP_CHANNEL = 'gpt-stream:stop';
const INSTANCE_LOST_DATA = JSON.stringify(INSTANCE_LOST);

export interface RedisStoreOptions {
  url: string;
  retentionMs: number;
  /** How long this instance's lease lives without renewal (see InstanceLease). */
  leaseMs: number;
  /** Where connection and write failures go; they are retried, not thrown. */
  logger?: Logger;
}

interface Writing {
  log: EventLog;
  /** Events before this sequence number have been sent to Redis. */
  sent: number;
  dirty: boolean;
  /** Counts the times the stream was written back whole; replies to older writes are stale. */
  epoch: number;
  /** When the terminal event was first sent, ms since the epoch. */
  endedAt?: number;
  flushed?: (() => void) | undefined;
}

/** One write of a flush, to match its reply. */
interface Sent {
  writing: Writing;
  epoch: number;
  upTo: number;
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
 * is a Redis Stream whose entry ids are the event sequence numbers, written as the events come:
 * once per turn of the event loop, one pipeline for every stream that grew, one APPEND_EVENTS
 * script call per stream. XRANGE replays after a position, XREAD BLOCK follows a generation
 * running elsewhere, PEXPIRE keeps a stream for the retention time. Stop requests travel on a
 * pub/sub channel.
 *
 * Ownership: the `start` entry names the instance that generates the stream, and that instance
 * holds a lease (InstanceLease). A follower that waits `lease / 3` without news checks the lease;
 * once it has run out, the follower ends the stream with `instance_lost` in Redis, atomically and
 * only if it has no terminal event yet, so every reader, then and later, gets that one event.
 *
 * Redis losing data (FLUSHALL, a restart without persistence, writes that failed while it was
 * down) is found by the append script, which checks that the stream ends right before what it
 * appends, by the lease renewal, and on each reconnection: the stream is then written back whole.
 */
export class RedisStore implements StreamStore {
  readonly #redis: Redis;
  readonly #subscriber: Redis;
  readonly #retentionMs: number;
  readonly #lease: InstanceLease;
  readonly #writing = new Map<string, Writing>();
  readonly #dirty: Writing[] = [];
  readonly #refresher: NodeJS.Timeout;
  #flushScheduled = false;
  #flushes = new Set<Promise<void>>();
  #failing = false;
  #stop: (streamId: string, cause: StopCause) => void = () => undefined;
  readonly #logger: Logger;

  private constructor(
    redis: Redis,
    subscriber: Redis,
    { retentionMs, leaseMs, logger }: Required<Omit<RedisStoreOptions, 'url'>>,
  ) {
    this.#logger = logger;
    this.#redis = redis;
    this.#subscriber = subscriber;
    this.#retentionMs = retentionMs;
    redis.defineCommand('appendEvents', { numberOfKeys: 2, lua: APPEND_EVENTS });
    redis.defineCommand('endIfOwnerLost', { numberOfKeys: 2, lua: END_IF_OWNER_LOST });
    this.#lease = new InstanceLease(redis, leaseMs, () => {
      logger.warn('redis: this instance lost its lease; checking its streams');
      this.#checkAll();
    });
    subscriber.on('message', (_channel: string, streamId: string) => this.#stop(streamId, 'stop'));
    // Keeps running streams alive; one that stops being refreshed (its process died) expires.
    this.#refresher = setInterval(() => this.#refresh(), Math.max(retentionMs / 3, 10));
    this.#refresher.unref();
  }

  /** Connects and subscribes; rejects with a one-line message when REDIS_URL cannot work. */
  static async connect({
    url,
    retentionMs,
    leaseMs,
    logger = silentLogger(),
  }: RedisStoreOptions): Promise<RedisStore> {
    await checkRedis(url);
    const redis = new Redis(url, CLIENT_OPTIONS);
    const subscriber = new Redis(url, CLIENT_OPTIONS);
    for (const client of [redis, subscriber]) client.on('error', () => undefined);
    let store: RedisStore;
    try {
      await Promise.all([redis.connect(), subscriber.connect()]);
      await subscriber.subscribe(STOP_CHANNEL);
      store = new RedisStore(redis, subscriber, { retentionMs, leaseMs, logger });
      await store.#lease.take();
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
    // Back after losing the connection: Redis may have restarted empty. (The subscriber
    // subscribes again by itself.)
    redis.on('ready', () => {
      store.#lease.renew();
      store.#checkAll();
    });
    return store;
  }

  add(log: EventLog): boolean {
    this.#writing.set(log.streamId, { log, sent: 0, dirty: false, epoch: 0 });
    this.appended(log);
    return true;
  }

  appended(log: EventLog): void {
    const writing = this.#writing.get(log.streamId);
    if (writing) this.#markDirty(writing);
  }

  ended(log: EventLog): Promise<void> {
    const writing = this.#writing.get(log.streamId);
    if (!writing) return Promise.resolve();
    writing.endedAt ??= Date.now();
    this.#markDirty(writing);
    return new Promise((resolve) => {
      writing.flushed = resolve;
    });
  }

  async read(
    streamId: string,
    afterSeq: number,
    signal: AbortSignal,
  ): Promise<EventBatches | undefined> {
    // Out of reach: say so at once rather than queue the reader behind reconnection attempts.
    if (this.#redis.status !== 'ready') throw new Error(`redis is ${this.#redis.status}`);
    const [last] = (await this.#redis.xrevrange(keyOf(streamId), '+', '-', 'COUNT', 1)) as Entry[];
    if (!last) return undefined;
    const lastEvent = decodeEntry(last);
    if (isTerminalEvent(lastEvent.event) && afterSeq >= lastEvent.seq) {
      return [[lastEvent]];
    }
    // A position past the end would wait above the terminal event, and never see it.
    return this.#follow(keyOf(streamId), Math.min(afterSeq, lastEvent.seq), signal);
  }

  async requestStop(streamId: string): Promise<boolean> {
    const key = keyOf(streamId);
    const [last] = (await this.#redis.xrevrange(key, '+', '-', 'COUNT', 1)) as Entry[];
    if (!last) return false;
    if (isTerminalEvent(decodeEntry(last).event)) return true;
    // A stream whose owner is gone has nobody to stop it: it ends as lost instead.
    const owner = await this.#ownerOf(key);
    if (owner === undefined || (await this.#endIfOwnerLost(key, owner)) === 0) {
      await this.#redis.publish(STOP_CHANNEL, streamId);
    }
    return true;
  }

  onStopRequest(stop: (streamId: string, cause: StopCause) => void): void {
    this.#stop = stop;
  }

  state(): StoreState {
    return { kind: 'redis', reachable: this.#redis.status === 'ready' };
  }

  /** A raw command on the store's connection, for the shared rate limit. */
  sendCommand(command: string, ...args: string[]): Promise<RedisReply> {
    return this.#redis.call(command, ...args) as Promise<RedisReply>;
  }

  async close(): Promise<void> {
    clearInterval(this.#refresher);
    if (this.#flushScheduled) this.#flush();
    await Promise.all(this.#flushes);
    const clients = [this.#redis, this.#subscriber];
    if (this.#redis.status !== 'ready') {
      this.#lease.release().catch(() => undefined);
      for (const client of clients) client.disconnect();
      return;
    }
    await this.#lease.release().catch(() => undefined);
    await Promise.allSettled(clients.map((client) => client.quit()));
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
    const owner = await this.#ownerOf(key);
    // Still being generated elsewhere. A blocking read holds its connection, so it gets its own.
    const follower = this.#redis.duplicate();
    follower.on('error', () => undefined);
    const disconnect = () => follower.disconnect();
    signal.addEventListener('abort', disconnect, { once: true });
    let missing = 0;
    try {
      while (!signal.aborted) {
        const reply = (await follower.xread(
          'COUNT',
          REPLAY_BATCH_EVENTS,
          'BLOCK',
          Math.min(this.#lease.checkEveryMs, this.#retentionMs),
          'STREAMS',
          key,
          entryId(cursor),
        )) as [string, Entry[]][] | null;
        const entries = reply?.[0]?.[1] ?? [];
        if (entries.length === 0) {
          const found =
            owner === undefined
              ? (await this.#redis.exists(key)) === 1
              : (await this.#endIfOwnerLost(key, owner)) !== -1;
          // Gone twice in a row: it expired. Once may be Redis emptied a moment ago, before the
          // owner noticed and wrote the stream back.
          missing = found ? 0 : missing + 1;
          if (missing >= 2) return;
          continue;
        }
        missing = 0;
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

  /** The instance that generates the stream, as its `start` entry says. */
  async #ownerOf(key: string): Promise<string | undefined> {
    const [start] = (await this.#redis.xrange(key, entryId(0), entryId(0))) as Entry[];
    const fields = start?.[1] ?? [];
    for (let field = 0; field + 1 < fields.length; field += 2) {
      if (fields[field] === 'o') return fields[field + 1];
    }
    return undefined;
  }

  #endIfOwnerLost(key: string, owner: string): Promise<number> {
    return this.#redis.endIfOwnerLost(
      key,
      leaseKeyOf(owner),
      INSTANCE_LOST_DATA,
      String(this.#retentionMs),
    );
  }

  #markDirty(writing: Writing): void {
    if (writing.dirty) return;
    writing.dirty = true;
    this.#dirty.push(writing);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => this.#flush());
  }

  /** Has every stream checked against Redis (an append of nothing) and written back if lost. */
  #checkAll(): void {
    for (const writing of this.#writing.values()) this.#markDirty(writing);
  }

  #flush(): void {
    this.#flushScheduled = false;
    const batch = this.#dirty.splice(0);
    if (batch.length === 0) return;
    const pipeline = this.#redis.pipeline();
    const sent: Sent[] = [];
    const lease = this.#lease;
    for (const writing of batch) {
      writing.dirty = false;
      const { log } = writing;
      const events: string[] = [];
      for (let seq = writing.sent; seq < log.length; seq++) {
        const event = log.eventAt(seq);
        events.push(event.type, JSON.stringify(event.data));
      }
      pipeline.appendEvents(
        keyOf(log.streamId),
        lease.key,
        String(writing.sent),
        String(this.#retentionMs),
        String(lease.ttlMs),
        lease.id,
        ...events,
      );
      sent.push({ writing, epoch: writing.epoch, upTo: log.length });
      writing.sent = log.length;
    }
    const flush = pipeline
      .exec()
      .then(
        (results) => {
          sent.forEach((write, index) => {
            const [error, reply] = results?.[index] ?? [new Error('no reply')];
            this.#written(write, error, reply);
          });
        },
        (error: Error) => {
          for (const write of sent) this.#written(write, error, undefined);
        },
      )
      .finally(() => this.#flushes.delete(flush));
    this.#flushes.add(flush);
  }

  #written({ writing, epoch, upTo }: Sent, error: Error | null, reply: unknown): void {
    const { streamId } = writing.log;
    if (this.#writing.get(streamId) !== writing) return;
    if (error) {
      if (!this.#failing) {
        this.#failing = true;
        this.#logger.error({ err: error }, 'redis: could not store stream events; will retry');
      }
      // Nobody waits on Redis: the stream is written back once it answers again.
      this.#resolveFlushed(writing);
      return;
    }
    if (this.#failing) {
      this.#failing = false;
      this.#logger.info('redis: storing stream events again');
      this.#checkAll();
    }
    if (epoch !== writing.epoch) return;
    if (reply === 0) {
      this.#logger.warn({ streamId }, 'redis lost a stream; writing it back whole');
      writing.epoch++;
      writing.sent = 0;
      this.#markDirty(writing);
    } else if (reply === -1) {
      // Another instance ended it as lost while this one could not renew its lease.
      this.#drop(writing);
      if (!writing.log.terminal) this.#stop(streamId, 'instance_lost');
    } else if (writing.log.terminal && upTo === writing.log.length) {
      this.#drop(writing);
    }
  }

  #drop(writing: Writing): void {
    this.#writing.delete(writing.log.streamId);
    this.#resolveFlushed(writing);
  }

  #resolveFlushed(writing: Writing): void {
    const flushed = writing.flushed;
    writing.flushed = undefined;
    flushed?.();
  }

  #refresh(): void {
    // An ended stream that could not be written back within the retention time would expire now.
    const expired = Date.now() - this.#retentionMs;
    for (const writing of this.#writing.values()) {
      if (writing.endedAt !== undefined && writing.endedAt < expired) this.#drop(writing);
    }
    if (this.#writing.size === 0) return;
    const pipeline = this.#redis.pipeline();
    for (const streamId of this.#writing.keys())
      pipeline.pexpire(keyOf(streamId), this.#retentionMs);
    pipeline.exec().catch(() => undefined);
  }
}
