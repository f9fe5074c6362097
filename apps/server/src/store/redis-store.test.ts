import type { StreamEvent, TerminalEvent } from '@gpt-stream/protocol';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../test-support/redis.ts';
import { EventLog } from './event-log.ts';
import { RedisStore } from './redis-store.ts';
import type { EventBatches, StoredEvent } from './stream-store.ts';

let redis: TestRedis;
let client: Redis;
const stores: RedisStore[] = [];
let nextId = 0;

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
});

afterAll(async () => {
  await client?.quit();
  await redis?.stop();
});

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

/** One store per server instance, all on the same Redis. */
async function instance(retentionMs = 60_000, leaseMs = 3000): Promise<RedisStore> {
  const store = await RedisStore.connect({ url: redis.url, retentionMs, leaseMs });
  stores.push(store);
  return store;
}

const DONE: TerminalEvent = {
  type: 'done',
  data: { finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 2 } },
};

function newLog(): EventLog {
  return new EventLog(`stream-${process.pid}-${nextId++}`, 'echo');
}

function eventsOf(log: EventLog): StoredEvent[] {
  return Array.from({ length: log.length }, (_, seq) => ({ seq, event: log.eventAt(seq) }));
}

async function collect(batches: EventBatches | undefined): Promise<StoredEvent[] | undefined> {
  if (!batches) return undefined;
  const events: StoredEvent[] = [];
  for await (const batch of batches) events.push(...batch);
  return events;
}

const never = new AbortController().signal;

