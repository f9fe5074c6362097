import { chatStreamPath, LAST_EVENT_ID_HEADER, type StreamEvent } from '@gpt-stream/protocol';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { redisInstances, startChat } from './test-instances.ts';
import { killStartedServers } from './test-process.ts';
import { redisPerFile } from './test-redis.ts';
import { readTimed, type TimedEvent, type TimedStream } from './test-timed-stream.ts';

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

    // In Redis, for every later reader: the stream as it was, then one terminal event.
    const again = await readTimed(await fetch(`${b.url}${chatStreamPath(streamId)}`)).done;
    expect(again.map(({ seq }) => seq)).toEqual(again.map((_, index) => index));
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
});
