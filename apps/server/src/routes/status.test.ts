import { API_PATHS, HealthSchema } from '@gpt-stream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  gatedModel,
  postChat,
  readUntilFirstDelta,
  startTestServer,
  type TestServer,
} from '../test-support/server.ts';

let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('GET /api/health', () => {
  it('answers 503 shutting_down once the streams are being ended, so a balancer looks elsewhere', async () => {
    const gated = gatedModel();
    server = await startTestServer({ models: [gated.model] });
    const open = await postChat(server, { prompt: 'hi' });
    gated.release();
    await readUntilFirstDelta(open);
    const before = await fetch(`${server.url}${API_PATHS.health}`);
    expect(before.status).toBe(200);
    expect(HealthSchema.parse(await before.json())).toMatchObject({
      status: 'ok',
      activeStreams: 1,
    });

    server.streams.stopAll({ code: 'server_shutdown', message: 'Restarting.', retryable: true });
    const during = await fetch(`${server.url}${API_PATHS.health}`);
    expect(during.status).toBe(503);
    expect(HealthSchema.parse(await during.json())).toEqual({
      status: 'shutting_down',
      activeStreams: 0,
      store: { kind: 'memory', reachable: true },
    });
  });
});
