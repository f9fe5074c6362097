import { once } from 'node:events';
import { API_PATHS, HealthSchema } from '@gpt-stream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  killStartedServers,
  listening,
  type Running,
  runServer,
  runServerWithUnreadLog,
} from './test-support/process.ts';
import { startRedis, type TestRedis } from './test-support/redis.ts';
import { type ReceivedStream, readStream } from './test-support/server.ts';

let redis: TestRedis | undefined;
afterEach(async () => {
  killStartedServers();
  await redis?.stop();
  redis = undefined;
});

const GRACE_MS = 3000;

/** Opens one slow stream and resolves its reading once the server counts it. */
async function openStream(url: string): Promise<{ reading: Promise<ReceivedStream> }> {
  const response = await fetch(`${url}${API_PATHS.chat}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ prompt: 'Tell me a long story' }),
  });
  expect(response.status).toBe(200);
  const reading = readStream(response);
  await expect
    .poll(
      async () =>
        HealthSchema.parse(await (await fetch(`${url}${API_PATHS.health}`)).json()).activeStreams,
    )
    .toBe(1);
  return { reading };
}

/** Signals the process; its exit code and how long it took. */
async function signal(running: Pick<Running, 'child'>, name: NodeJS.Signals) {
  const exited = once(running.child, 'exit');
  const signalledAt = performance.now();
  running.child.kill(name);
  const [code, bySignal] = await exited;
  return { code, bySignal, exitMs: performance.now() - signalledAt };
}

function expectShutdownError({ events }: ReceivedStream) {
  expect(events.at(-1)?.event).toEqual({
    type: 'error',
    data: { code: 'server_shutdown', message: expect.any(String), retryable: true },
  });
}

describe('shutdown', { timeout: 60_000 }, () => {
  it('on SIGTERM ends streams and exits in time even when nobody reads the log any more', async () => {
    const running = await runServerWithUnreadLog({
      MOCK_DELAY_MS: '50',
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
      RATE_LIMIT_MAX: '0',
    });
    // Log lines, one per request, until the pipe and the reader's buffer are long full.
    for (let index = 0; index < 3000; index++) await fetch(`${running.url}${API_PATHS.health}`);
    const { reading } = await openStream(running.url);

    const { code, exitMs } = await signal(running, 'SIGTERM');
    expectShutdownError(await reading);
    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(GRACE_MS);
  });

  it('treats SIGHUP (a closed terminal) as SIGTERM', async () => {
    const running = runServer({ MOCK_DELAY_MS: '50', SHUTDOWN_GRACE_MS: String(GRACE_MS) });
    const { reading } = await openStream(await listening(running));

    const { code, bySignal, exitMs } = await signal(running, 'SIGHUP');
    expectShutdownError(await reading);
    expect({ code, bySignal }).toEqual({ code: 0, bySignal: null });
    expect(exitMs).toBeLessThan(GRACE_MS);
    expect(running.output()).toContain('"msg":"SIGHUP: shutting down"');
  });

  it('says it is waiting on the stream store when that is what holds it up', async () => {
    redis = await startRedis();
    const running = runServer({
      MOCK_DELAY_MS: '50',
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
      STREAM_STORE: 'redis',
      REDIS_URL: redis.url,
    });
    const { reading } = await openStream(await listening(running));
    redis.freeze();

    const { code, exitMs } = await signal(running, 'SIGTERM');
    expectShutdownError(await reading);
    expect(code).toBe(1);
    expect(exitMs).toBeGreaterThanOrEqual(GRACE_MS - 100);
    const lines = running
      .output()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line));
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        msg: expect.stringMatching(/waiting for the stream store/),
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: expect.stringMatching(/stream store .* grace period/),
      }),
    );
    expect(lines).not.toContainEqual(
      expect.objectContaining({ msg: expect.stringMatching(/connections still open/) }),
    );
  });
});
