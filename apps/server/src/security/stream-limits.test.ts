import { API_PATHS, ApiErrorBodySchema } from '@gpt-stream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { testModels } from '../test-support/scripted-models.ts';
import {
  activeStreams,
  postChat,
  readStream,
  startTestServer,
  type TestServer,
} from '../test-support/server.ts';
import { BUSY_RETRY_AFTER_SECONDS } from './stream-limits.ts';

let server: TestServer;
const open: AbortController[] = [];
/**
 * The endless streams' responses, held until the test ends: undici cancels the body of a response
 * that is garbage-collected unread, and that reader leaving would end its stream early.
 */
const held: Response[] = [];

afterEach(async () => {
  for (const controller of open.splice(0)) controller.abort();
  held.length = 0;
  await server.close();
});

function startFrom(address: string) {
  return postChat(
    server,
    { prompt: 'Hi', model: 'steady' },
    {
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': address },
    },
  );
}

/** Starts a stream that stays open until the test ends. */
async function startEndless(): Promise<Response> {
  const controller = new AbortController();
  open.push(controller);
  const response = await postChat(
    server,
    { prompt: 'Hi', model: 'endless', resumable: false },
    { signal: controller.signal },
  );
  held.push(response);
  return response;
}

async function expectRefusal(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  const raw = await response.text();
  const body = ApiErrorBodySchema.parse(JSON.parse(raw));
  expect(body.error.code).toBe(code);
  expect(body.error.message).toContain(`${retryAfter} s`);
  return retryAfter;
}

describe('the rate limit on stream starts', () => {
  it('answers 429 with Retry-After once an address has used its starts, per address', async () => {
    server = await startTestServer({
      models: testModels,
      // Behind a proxy on loopback the client is whoever X-Forwarded-For names.
      config: { rateLimitMax: 2, rateLimitWindowMs: 60_000, trustProxy: ['loopback'] },
    });
    await readStream(await startFrom('203.0.113.7'));
    await readStream(await startFrom('203.0.113.7'));
    const retryAfter = await expectRefusal(await startFrom('203.0.113.7'), 429, 'rate_limited');
    expect(retryAfter).toBeLessThanOrEqual(60);

    const elsewhere = await startFrom('198.51.100.1');
    expect(elsewhere.status).toBe(200);
    await readStream(elsewhere);
    // Only starting streams is limited.
    expect((await fetch(`${server.url}${API_PATHS.health}`)).status).toBe(200);
    expect(await activeStreams(server)).toBe(0);
  });

  it('is off with RATE_LIMIT_MAX=0', async () => {
    server = await startTestServer({ models: testModels, config: { rateLimitMax: 0 } });
    for (let index = 0; index < 5; index++) {
      expect((await startFrom('203.0.113.7')).status).toBe(200);
    }
  });
});

describe('the cap on concurrent streams', () => {
  it('answers 503 with Retry-After while the server is full, and takes new streams after', async () => {
    server = await startTestServer({ models: testModels, config: { maxConcurrentStreams: 2 } });
    expect((await startEndless()).status).toBe(200);
    expect((await startEndless()).status).toBe(200);
    const retryAfter = await expectRefusal(await startEndless(), 503, 'server_busy');
    expect(retryAfter).toBe(BUSY_RETRY_AFTER_SECONDS);
    expect(await activeStreams(server)).toBe(2);

    open[0]?.abort();
    await expect.poll(() => activeStreams(server)).toBe(1);
    expect((await startEndless()).status).toBe(200);
  });

  it('is not overshot by requests that arrive together', async () => {
    server = await startTestServer({ models: testModels, config: { maxConcurrentStreams: 3 } });
    const responses = await Promise.all(Array.from({ length: 12 }, () => startEndless()));
    const statuses = responses.map(({ status }) => status).sort();
    expect(statuses).toEqual([...Array(3).fill(200), ...Array(9).fill(503)]);
    expect(await activeStreams(server)).toBe(3);
  });
});
