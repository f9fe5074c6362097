import { once } from 'node:events';
import {
  API_PATHS,
  chatStreamPath,
  HealthSchema,
  LAST_EVENT_ID_HEADER,
} from '@gpt-stream/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { followWithEventSource } from '../test-support/event-source.ts';
import { killStartedServers, listening, runServer } from '../test-support/process.ts';
import { startRedis, type TestRedis } from '../test-support/redis.ts';
import {
  ADVERSARIAL_TEXT,
  readStream,
  readUntilCut,
  sequencesOf,
  streamIdOf,
  textOf,
} from '../test-support/server.ts';

const ADVERSARIAL = ADVERSARIAL_TEXT.repeat(2);

let redis: TestRedis;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis?.stop();
});

afterEach(killStartedServers);

/** Two server processes sharing one Redis, as behind a load balancer without sticky sessions. */
async function twoInstances(env: Record<string, string> = {}): Promise<[string, string]> {
  const settings = { STREAM_STORE: 'redis', REDIS_URL: redis.url, MOCK_DELAY_MS: '10', ...env };
  const [a, b] = [runServer(settings), runServer(settings)];
  return [await listening(a), await listening(b)];
}

async function activeStreams(url: string): Promise<number> {
  const response = await fetch(`${url}${API_PATHS.health}`);
  return HealthSchema.parse(await response.json()).activeStreams;
}

describe('a stream resumed on another instance through Redis', { timeout: 30_000 }, () => {
  it.each(['POST with Last-Event-ID', 'GET ?after='])(
    'continues by %s with exactly the original text',
    async (how) => {
      const [a, b] = await twoInstances();
      const cut = await readUntilCut(`${a}${API_PATHS.chat}`, {
        body: { prompt: ADVERSARIAL, model: 'echo' },
        events: 8,
      });
      const response =
        how === 'GET ?after='
          ? await fetch(`${b}${chatStreamPath(streamIdOf(cut), cut.lastId)}`)
          : await fetch(`${b}${API_PATHS.chat}`, {
              method: 'POST',
              headers: { 'Content-Type': 'application/json', [LAST_EVENT_ID_HEADER]: cut.lastId },
              body: JSON.stringify({ prompt: ADVERSARIAL, model: 'echo' }),
            });
      const rest = await readStream(response);

      expect(textOf(cut) + textOf(rest)).toBe(ADVERSARIAL);
      const ids = [...sequencesOf(cut), ...sequencesOf(rest)];
      expect(ids).toEqual(ids.map((_, index) => index));
      expect(rest.events.at(-1)?.event.type).toBe('done');
      // B only read; the one generation ran on A.
      expect(await activeStreams(b)).toBe(0);
    },
  );

  it('serves a standard EventSource on B the rest of a stream from A once, then a 204', async () => {
    const [a, b] = await twoInstances();
    const cut = await readUntilCut(`${a}${API_PATHS.chat}`, {
      body: { prompt: ADVERSARIAL, model: 'echo' },
      events: 8,
    });
    const run = await followWithEventSource(`${b}${chatStreamPath(streamIdOf(cut), cut.lastId)}`);

    expect(textOf(cut) + textOf(run)).toBe(ADVERSARIAL);
    const ids = [...sequencesOf(cut), ...sequencesOf(run)];
    expect(ids).toEqual(ids.map((_, index) => index));
    expect(run.requests.map(({ status }) => status)).toEqual([200, 204]);
    expect(run.requests[1]?.lastEventId).toBe(run.events.at(-1)?.id);
  });

  it('stops on A when B is asked to stop it, and both readers learn it was stopped', async () => {
    const [a, b] = await twoInstances({ MOCK_DELAY_MS: '50' });
    const onA = await fetch(`${a}${API_PATHS.chat}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ prompt: 'Tell me a long story' }),
    });
    const cut = await readUntilCut(`${a}${API_PATHS.chat}`, {
      body: { prompt: 'Tell me another long story' },
      events: 2,
    });
    const streamId = streamIdOf(cut);
    const onB = readStream(await fetch(`${b}${chatStreamPath(streamId, cut.lastId)}`));
    expect(await activeStreams(a)).toBe(2);

    const stop = await fetch(`${b}${chatStreamPath(streamId)}`, { method: 'DELETE' });
    expect(stop.status).toBe(204);
    await expect.poll(() => activeStreams(a), { timeout: 5000 }).toBe(1);
    expect((await onB).events.at(-1)?.event).toMatchObject({
      type: 'error',
      data: { code: 'stream_stopped', retryable: false },
    });
    // The other stream on A goes on.
    expect(await activeStreams(a)).toBe(1);
    await onA.body?.cancel();
  });

  it('shows the shutdown of A to a resume on B, and starts nothing new', async () => {
    const settings = { STREAM_STORE: 'redis', REDIS_URL: redis.url, MOCK_DELAY_MS: '50' };
    const a = runServer(settings);
    const [aUrl, bUrl] = [await listening(a), await listening(runServer(settings))];
    const reading = readStream(
      await fetch(`${aUrl}${API_PATHS.chat}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ prompt: 'Tell me a long story' }),
      }),
    );
    await expect.poll(() => activeStreams(aUrl)).toBe(1);
    a.child.kill('SIGTERM');
    const onA = await reading;
    const [code] = await once(a.child, 'exit');
    expect(code).toBe(0);
    const shutdown = {
      type: 'error',
      data: { code: 'server_shutdown', message: expect.any(String), retryable: true },
    };
    expect(onA.events.at(-1)?.event).toEqual(shutdown);

    // The page retries with the last id it had before the terminal event.
    const beforeEnd = onA.events.at(-2)?.id as string;
    const retried = await readStream(
      await fetch(`${bUrl}${API_PATHS.chat}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [LAST_EVENT_ID_HEADER]: beforeEnd },
        body: JSON.stringify({ prompt: 'Tell me a long story' }),
      }),
    );
    expect(retried.events).toEqual([onA.events.at(-1)]);
    expect(await activeStreams(bUrl)).toBe(0);
  });

  it('answers an unknown stream with stream_not_found on any instance', async () => {
    const [, b] = await twoInstances();
    const { events } = await readStream(await fetch(`${b}${chatStreamPath('unknown-stream')}`));
    expect(events.map(({ event }) => event)).toEqual([
      {
        type: 'error',
        data: { code: 'stream_not_found', message: expect.any(String), retryable: false },
      },
    ]);
  });

  it('refuses to start when Redis is out of reach, saying where it looked', async () => {
    const running = runServer({ STREAM_STORE: 'redis', REDIS_URL: 'redis://127.0.0.1:1' });
    const [code] = await once(running.child, 'exit');
    expect(code).toBe(1);
    expect(running.output()).toContain('Could not reach Redis at 127.0.0.1:1');
    expect(running.output()).not.toMatch(/\n\s+at /);
  });
});
