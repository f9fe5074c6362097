import { once } from 'node:events';
import {
  chatStreamPath,
  formatEventId,
  LAST_EVENT_ID_HEADER,
  type StreamEvent,
} from '@gpt-stream/protocol';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { redisInstances, startChat } from '../test-support/instances.ts';
import { killStartedServers } from '../test-support/process.ts';
import { redisPerFile } from '../test-support/redis.ts';
import { readTimed, type TimedEvent, type TimedStream } from '../test-support/timed-stream.ts';
import { INSTANCE_LOST_SEQ } from './stream-store.ts';

const redis = redisPerFile();
let client: Redis;

beforeAll(() => {
  client = new Redis(redis().url);
});

afterAll(async () => {
  await client?.quit();
});

beforeEach(async () => {
  // The leases of the instances an earlier test killed would outlive it by up to their lease.
  await client.flushall();
});

afterEach(killStartedServers);

const LOST = {
  type: 'error',
  data: { code: 'instance_lost', message: expect.any(String), retryable: true },
};

function streamIdOf(stream: TimedStream): string {
  const start = stream.events[0]?.event;
  if (start?.type !== 'start') throw new Error('the stream did not begin with start');
  return start.data.streamId;
}

/** The last event's id, to resume after it. */
function lastIdOf(stream: TimedStream): string {
  return formatEventId(streamIdOf(stream), stream.events.at(-1)?.seq ?? -1);
}

/** A GET as a standard EventSource reconnects: with the last id it has in the header. */
function reconnect(url: string, lastId: string): Promise<Response> {
  const streamId = lastId.slice(0, lastId.lastIndexOf(':'));
  return fetch(`${url}${chatStreamPath(streamId)}`, {
    headers: { [LAST_EVENT_ID_HEADER]: lastId },
  });
}

function terminalsOf(events: readonly TimedEvent[]): StreamEvent[] {
  return events.map(({ event }) => event).filter(({ type }) => type === 'done' || type === 'error');
}

