import { once } from 'node:events';
import { chatStreamPath, type StreamEvent } from '@gpt-stream/protocol';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { healthOf, type Instance, redisInstances, startChat } from '../test-support/instances.ts';
import { killStartedServers, runServer } from '../test-support/process.ts';
import { startRedis, type TestRedis, type TestRedisOptions } from '../test-support/redis.ts';
import { ADVERSARIAL_TEXT } from '../test-support/server.ts';
import { readTimed, type TimedStream, textOfTimed } from '../test-support/timed-stream.ts';

/** Echoed back in some 200 pieces, 20 ms apart: a stream of a few seconds, exact to the byte. */
const TEXT = ADVERSARIAL_TEXT.repeat(5);

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  killStartedServers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function redisOfTest(options: TestRedisOptions = {}): Promise<TestRedis> {
  const redis = await startRedis(options);
  cleanups.push(() => redis.stop());
  return redis;
}

function clientOf(redis: TestRedis): Redis {
  const client = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
  client.on('error', () => undefined);
  cleanups.push(async () => client.disconnect());
  return client;
}

async function echoOn(instance: Instance): Promise<TimedStream> {
  const stream = readTimed(await startChat(instance.url, { prompt: TEXT, model: 'echo' }));
  await expect.poll(() => stream.events.length).toBeGreaterThan(5);
  return stream;
}

function streamIdOf(stream: TimedStream): string {
  const start = stream.events[0]?.event;
  if (start?.type !== 'start') throw new Error('the stream did not begin with start');
  return start.data.streamId;
}

/** The event types of the stream as Redis holds it, in order, and whether the ids run 0, 1, 2… */
async function storedTypes(client: Redis, streamId: string) {
  const entries = await client.xrange(`gpt-stream:stream:${streamId}`, '-', '+');
  const ids = entries.map(([id]) => id);
  return {
    types: entries.map(([, fields]) => fields[1]),
    contiguous: ids.every((id, index) => id === `0-${index + 1}`),
  };
}

async function exitOf(env: Record<string, string>): Promise<{ code: number; output: string }> {
  const running = runServer({ STREAM_STORE: 'redis', ...env });
  const [code] = await once(running.child, 'exit');
  return { code, output: running.output() };
}

const settings = { MOCK_DELAY_MS: '20' };

describe('REDIS_URL that cannot work', { timeout: 60_000 }, () => {
  it.each([
    ['no password for a Redis that needs one', '', /NOAUTH Authentication required/],
    ['a wrong password', ':wrong@', /refused the credentials of REDIS_URL: WRONGPASS/],
  ])('stops the start with one line naming the cause: %s', async (_name, auth, cause) => {
    const redis = await redisOfTest({ password: 'secret' });
    const { code, output } = await exitOf({ REDIS_URL: redis.url.replace('//', `//${auth}`) });
    expect(code).toBe(1);
    expect(output).toMatch(cause);
    expect(output.trim().split('\n')).toHaveLength(1);
  });

  it('stops the start when the database is not one the server has', async () => {
    const redis = await redisOfTest({ password: 'secret' });
    const url = `${redis.url.replace('//', '//:secret@')}/99`;
    const { code, output } = await exitOf({ REDIS_URL: url });
    expect(code).toBe(1);
    expect(output).toContain('REDIS_URL names database 99');
    expect(output).toContain('it has 16 (0 to 15)');
    expect(output).not.toContain('secret');
    expect(output.trim().split('\n')).toHaveLength(1);
    // The right password and a database it has: the server starts.
    const running = runServer({ STREAM_STORE: 'redis', REDIS_URL: url.replace('/99', '/3') });
    await expect.poll(running.output, { timeout: 15_000 }).toContain('listening');
  });

  it.each([
    ['redis://127.0.0.1:6379/abc', 'REDIS_URL must end in a database number'],
    ['http://127.0.0.1:6379', 'REDIS_URL must start with redis:// or rediss://'],
  ])('refuses %s before connecting', async (url, message) => {
    const { code, output } = await exitOf({ REDIS_URL: url });
    expect(code).toBe(1);
    expect(output).toContain(message);
    expect(output).not.toMatch(/\n\s+at /);
  });
});

