import { encodeEvent, formatEventId, STREAM_RESPONSE_HEADERS } from '@gpt-stream/protocol';
import { describe, expect, it, vi } from 'vitest';
import { inThreadStreamWorker } from '../test-support/in-thread-stream-worker.ts';
import { createWorkerFetch, type StreamRequestInit } from './worker-fetch.ts';

const encoder = new TextEncoder();
const delta = (text: string, sequence: number) =>
  encodeEvent({ type: 'delta', data: { text } }, formatEventId('s1', sequence));

/** A response body the test feeds by hand: `send` a chunk, then `end` it or `fail` it. */
function feed(init: ResponseInit = { headers: STREAM_RESPONSE_HEADERS }) {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  return {
    response: new Response(body, init),
    send: (text: string) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
    fail: (error: Error) => controller.error(error),
  };
}

/** Reads a body to its end, or to its error, keeping what arrived before it. */
async function readAll(response: Response) {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, error: null };
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    return { text, error };
  }
}

/** Lets the fake worker's tasks run. */
const turns = async (count = 10) => {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setTimeout(resolve, 0));
};

/** A worker that has said it runs, whose fetch answers each request with the next of `responses`. */
async function running(...responses: Response[]) {
  const requests: { url: string; init: RequestInit | undefined }[] = [];
  const fake = inThreadStreamWorker({
    fetch: async (input, init) => {
      requests.push({ url: String(input), init });
      const response = responses.shift();
      if (!response) throw new TypeError('Failed to fetch');
      return response;
    },
  });
  const fetch = createWorkerFetch(() => fake.worker);
  await turns();
  return { fake, fetch, requests };
}

function request(signal = new AbortController().signal): StreamRequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"messages":[]}',
    signal,
  };
}

describe('a stream request made by the worker', () => {
  it('answers with the response status and headers, and the body as fewer events with the same text', async () => {
    const source = feed({ status: 200, statusText: 'OK', headers: STREAM_RESPONSE_HEADERS });
    const { fetch, requests } = await running(source.response);
    const response = await fetch('http://localhost/api/chat', request(), null);
    expect(response?.status).toBe(200);
    expect(response?.statusText).toBe('OK');
    expect(response?.headers.get('content-type')).toBe(source.response.headers.get('content-type'));
    expect(requests).toEqual([
      {
        url: 'http://localhost/api/chat',
        init: expect.objectContaining({
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"messages":[]}',
        }),
      },
    ]);
    source.send(delta('a', 1) + delta('b', 2));
    source.send(delta('c', 3));
    source.end();
    const { text, error } = await readAll(response as Response);
    expect(error).toBeNull();
    expect(text).toBe(
      'event: delta\nid: s1:2\ndata: {"text":"ab"}\n\nevent: delta\nid: s1:3\ndata: {"text":"c"}\n\n',
    );
  });

  it('delivers the first bytes while the response is still open', async () => {
    const source = feed();
    const { fetch } = await running(source.response);
    const response = (await fetch('http://localhost/api/chat', request(), null)) as Response;
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    source.send(delta('early', 1));
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toContain('{"text":"early"}');
    source.end();
    expect((await reader.read()).done).toBe(true);
  });

  it('tells the worker which events a resume sends again, and drops them there', async () => {
    const source = feed();
    const { fake, fetch } = await running(source.response);
    const replayed = { streamId: 's1', sequence: 1 };
    const response = (await fetch('http://localhost/api/chat', request(), replayed)) as Response;
    source.send(delta('a', 1) + delta('b', 2));
    source.end();
    const { text } = await readAll(response);
    expect(text).not.toContain('{"text":"a"}');
    expect(text).toContain('{"text":"b"}');
    expect(fake.received[0]).toMatchObject({ stream: 1, replayed });
  });

  it('makes a path absolute against the page, which the worker would resolve against its script', async () => {
    vi.stubGlobal('location', new URL('http://page.test/chat/1'));
    const { fake, fetch } = await running(feed().response);
    void fetch('/api/chat', request(), null);
    vi.unstubAllGlobals();
    expect(fake.received[0]).toMatchObject({ request: { url: 'http://page.test/api/chat' } });
  });

  it('passes an error response body as it came, for the page to read its error', async () => {
    const body = '{"error":{"code":"rate_limited","message":"Slow down."}}';
    const { fetch } = await running(
      new Response(body, { status: 429, headers: { 'content-type': 'application/json' } }),
    );
    const response = (await fetch('http://localhost/api/chat', request(), null)) as Response;
    expect(response.status).toBe(429);
    expect(await response.text()).toBe(body);
  });

  it('keeps a response with no body without one', async () => {
    const { fetch } = await running(new Response(null, { status: 204 }));
    const response = (await fetch('http://localhost/api/chat', request(), null)) as Response;
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });

  it('rejects as fetch does when the worker cannot reach the server', async () => {
    const { fetch } = await running();
    await expect(fetch('http://localhost/api/chat', request(), null)).rejects.toEqual(
      new TypeError('Failed to fetch'),
    );
  });

  it('delivers everything the worker read before the body broke, then the error', async () => {
    const source = feed();
    const { fetch } = await running(source.response);
    const response = (await fetch('http://localhost/api/chat', request(), null)) as Response;
    source.send(delta('kept', 1));
    source.fail(new TypeError('network error'));
    const { text, error } = await readAll(response);
    expect(text).toContain('{"text":"kept"}');
    expect(error).toEqual(new TypeError('network error'));
  });
});

