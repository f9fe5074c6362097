import type { AddressInfo } from 'node:net';
import { API_PATHS } from '@gpt-stream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../apps/server/src/test-support/server.ts';
import { createRawServer } from './raw-baseline.ts';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

let app: TestServer | undefined;
let raw: ReturnType<typeof createRawServer> | undefined;

afterEach(async () => {
  await app?.close();
  raw?.closeAllConnections();
  await new Promise((resolve) => raw?.close(resolve) ?? resolve(undefined));
  app = undefined;
  raw = undefined;
});

async function bodyOf(origin: string, request: object): Promise<string> {
  const response = await fetch(`${origin}${API_PATHS.chat}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(request),
  });
  return (await response.text()).replaceAll(UUID, '<stream id>');
}

describe('the raw baseline', () => {
  it.each([
    { prompt: 'How do I stream tokens?', model: 'mock' },
    { prompt: 'How do I stream tokens?', model: 'mock', maxTokens: 7 },
    { prompt: 'line one\nline two 😀', model: 'echo' },
  ])('sends the same bytes as the server, but for the stream id: %j', async (request) => {
    app = await startTestServer();
    raw = createRawServer(0);
    const server = raw;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const rawOrigin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const expected = await bodyOf(app.url, request);
    expect(expected).toContain('event: done');
    expect(await bodyOf(rawOrigin, request)).toBe(expected);
  });
});
