import {
  API_PATHS,
  ApiErrorBodySchema,
  EVENT_STREAM_TYPE,
  hasMediaType,
} from '@gpt-stream/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  activeStreams,
  postChat,
  readStream,
  startTestServer,
  type TestServer,
  textOf,
} from '../test-server.ts';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  await server.close();
});

describe('POST /api/chat, a stream', () => {
  it('is an event stream that proxies and caches leave alone', async () => {
    const response = await postChat(server, { prompt: 'Hello' });
    expect(response.status).toBe(200);
    expect(hasMediaType(response.headers.get('content-type'), EVENT_STREAM_TYPE)).toBe(true);
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    await readStream(response);
  });

  it('is start, deltas, then exactly one done, numbered in order under one stream id', async () => {
    const { events } = await readStream(await postChat(server, { prompt: 'Explain SSE' }));
    const types = events.map(({ event }) => event.type);
    expect(types[0]).toBe('start');
    expect(types.at(-1)).toBe('done');
    expect(types.slice(1, -1).every((type) => type === 'delta')).toBe(true);
    expect(types.length).toBeGreaterThan(50);
    const start = events[0]?.event;
    if (start?.type !== 'start') throw new Error('no start event');
    const { streamId, model } = start.data;
    expect(model).toBe('mock');
    expect(events.map(({ id }) => id)).toEqual(events.map((_, index) => `${streamId}:${index}`));
  });

  it('reports usage and a natural finish in done', async () => {
    const { events } = await readStream(await postChat(server, { prompt: 'Hi there' }));
    const deltas = events.filter(({ event }) => event.type === 'delta').length;
    expect(events.at(-1)?.event).toEqual({
      type: 'done',
      data: { finishReason: 'stop', usage: { promptTokens: 2, completionTokens: deltas } },
    });
  });

  it('gives the same prompt the same multi-paragraph answer, and another prompt another', async () => {
    const first = textOf(await readStream(await postChat(server, { prompt: 'What is SSE?' })));
    const again = textOf(await readStream(await postChat(server, { prompt: 'What is SSE?' })));
    const other = textOf(await readStream(await postChat(server, { prompt: 'What is HTTP/2?' })));
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect(first.split('\n\n').length).toBeGreaterThanOrEqual(4);
  });

  it('stops at maxTokens and says so', async () => {
    const { events } = await readStream(await postChat(server, { prompt: 'Hi', maxTokens: 7 }));
    expect(events.filter(({ event }) => event.type === 'delta')).toHaveLength(7);
    expect(events.at(-1)?.event).toMatchObject({
      type: 'done',
      data: { finishReason: 'length', usage: { completionTokens: 7 } },
    });
  });

  it('echoes any prompt back exactly, in several pieces', async () => {
    const prompt =
      '\uFEFF  leading spaces\r\nCRLF\rCR\n\n你好，世界 👩‍👩‍👧 🇩🇪\tTab\ndata: x\n\nevent: done\n: not a comment\n';
    const received = await readStream(await postChat(server, { prompt, model: 'echo' }));
    expect(textOf(received)).toBe(prompt);
    expect(received.events.length).toBeGreaterThan(10);
  });

  it('sends heartbeat comments while the model is quiet', async () => {
    await server.close();
    server = await startTestServer({ config: { heartbeatMs: 20, mockDelayMs: 150 } });
    const { comments, events } = await readStream(
      await postChat(server, { prompt: 'Hi', maxTokens: 2 }),
    );
    expect(comments.filter((comment) => comment.trim() === 'ping').length).toBeGreaterThanOrEqual(
      3,
    );
    expect(events.at(-1)?.event.type).toBe('done');
  });
});

describe('POST /api/chat, bad input', () => {
  const huge = 'x'.repeat(1001);

  it.each([
    [
      'no JSON content type',
      { body: 'Hello', headers: { 'Content-Type': 'text/plain' } },
      415,
      'unsupported_media_type',
      'application/json',
    ],
    ['no body at all', { headers: {} }, 415, 'unsupported_media_type', 'application/json'],
    ['broken JSON', { body: '{"prompt": "Hi"' }, 400, 'invalid_json', 'not valid JSON'],
    ['a JSON string', { body: '"Hello"' }, 400, 'invalid_request', 'must be a JSON object'],
    ['no prompt', { body: '{}' }, 400, 'invalid_request', 'prompt is required'],
    [
      'a blank prompt',
      { body: '{"prompt":"  \\n "}' },
      400,
      'invalid_request',
      'prompt must not be blank',
    ],
    ['a misspelt field', { body: '{"promt":"Hi"}' }, 400, 'invalid_request', 'promt'],
    [
      'a bad maxTokens',
      { body: '{"prompt":"Hi","maxTokens":-1}' },
      400,
      'invalid_request',
      'maxTokens',
    ],
    [
      'an unknown model',
      { body: '{"prompt":"Hi","model":"gpt-9"}' },
      400,
      'unknown_model',
      'mock, echo',
    ],
    [
      'a prompt over MAX_PROMPT_CHARS',
      { body: JSON.stringify({ prompt: huge }) },
      413,
      'payload_too_large',
      'the limit is 1000',
    ],
    [
      'a body over the byte limit',
      { body: JSON.stringify({ prompt: 'Hi', pad: 'x'.repeat(100_000) }) },
      413,
      'payload_too_large',
      'larger than the limit',
    ],
    [
      'an unsupported charset',
      { body: '{"prompt":"Hi"}', headers: { 'Content-Type': 'application/json; charset=latin9' } },
      415,
      'unsupported_media_type',
      'UTF-8',
    ],
  ])(
    'answers %s with a JSON error before any stream starts',
    async (_name, init, status, code, message) => {
      const response = await fetch(`${server.url}${API_PATHS.chat}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        ...init,
      });
      expect(response.status).toBe(status);
      const raw = await response.text();
      const body = ApiErrorBodySchema.parse(JSON.parse(raw));
      expect(body.error.code).toBe(code);
      expect(body.error.message).toContain(message);
      expect(raw).not.toMatch(/\bat .*\.(ts|js):\d+/);
      expect(await activeStreams(server)).toBe(0);
    },
  );

  it('keeps serving after bad input', async () => {
    await postChat(server, 'not an object');
    const { events } = await readStream(await postChat(server, { prompt: 'Hi', maxTokens: 2 }));
    expect(events.at(-1)?.event.type).toBe('done');
  });
});

describe('other routes', () => {
  it('lists the models and the default', async () => {
    const response = await fetch(`${server.url}${API_PATHS.models}`);
    expect(await response.json()).toEqual({
      defaultModel: 'mock',
      models: [
        { id: 'mock', description: expect.any(String) },
        { id: 'echo', description: expect.any(String) },
      ],
    });
  });

  it('answers health with the number of open streams', async () => {
    const response = await fetch(`${server.url}${API_PATHS.health}`);
    expect(await response.json()).toEqual({
      status: 'ok',
      activeStreams: 0,
      store: { kind: 'memory', reachable: true },
    });
  });

  it('answers unknown API paths with a JSON 404', async () => {
    const response = await fetch(`${server.url}/api/nope`);
    expect(response.status).toBe(404);
    expect(ApiErrorBodySchema.parse(await response.json()).error.code).toBe('not_found');
  });

  it('does not serve GET on the chat endpoint', async () => {
    const response = await fetch(`${server.url}${API_PATHS.chat}`);
    expect(response.status).toBe(404);
  });
});
