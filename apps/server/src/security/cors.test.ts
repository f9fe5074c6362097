import { API_PATHS, LAST_EVENT_ID_HEADER } from '@gpt-stream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { postChat, readStream, startTestServer, type TestServer } from '../test-support/server.ts';

const ALLOWED = 'https://app.example.com';
const OTHER = 'https://evil.example';

let server: TestServer;

afterEach(async () => {
  await server.close();
});

function preflight(origin: string) {
  return fetch(`${server.url}${API_PATHS.chat}`, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type',
    },
  });
}

describe('CORS', () => {
  it('is off by default: no origin is allowed to read the API', async () => {
    server = await startTestServer();
    expect((await preflight(ALLOWED)).headers.get('access-control-allow-origin')).toBeNull();
    const response = await postChat(
      server,
      { prompt: 'Hi', maxTokens: 1 },
      {
        headers: { 'Content-Type': 'application/json', Origin: ALLOWED },
      },
    );
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    await readStream(response);
  });

  it('allows exactly the origins in CORS_ORIGINS, with what the page sends', async () => {
    server = await startTestServer({ config: { corsOrigins: [ALLOWED] } });
    const allowed = await preflight(ALLOWED);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
    expect(allowed.headers.get('access-control-allow-headers')).toBe(
      `Content-Type,${LAST_EVENT_ID_HEADER}`,
    );
    expect(allowed.headers.get('vary')).toContain('Origin');

    const other = await preflight(OTHER);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();

    const stream = await postChat(
      server,
      { prompt: 'Hi', maxTokens: 1 },
      {
        headers: { 'Content-Type': 'application/json', Origin: ALLOWED },
      },
    );
    expect(stream.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect((await readStream(stream)).events.at(-1)?.event.type).toBe('done');
  });
});