describe('Redis failing while streams run', { timeout: 60_000 }, () => {
  it('killed: the stream flows on to its own readers, and a resume elsewhere is told at once', async () => {
    const redis = await redisOfTest();
    const [a, b] = await redisInstances(redis.url, 2, settings);
    if (!a || !b) throw new Error('two instances');
    const onA = await echoOn(a);
    await redis.kill();
    const askedAt = performance.now();
    const resumed = await readTimed(await fetch(`${b.url}${chatStreamPath(streamIdOf(onA))}`)).done;
    expect(resumed.map(({ event }) => event)).toEqual([
      {
        type: 'error',
        data: { code: 'internal_error', message: expect.any(String), retryable: true },
      },
    ]);
    expect(performance.now() - askedAt).toBeLessThan(3000);

    const events = await onA.done;
    expect(textOfTimed(events)).toBe(TEXT);
    expect(events.at(-1)?.event.type).toBe('done');
    // Still up, and saying where its store stands.
    expect(await healthOf(a.url)).toMatchObject({
      status: 200,
      body: { status: 'ok', store: { kind: 'redis', reachable: false } },
    });
  });

  it('restarted empty: the stream is written back whole, and a stop elsewhere still reaches it', async () => {
    const redis = await redisOfTest();
    const client = clientOf(redis);
    const [a, b] = await redisInstances(redis.url, 2, { MOCK_DELAY_MS: '50' });
    if (!a || !b) throw new Error('two instances');
    const onA = await echoOn(a);
    const streamId = streamIdOf(onA);
    await redis.restart();
    await client.connect();
    await expect
      .poll(() => storedTypes(client, streamId), { timeout: 10_000 })
      .toMatchObject({ types: expect.arrayContaining(['start', 'delta']), contiguous: true });
    expect((await storedTypes(client, streamId)).types[0]).toBe('start');

    // B's subscription came back too: the stop reaches A.
    await expect.poll(async () => (await healthOf(b.url)).body.store.reachable).toBe(true);
    const stop = await fetch(`${b.url}${chatStreamPath(streamId)}`, { method: 'DELETE' });
    expect(stop.status).toBe(204);
    const events = await onA.done;
    expect(events.at(-1)?.event).toMatchObject({ type: 'error', data: { code: 'stream_stopped' } });
    // And the stream in Redis is the one A sent, from its start to its one terminal event.
    const again = await readTimed(await fetch(`${b.url}${chatStreamPath(streamId)}`)).done;
    expect(again.map(({ event }) => event)).toEqual(events.map(({ event }) => event));
  });

  it('emptied (FLUSHALL): written back whole, and a follower elsewhere reads on to the end', async () => {
    const redis = await redisOfTest();
    const client = clientOf(redis);
    await client.connect();
    const [a, b] = await redisInstances(redis.url, 2, settings);
    if (!a || !b) throw new Error('two instances');
    const onA = await echoOn(a);
    const streamId = streamIdOf(onA);
    const onB = readTimed(await fetch(`${b.url}${chatStreamPath(streamId)}`));
    await expect.poll(() => onB.events.length).toBeGreaterThan(5);
    await client.flushall();

    const [eventsA, eventsB] = await Promise.all([onA.done, onB.done]);
    expect(textOfTimed(eventsA)).toBe(TEXT);
    expect(eventsB.map(({ event }) => event)).toEqual(eventsA.map(({ event }) => event));
    const stored = await storedTypes(client, streamId);
    expect(stored).toEqual({ types: eventsA.map(({ event }) => event.type), contiguous: true });
  });

  it('slow (DEBUG SLEEP): the stream flows on meanwhile, and Redis gets every event', async () => {
    const redis = await redisOfTest({ debug: true });
    const client = clientOf(redis);
    await client.connect();
    const [a, b] = await redisInstances(redis.url, 2, settings);
    if (!a || !b) throw new Error('two instances');
    const onA = await echoOn(a);
    const sleptAt = performance.now();
    await client.call('DEBUG', 'SLEEP', '1.5');
    const wokeAt = performance.now();
    const events = await onA.done;
    const duringSleep = events.filter(({ at }) => at > sleptAt && at < wokeAt);
    // 1.5 s at a token every 20 ms is some 75 tokens; well over half of them came on time.
    expect(duringSleep.length).toBeGreaterThan(30);
    expect(textOfTimed(events)).toBe(TEXT);

    const resumed = await readTimed(await fetch(`${b.url}${chatStreamPath(streamIdOf(onA))}`)).done;
    const all = (list: typeof events): StreamEvent[] => list.map(({ event }) => event);
    expect(all(resumed)).toEqual(all(events));
    expect(await healthOf(a.url)).toMatchObject({ body: { store: { reachable: true } } });
  });
});
