import { API_PATHS } from '@gpt-stream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createEchoModel } from '../models/echo.ts';
import { rawRequest, sendUnread } from '../test-support/raw-http.ts';
import { endlessModel } from '../test-support/scripted-models.ts';
import {
  activeStreams,
  postChat,
  startTestServer,
  type TestServer,
} from '../test-support/server.ts';

let server: TestServer;
afterEach(() => server.close());

const held: Response[] = [];
const open: AbortController[] = [];
afterEach(() => {
  for (const controller of open.splice(0)) controller.abort();
  held.length = 0;
});

describe('pipelined requests', { timeout: 30_000 }, () => {
  it('leave no stream and no slot behind when their connection dies unread', async () => {
    server = await startTestServer({
      models: [createEchoModel({ delayMs: 0 }), endlessModel],
      config: { maxPromptChars: 32_000, maxConcurrentStreams: 10 },
    });
    const body = JSON.stringify({ prompt: 'x'.repeat(32_000), model: 'echo' });
    const post = rawRequest({
      method: 'POST',
      path: API_PATHS.chat,
      host: `127.0.0.1:${server.port}`,
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    const sockets = await Promise.all(
      Array.from({ length: 5 }, () => sendUnread(server.port, Array(12).fill(post))),
    );
    // Each connection's first stream is under way, its socket full.
    await expect.poll(() => activeStreams(server)).toBeGreaterThanOrEqual(5);
    for (const socket of sockets) socket.destroy();

    await expect.poll(() => activeStreams(server), { timeout: 10_000 }).toBe(0);
    // Every slot of MAX_CONCURRENT_STREAMS is free again: ten streams open at once.
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => {
        const controller = new AbortController();
        open.push(controller);
        return postChat(server, { prompt: 'Hi', model: 'endless' }, { signal: controller.signal });
      }),
    );
    held.push(...responses);
    expect(responses.map(({ status }) => status)).toEqual(Array(10).fill(200));
  });
});
