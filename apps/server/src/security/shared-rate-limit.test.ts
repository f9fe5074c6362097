import { afterEach, describe, expect, it } from 'vitest';
import { healthOf, redisInstances, startChat } from '../test-support/instances.ts';
import { killStartedServers } from '../test-support/process.ts';
import { redisPerFile } from '../test-support/redis.ts';

const redis = redisPerFile();

afterEach(killStartedServers);

/** Starts one short stream and reads it whole; the status says whether the limit let it. */
async function start(url: string): Promise<number> {
  const response = await startChat(url, { prompt: 'hi', model: 'echo', resumable: false });
  await response.text();
  return response.status;
}

describe('the stream start limit with STREAM_STORE=redis', { timeout: 60_000 }, () => {
  it('is shared by the instances, and falls back to each one’s own count when Redis dies', async () => {
    const [a, b] = await redisInstances(redis().url, 2, {
      RATE_LIMIT_MAX: '3',
      RATE_LIMIT_WINDOW_MS: '600000',
      MOCK_DELAY_MS: '0',
    });
    if (!a || !b) throw new Error('two instances');
    expect([await start(a.url), await start(a.url), await start(b.url)]).toEqual([200, 200, 200]);
    // The fourth start of this address, on either instance, is over the shared limit.
    expect(await start(b.url)).toBe(429);
    expect(await start(a.url)).toBe(429);

    await redis().kill();
    await expect.poll(async () => (await healthOf(a.url)).body.store.reachable).toBe(false);
    // Each counted its own attempts all along: A has seen three, B two.
    expect(await start(a.url)).toBe(429);
    expect([await start(b.url), await start(b.url)]).toEqual([200, 429]);
    const health = await healthOf(a.url);
    expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
    const fallback = /counting stream starts on this instance alone/g;
    expect(a.output().match(fallback)).toHaveLength(1);
    await redis().restart();
  });
});
