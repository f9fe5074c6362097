import {
  API_PATHS,
  ApiErrorBodySchema,
  chatStreamPath,
  LAST_EVENT_ID_HEADER,
} from '@gpt-stream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { endlessModel } from '../test-support/scripted-models.ts';
import {
  postChat,
  readUntilFirstDelta,
  startTestServer,
  type TestServer,
} from '../test-support/server.ts';

let server: TestServer;
const open: AbortController[] = [];
/** Held until the test ends: undici cancels an unread body that is garbage-collected. */
const held: unknown[] = [];

afterEach(async () => {
  for (const controller of open.splice(0)) controller.abort();
  held.length = 0;
  await server.close();
});

function signal(): AbortSignal {
  const controller = new AbortController();
  open.push(controller);
  return controller.signal;
}

/** Starts an endless stream from `address` (believed: the test server trusts loopback). */
async function startFrom(address: string): Promise<Response> {
  const response = await postChat(
    server,
    { prompt: 'Hi', model: 'endless' },
    {
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': address },
      signal: signal(),
    },
  );
  held.push(response);
  return response;
}

async function streamIdOf(response: Response): Promise<string> {
  const reader = await readUntilFirstDelta(response);
  held.push(reader);
  return server.streams.runningIds().at(-1) as string;
}

async function resume(streamId: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(`${server.url}${chatStreamPath(streamId)}`, {
    signal: signal(),
    ...init,
  });
  held.push(response);
  return response;
}

async function expectRefused(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(ApiErrorBodySchema.parse(await response.json()).error.code).toBe(code);
}

describe('MAX_STREAMS_PER_CLIENT', () => {
  it('caps the streams one client address holds at once, not the others', async () => {
    server = await startTestServer({
      models: [endlessModel],
      config: { maxStreamsPerClient: 2, trustProxy: ['loopback'] },
    });
    expect((await startFrom('203.0.113.7')).status).toBe(200);
    expect((await startFrom('203.0.113.7')).status).toBe(200);
    await expectRefused(await startFrom('203.0.113.7'), 429, 'rate_limited');
    expect((await startFrom('198.51.100.1')).status).toBe(200);

    // A stream that ends frees its place.
    const [first] = server.streams.runningIds();
    await fetch(`${server.url}${chatStreamPath(first as string)}`, { method: 'DELETE' });
    expect((await startFrom('203.0.113.7')).status).toBe(200);
  });

  it('is off with 0', async () => {
    server = await startTestServer({ models: [endlessModel], config: { maxStreamsPerClient: 0 } });
    for (let index = 0; index < 5; index++)
      expect((await startFrom('203.0.113.7')).status).toBe(200);
  });
});

describe('MAX_CONCURRENT_READERS', () => {
  it('counts every open reader, resumes too, and refuses more with 503', async () => {
    server = await startTestServer({ models: [endlessModel], config: { maxConcurrentReaders: 3 } });
    const streamId = await streamIdOf(await startFrom('203.0.113.7'));
    const second = await resume(streamId);
    expect(second.status).toBe(200);
    expect((await resume(streamId)).status).toBe(200);
    await expect.poll(() => server.streams.readers).toBe(3);

    await expectRefused(await resume(streamId), 503, 'server_busy');
    await expectRefused(
      await fetch(`${server.url}${API_PATHS.chat}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [LAST_EVENT_ID_HEADER]: `${streamId}:0` },
        body: '{}',
      }),
      503,
      'server_busy',
    );
    await expectRefused(await startFrom('198.51.100.1'), 503, 'server_busy');

    await second.body?.cancel();
    await expect.poll(() => server.streams.readers).toBe(2);
    expect((await resume(streamId)).status).toBe(200);
  });

  it('is off with 0', async () => {
    server = await startTestServer({ models: [endlessModel], config: { maxConcurrentReaders: 0 } });
    const streamId = await streamIdOf(await startFrom('203.0.113.7'));
    for (let index = 0; index < 5; index++) expect((await resume(streamId)).status).toBe(200);
  });
});