describe('an abort', () => {
  it('before the response rejects with the reason and ends the worker request', async () => {
    const source = feed();
    const { fake, fetch, requests } = await running(source.response);
    const controller = new AbortController();
    const pending = fetch('http://localhost/api/chat', request(controller.signal), null);
    controller.abort(new DOMException('stopped', 'AbortError'));
    await expect(pending).rejects.toMatchObject({ name: 'AbortError', message: 'stopped' });
    expect(fake.received).toContainEqual({ stream: 1, abort: true });
    await turns();
    expect(requests[0]?.init?.signal?.aborted).toBe(true);
  });

  it('while reading breaks the body with the reason and ends the worker request', async () => {
    const source = feed();
    const { fake, fetch, requests } = await running(source.response);
    const controller = new AbortController();
    const response = (await fetch(
      'http://localhost/api/chat',
      request(controller.signal),
      null,
    )) as Response;
    const result = readAll(response);
    source.send(delta('a', 1));
    await turns();
    controller.abort(new DOMException('stopped', 'AbortError'));
    const { text, error } = await result;
    expect(text).toContain('{"text":"a"}');
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(fake.received).toContainEqual({ stream: 1, abort: true });
    await turns();
    expect(requests[0]?.init?.signal?.aborted).toBe(true);
    expect(fake.answered.filter((message) => 'stream' in message && 'end' in message)).toEqual([]);
  });

  it('already signalled rejects at once and asks the worker for nothing', async () => {
    const { fake, fetch } = await running(feed().response);
    const controller = new AbortController();
    controller.abort(new DOMException('stopped', 'AbortError'));
    await expect(
      fetch('http://localhost/api/chat', request(controller.signal), null),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(fake.received).toEqual([]);
  });

  it('is what cancelling the body does too', async () => {
    const source = feed();
    const { fake, fetch, requests } = await running(source.response);
    const response = (await fetch('http://localhost/api/chat', request(), null)) as Response;
    await response.body?.cancel();
    expect(fake.received).toContainEqual({ stream: 1, abort: true });
    await turns();
    expect(requests[0]?.init?.signal?.aborted).toBe(true);
  });
});

describe('without a running worker', () => {
  it('leaves the request to the main thread until the worker says it runs', async () => {
    const fake = inThreadStreamWorker({ fetch: async () => feed().response, ready: 'never' });
    const fetch = createWorkerFetch(() => fake.worker);
    await turns();
    expect(fetch('http://localhost/api/chat', request(), null)).toBeNull();
    expect(fake.received).toEqual([]);
  });

  it('leaves it there where no worker can start', () => {
    const fetch = createWorkerFetch(() => {
      throw new ReferenceError('Worker is not defined');
    });
    expect(fetch('http://localhost/api/chat', request(), null)).toBeNull();
  });

  it('breaks the streams of a worker that fails, and makes no more requests through it', async () => {
    const source = feed();
    const { fake, fetch } = await running(source.response, feed().response);
    const response = (await fetch('http://localhost/api/chat', request(), null)) as Response;
    const result = readAll(response);
    source.send(delta('a', 1));
    await turns();
    fake.fail();
    const { text, error } = await result;
    expect(text).toContain('{"text":"a"}');
    expect(error).toEqual(new TypeError('The stream worker failed.'));
    expect(fetch('http://localhost/api/chat', request(), null)).toBeNull();
  });
});