describe('an instance killed while it generates', { timeout: 60_000 }, () => {
  it('ends its streams for every reader elsewhere with instance_lost within 5 s', async () => {
    const [a, b] = await redisInstances(redis().url, 2, { MOCK_DELAY_MS: '50' });
    if (!a || !b) throw new Error('two instances');
    const followed = readTimed(await startChat(a.url, { prompt: 'Tell me a long story' }));
    const unread = readTimed(await startChat(a.url, { prompt: 'Tell me another story' }));
    await expect.poll(() => followed.events.length).toBeGreaterThan(3);
    await expect.poll(() => unread.events.length).toBeGreaterThan(3);
    const streamId = streamIdOf(followed);
    // Two followers on B, one by each resume route, waiting for the live events.
    const byGet = readTimed(await fetch(`${b.url}${chatStreamPath(streamId)}`));
    const lastId = `${streamId}:${followed.events.length - 1}`;
    const byPost = readTimed(
      await startChat(
        b.url,
        { prompt: 'Tell me a long story' },
        { [LAST_EVENT_ID_HEADER]: lastId },
      ),
    );
    await expect.poll(() => byGet.events.length).toBeGreaterThan(followed.events.length - 1);

    a.child.kill('SIGKILL');
    const killedAt = performance.now();
    const [get, post] = await Promise.all([byGet.done, byPost.done]);
    for (const events of [get, post]) {
      expect(events.at(-1)?.event).toEqual(LOST);
      expect((events.at(-1)?.at as number) - killedAt).toBeLessThan(5000);
      expect(terminalsOf(events)).toHaveLength(1);
    }

    // Nobody followed the other stream: a resume now learns the same, as quickly.
    const resumedAt = performance.now();
    const late = await readTimed(await fetch(`${b.url}${chatStreamPath(streamIdOf(unread))}`)).done;
    expect(late.at(-1)?.event).toEqual(LOST);
    expect(performance.now() - resumedAt).toBeLessThan(5000);

    // In Redis, for every later reader: the stream as it was, then one terminal event, numbered
    // past anything the lost instance could have sent.
    const again = await readTimed(await fetch(`${b.url}${chatStreamPath(streamId)}`)).done;
    expect(again.map(({ seq }) => seq)).toEqual([
      ...again.slice(0, -1).map((_, index) => index),
      INSTANCE_LOST_SEQ,
    ]);
    expect(terminalsOf(again)).toEqual([LOST]);
    expect(again.slice(0, -1).map(({ event }) => event)).toEqual(
      get.slice(0, -1).map(({ event }) => event),
    );
    const types = (await client.xrange(`gpt-stream:stream:${streamId}`, '-', '+')).map(
      ([, fields]) => fields[1],
    );
    expect(types.filter((type) => type === 'error' || type === 'done')).toEqual(['error']);
  });

  it('answers a stop of a stream whose instance is gone by ending it as lost', async () => {
    const [a, b] = await redisInstances(redis().url, 2, { MOCK_DELAY_MS: '50' });
    if (!a || !b) throw new Error('two instances');
    const onA = readTimed(await startChat(a.url, { prompt: 'Tell me a long story' }));
    await expect.poll(() => onA.events.length).toBeGreaterThan(2);
    const leases = () => client.keys('gpt-stream:instance:*');
    expect(await leases()).toHaveLength(2);
    a.child.kill('SIGKILL');
    await onA.done;
    // No reader follows it: only the stop can find out, once A's lease has run out.
    await expect.poll(leases, { timeout: 5000 }).toHaveLength(1);
    const streamId = streamIdOf(onA);
    const stop = await fetch(`${b.url}${chatStreamPath(streamId)}`, { method: 'DELETE' });
    expect(stop.status).toBe(204);
    const [[, fields] = ['', []]] = await client.xrevrange(
      `gpt-stream:stream:${streamId}`,
      '+',
      '-',
      'COUNT',
      1,
    );
    expect(JSON.parse(fields[3] ?? '')).toMatchObject({ code: 'instance_lost', retryable: true });
  });

  it('tells a reader that had events Redis never got, when it resumes elsewhere', async () => {
    const [a, b] = await redisInstances(redis().url, 2, { MOCK_DELAY_MS: '20' });
    if (!a || !b) throw new Error('two instances');
    const reader = readTimed(await startChat(a.url, { prompt: 'Tell me a long story' }));
    await expect.poll(() => reader.events.length).toBeGreaterThan(3);
    const streamId = streamIdOf(reader);
    // Redis holds A's writes from here on, and drops them when A's connection goes: A sends
    // its reader events that Redis never stores, as when it dies between the two.
    await client.call('CLIENT', 'PAUSE', '20000', 'WRITE');
    let killedAt: number;
    try {
      const heldFrom = reader.events.length;
      await expect.poll(() => reader.events.length).toBeGreaterThan(heldFrom + 5);
      const exited = once(a.child, 'exit');
      a.child.kill('SIGKILL');
      killedAt = performance.now();
      await exited;
      await reader.done;
    } finally {
      await client.call('CLIENT', 'UNPAUSE');
    }
    const lastId = lastIdOf(reader);
    const had = reader.events.at(-1)?.seq ?? -1;
    const stored = await client.xrange(`gpt-stream:stream:${streamId}`, '-', '+');
    expect(stored.length - 1, 'the last event Redis holds').toBeLessThan(had);

    // Each way of resuming after the last id the reader has: EventSource's, the page's, a POST's.
    const resumes = await Promise.all([
      reconnect(b.url, lastId),
      fetch(`${b.url}${chatStreamPath(streamId, lastId)}`),
      startChat(b.url, { prompt: 'Tell me a long story' }, { [LAST_EVENT_ID_HEADER]: lastId }),
    ]);
    for (const events of await Promise.all(resumes.map((response) => readTimed(response).done))) {
      expect(events.map(({ event }) => event)).toEqual([LOST]);
      expect(events[0]?.seq).toBe(INSTANCE_LOST_SEQ);
      expect((events[0]?.at as number) - killedAt).toBeLessThan(5000);
    }
    // Which it then has: a standard EventSource reconnecting with it is told to stop.
    const after = await reconnect(b.url, formatEventId(streamId, INSTANCE_LOST_SEQ));
    expect(after.status).toBe(204);
  });

  it('ends the stream for the stalled owner’s own readers with the same one loss event', async () => {
    const [a, b] = await redisInstances(redis().url, 2, {
      MOCK_DELAY_MS: '20',
      INSTANCE_LEASE_MS: '1000',
    });
    if (!a || !b || a.child.pid === undefined) throw new Error('two instances');
    const onA = readTimed(await startChat(a.url, { prompt: 'Tell me a long story' }));
    await expect.poll(() => onA.events.length).toBeGreaterThan(3);
    const streamId = streamIdOf(onA);
    const onB = readTimed(await fetch(`${b.url}${chatStreamPath(streamId)}`));
    await expect.poll(() => onB.events.length).toBeGreaterThan(3);

    // A stalls past its lease (a long pause, a frozen VM): B ends the stream as lost.
    process.kill(a.child.pid, 'SIGSTOP');
    try {
      const followed = await onB.done;
      expect(followed.at(-1)?.event).toEqual(LOST);
      expect(followed.at(-1)?.seq).toBe(INSTANCE_LOST_SEQ);
    } finally {
      process.kill(a.child.pid, 'SIGCONT');
    }
    // Back, A learns so from Redis and ends its own readers' stream with the same event.
    const own = await onA.done;
    expect(terminalsOf(own)).toEqual([LOST]);
    expect(own.at(-1)?.seq).toBe(INSTANCE_LOST_SEQ);
    for (const url of [a.url, b.url]) {
      expect((await reconnect(url, lastIdOf(onA))).status).toBe(204);
    }
  });
});