describe('RedisStore', () => {
  it('replays on one instance, exactly, a stream another instance wrote', async () => {
    const [writer, reader] = [await instance(), await instance()];
    const log = newLog();
    writer.add(log);
    for (const text of ['\uFEFF  a\r\n', 'b\rc', '你好 👩‍👩‍👧', 'data: x\n\nevent: done\n']) {
      log.pushText(text);
      writer.appended(log);
    }
    log.end(DONE);
    await writer.ended(log);

    expect(await collect(await reader.read(log.streamId, -1, never))).toEqual(eventsOf(log));
    expect(await collect(await reader.read(log.streamId, 2, never))).toEqual(
      eventsOf(log).slice(3),
    );
    expect(await collect(await reader.read(log.streamId, 5, never))).toEqual(
      eventsOf(log).slice(5),
    );
    expect(await collect(await reader.read(log.streamId, 50, never))).toEqual(
      eventsOf(log).slice(5),
    );
  });

  it('writes a turn of many streams, across several script calls, each exactly', async () => {
    const [writer, reader] = [await instance(), await instance()];
    const logs = Array.from({ length: 600 }, newLog);
    for (const log of logs) writer.add(log);
    await expect.poll(() => client.xlen(`gpt-stream:stream:${logs[599]?.streamId}`)).toBe(1);
    // One stream lost from Redis meanwhile: it is written back whole, the others go on.
    const [lost] = logs;
    await client.del(`gpt-stream:stream:${lost?.streamId}`);
    for (const [index, log] of logs.entries()) {
      log.pushText(`first of ${index}`);
      log.pushText('second');
      writer.appended(log);
      log.end(DONE);
    }
    await Promise.all(logs.map((log) => writer.ended(log)));
    for (const log of logs) {
      expect(await collect(await reader.read(log.streamId, -1, never))).toEqual(eventsOf(log));
    }
  });

  it('follows a stream that is still being written elsewhere, to its end', async () => {
    const [writer, reader] = [await instance(), await instance()];
    const log = newLog();
    writer.add(log);
    log.pushText('one ');
    writer.appended(log);
    await expect.poll(() => client.xlen(`gpt-stream:stream:${log.streamId}`)).toBe(2);

    const following = collect(await reader.read(log.streamId, 0, never));
    for (const text of ['two ', 'three ']) {
      log.pushText(text);
      writer.appended(log);
      await expect.poll(() => client.xlen(`gpt-stream:stream:${log.streamId}`)).toBe(log.length);
    }
    log.end(DONE);
    await writer.ended(log);
    expect(await following).toEqual(eventsOf(log).slice(1));
  });

  it('lets a follower go when its reader leaves', async () => {
    const [writer, reader] = [await instance(), await instance()];
    const log = newLog();
    writer.add(log);
    await expect.poll(() => client.exists(`gpt-stream:stream:${log.streamId}`)).toBe(1);
    const clients = async () =>
      Number((await client.info('clients')).match(/connected_clients:(\d+)/)?.[1]);
    const before = await clients();
    const leave = new AbortController();
    const batches = (await reader.read(log.streamId, 0, leave.signal)) as AsyncIterable<unknown>;
    const following = (async () => {
      for await (const _ of batches);
    })();
    // Following holds a connection of its own while it waits for the next event.
    await expect.poll(clients).toBe(before + 1);
    leave.abort();
    await expect(following).rejects.toThrow();
    await expect.poll(clients).toBe(before);
  });

  it('does not know a stream nobody wrote', async () => {
    const store = await instance();
    expect(await store.read('never-written', -1, never)).toBeUndefined();
    expect(await store.requestStop('never-written')).toBe(false);
  });

  it('forgets a finished stream after the retention time', async () => {
    const store = await instance(300);
    const log = newLog();
    store.add(log);
    log.end(DONE);
    await store.ended(log);
    expect(await store.read(log.streamId, -1, never)).toBeDefined();
    await expect.poll(() => store.read(log.streamId, -1, never), { timeout: 5000 }).toBeUndefined();
  });

  it('keeps a running stream alive past the retention time while its writer lives', async () => {
    const store = await instance(300);
    const log = newLog();
    store.add(log);
    const key = `gpt-stream:stream:${log.streamId}`;
    await expect.poll(() => client.exists(key)).toBe(1);
    // Several retention times with no new event: the writer keeps refreshing it.
    const until = Date.now() + 1000;
    while (Date.now() < until) {
      expect(await client.exists(key)).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  it('ends a follower with instance_lost when the writer gave its lease up mid-stream', async () => {
    const writer = await instance(60_000, 1000);
    const reader = await instance(60_000, 1000);
    const log = newLog();
    writer.add(log);
    log.pushText('partial');
    writer.appended(log);
    await expect.poll(() => client.xlen(`gpt-stream:stream:${log.streamId}`)).toBe(2);
    const following = collect(await reader.read(log.streamId, -1, never));
    // The writer's process is gone: nobody renews its lease any more.
    await writer.close();
    const events = (await following) as StoredEvent[];
    expect(events.map(({ event }) => event.type)).toEqual(['start', 'delta', 'error']);
    expect(events.at(-1)?.event.data).toMatchObject({ code: 'instance_lost', retryable: true });
    // Written to the stream in Redis: a later reader gets the same one terminal event.
    expect(await collect(await reader.read(log.streamId, -1, never))).toEqual(events);
  });

  it('keeps one terminal event when a writer whose lease ran out comes back', async () => {
    // The writer renews every 20 s, the reader checks every third of a second.
    const [writer, reader] = [await instance(60_000, 60_000), await instance(60_000, 1000)];
    const told: [string, string][] = [];
    writer.onStopRequest((streamId, cause) => told.push([streamId, cause]));
    const log = newLog();
    writer.add(log);
    log.pushText('before the stall');
    writer.appended(log);
    const key = `gpt-stream:stream:${log.streamId}`;
    await expect.poll(() => client.xlen(key)).toBe(2);
    const following = collect(await reader.read(log.streamId, 0, never));
    // The writer stalls past its lease (a long pause, a network cut): its key runs out.
    expect(await client.del(...(await client.keys('gpt-stream:instance:*')))).toBeGreaterThan(0);
    const events = (await following) as StoredEvent[];
    expect(events.map(({ event }) => event.type)).toEqual(['delta', 'error']);

    // Back, it writes on: Redis refuses, and the writer is told to end the stream as lost.
    log.pushText('after the stall');
    writer.appended(log);
    await expect.poll(() => told).toEqual([[log.streamId, 'instance_lost']]);
    const stored = (await collect(await reader.read(log.streamId, -1, never))) as StoredEvent[];
    expect(stored.map(({ event }) => event.type)).toEqual(['start', 'delta', 'error']);
  });

  it('carries a stop request to the instance that runs the stream', async () => {
    const [runner, other] = [await instance(), await instance()];
    const stopped: string[] = [];
    runner.onStopRequest((streamId, cause) => stopped.push(`${streamId} ${cause}`));
    const log = newLog();
    runner.add(log);
    await expect.poll(() => client.exists(`gpt-stream:stream:${log.streamId}`)).toBe(1);

    expect(await other.requestStop(log.streamId)).toBe(true);
    await expect.poll(() => stopped).toEqual([`${log.streamId} stop`]);
  });

  it('answers a stop of a finished stream without asking anyone', async () => {
    const [runner, other] = [await instance(), await instance()];
    const stopped: string[] = [];
    runner.onStopRequest((streamId) => stopped.push(streamId));
    const log = newLog();
    runner.add(log);
    const error: StreamEvent = {
      type: 'error',
      data: { code: 'server_shutdown', message: 'Restarting.', retryable: true },
    };
    log.end(error as TerminalEvent);
    await runner.ended(log);
    expect(await other.requestStop(log.streamId)).toBe(true);
    expect((await collect(await other.read(log.streamId, 0, never)))?.at(-1)?.event).toEqual(error);
    expect(stopped).toEqual([]);
  });

  it('says which Redis it could not reach', async () => {
    const closed = new URL(redis.url);
    closed.port = '1';
    await expect(
      RedisStore.connect({ url: closed.href, retentionMs: 1000, leaseMs: 3000 }),
    ).rejects.toThrow('Could not reach Redis at 127.0.0.1:1');
  });
});
