import { chatStreamPath } from '@gpt-stream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type Instance, redisInstances, startChat } from '../test-support/instances.ts';
import { killStartedServers } from '../test-support/process.ts';
import { redisPerFile } from '../test-support/redis.ts';
import { percentile, readTimed, textOfTimed } from '../test-support/timed-stream.ts';

const redis = redisPerFile();

afterEach(killStartedServers);

/** Starts a stream on `a` and follows it from its start on `b`, both read with arrival times. */
async function followElsewhere([a, b]: Instance[], body: unknown) {
  const onA = readTimed(await startChat((a as Instance).url, body));
  await expect.poll(() => onA.events.length).toBeGreaterThan(0);
  const start = onA.events[0]?.event;
  if (start?.type !== 'start') throw new Error('the stream did not begin with start');
  const onB = readTimed(
    await fetch(`${(b as Instance).url}${chatStreamPath(start.data.streamId)}`),
  );
  return { onA, onB };
}

describe('a stream followed on another instance through Redis', { timeout: 60_000 }, () => {
  it('arrives there event by event, each within 100 ms (p99) of the generating instance', async () => {
    const instances = await redisInstances(redis().url, 2, { MOCK_DELAY_MS: '20' });
    const { onA, onB } = await followElsewhere(instances, {
      prompt: 'Tell me a long story about a lighthouse',
      maxTokens: 150,
    });
    const [eventsA, eventsB] = await Promise.all([onA.done, onB.done]);

    expect(textOfTimed(eventsB)).toBe(textOfTimed(eventsA));
    expect(eventsB.map(({ seq }) => seq)).toEqual(eventsA.map(({ seq }) => seq));
    expect(eventsB.at(-1)?.event.type).toBe('done');

    // Events A generated before B had replayed the stream's beginning were not live for B.
    const joined = eventsB[0]?.at ?? Number.POSITIVE_INFINITY;
    const arrivalOnB = new Map(eventsB.map(({ seq, at }) => [seq, at]));
    const live = eventsA.filter(({ at, event }) => event.type === 'delta' && at > joined);
    expect(live.length).toBeGreaterThan(100);
    const delays = live.map(({ seq, at }) => (arrivalOnB.get(seq) as number) - at);
    expect(percentile(delays, 0.99)).toBeLessThan(100);

    // Spread over the generation, not all at its end.
    const first = live[0] as (typeof live)[number];
    const last = live.at(-1) as (typeof live)[number];
    const spanOnA = last.at - first.at;
    const spanOnB = (arrivalOnB.get(last.seq) as number) - (arrivalOnB.get(first.seq) as number);
    expect(spanOnA).toBeGreaterThan(1500);
    expect(spanOnB).toBeGreaterThan(0.8 * spanOnA);
  });

  it('stops on the generating instance when the follower’s instance is asked to stop it', async () => {
    const instances = await redisInstances(redis().url, 2, { MOCK_DELAY_MS: '50' });
    const { onA, onB } = await followElsewhere(instances, { prompt: 'Tell me a long story' });
    await expect.poll(() => onB.events.length).toBeGreaterThan(3);
    const start = onA.events[0]?.event;
    if (start?.type !== 'start') throw new Error('no start');
    const stop = await fetch(`${instances[1]?.url}${chatStreamPath(start.data.streamId)}`, {
      method: 'DELETE',
    });
    expect(stop.status).toBe(204);
    const [eventsA, eventsB] = await Promise.all([onA.done, onB.done]);
    const stopped = { type: 'error', data: { code: 'stream_stopped', retryable: false } };
    expect(eventsA.at(-1)?.event).toMatchObject(stopped);
    expect(eventsB.at(-1)?.event).toMatchObject(stopped);
    expect(textOfTimed(eventsB)).toBe(textOfTimed(eventsA));
  });
});
