import {
  API_PATHS,
  apiErrorBody,
  type ChatRequest,
  encodeEvent,
  formatEventId,
  HEARTBEAT_FRAME,
  STREAM_RESPONSE_HEADERS,
  type StreamEvent,
} from '@gpt-stream/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FAILURE_MESSAGES, type StreamOutcome, streamChat } from './stream-client.ts';

/** fetchEventSource reaches for `window.clearTimeout` and `document.removeEventListener`. */
class FakeDocument extends EventTarget {
  hidden = false;
}

let fakeDocument: FakeDocument;

beforeEach(() => {
  fakeDocument = new FakeDocument();
  vi.stubGlobal('window', globalThis);
  vi.stubGlobal('document', fakeDocument);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const request: ChatRequest = { prompt: 'Say hi', model: 'mock' };
const encoder = new TextEncoder();

const start: StreamEvent = { type: 'start', data: { streamId: 's1', model: 'mock' } };
const done: StreamEvent = {
  type: 'done',
  data: { finishReason: 'stop', usage: { promptTokens: 2, completionTokens: 3 } },
};
const delta = (text: string): StreamEvent => ({ type: 'delta', data: { text } });

function frames(events: readonly StreamEvent[]): string {
  return events.map((event, index) => encodeEvent(event, formatEventId('s1', index))).join('');
}

/** A body that sends the chunks, then ends, or breaks with `failWith` instead of ending. */
function body(chunks: readonly (string | Uint8Array)[], failWith?: Error): ReadableStream {
  const queue = [...chunks];
  // pull, not start: erroring a stream discards what is still queued, and the break must come
  // only after every chunk has been read.
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = queue.shift();
      if (chunk !== undefined) {
        controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      } else if (failWith) controller.error(failWith);
      else controller.close();
    },
  });
}

function eventStream(chunks: readonly (string | Uint8Array)[], failWith?: Error): Response {
  return new Response(body(chunks, failWith), { headers: STREAM_RESPONSE_HEADERS });
}

/**
 * A stream the test feeds by hand. Like a real fetch, aborting the request's signal breaks the
 * body, so that a client that kept reading after an abort would be seen doing so.
 */
function openStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  const fetch = vi.fn<typeof globalThis.fetch>(async (_input, init) => {
    init?.signal?.addEventListener('abort', () =>
      controller.error(new DOMException('The operation was aborted.', 'AbortError')),
    );
    return new Response(stream, { headers: STREAM_RESPONSE_HEADERS });
  });
  return {
    fetch,
    send: (text: string) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
  };
}

async function run(
  fetch: typeof globalThis.fetch,
  signal: AbortSignal = new AbortController().signal,
): Promise<{ outcome: StreamOutcome; events: StreamEvent[] }> {
  const events: StreamEvent[] = [];
  const outcome = await streamChat({ request, signal, fetch, onEvent: (e) => events.push(e) });
  return { outcome, events };
}

/** Lets queued reads and callbacks run, so that the test acts in the middle of a stream. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

describe('streamChat', () => {
  it('POSTs the request as JSON to the chat path', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(async () => eventStream([frames([start, done])]));
    await run(fetch);

    expect(fetch).toHaveBeenCalledOnce();
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe(API_PATHS.chat);
    expect(init?.method).toBe('POST');
    expect(init?.body).toBe(JSON.stringify(request));
    expect(init?.headers).toMatchObject({
      'content-type': 'application/json',
      accept: 'text/event-stream',
    });
  });

  it('dispatches every event in order and completes on done', async () => {
    const events = [start, delta('Hel'), delta('lo,\n  wörld 👋'), delta(''), done];
    const fetch = vi.fn<typeof globalThis.fetch>(async () => eventStream([frames(events)]));

    const result = await run(fetch);

    expect(result.events).toEqual(events);
    expect(result.outcome).toEqual({ type: 'completed', done: done.data });
    expect(fetch).toHaveBeenCalledOnce();
  });

  it.each([1, 2, 3, 7, 64])('reassembles events cut into %i-byte chunks', async (size) => {
    const events = [start, delta('naïve 日本語 🇩🇪'), delta('\r\nline\n\n'), done];
    const bytes = encoder.encode(frames(events));
    const chunks: Uint8Array[] = [];
    for (let offset = 0; offset < bytes.length; offset += size) {
      chunks.push(bytes.slice(offset, offset + size));
    }

    const result = await run(async () => eventStream(chunks));

    expect(result.events).toEqual(events);
    expect(result.outcome.type).toBe('completed');
  });

  it('ignores heartbeat comments wherever they fall', async () => {
    const wire = [
      HEARTBEAT_FRAME,
      frames([start]),
      HEARTBEAT_FRAME,
      HEARTBEAT_FRAME,
      encodeEvent(delta('a'), 's1:1'),
      HEARTBEAT_FRAME,
      encodeEvent(done, 's1:2'),
      HEARTBEAT_FRAME,
    ];

    const result = await run(async () => eventStream(wire));

    expect(result.events).toEqual([start, delta('a'), done]);
    expect(result.outcome.type).toBe('completed');
  });

  it("reports a server error event with the server's code and message", async () => {
    const error: StreamEvent = {
      type: 'error',
      data: { code: 'model_failed', message: 'The model stopped.', retryable: true },
    };

    const result = await run(async () => eventStream([frames([start, delta('par'), error])]));

    expect(result.outcome).toEqual({ type: 'server-error', error: error.data });
    expect(result.events.map((event) => event.type)).toEqual(['start', 'delta', 'error']);
  });

  it("turns a 4xx JSON error into the server's message, without retrying", async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(async () =>
      Response.json(apiErrorBody('invalid_request', 'prompt must not be blank'), { status: 400 }),
    );

    const result = await run(fetch);

    expect(result.outcome).toEqual({
      type: 'failed',
      failure: {
        kind: 'http',
        status: 400,
        code: 'invalid_request',
        message: 'prompt must not be blank',
      },
    });
    expect(result.events).toEqual([]);
    expect(fetch).toHaveBeenCalledOnce();
  });

  it('names the status of a 5xx whose body is not the JSON error shape', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(
      async () =>
        new Response('<h1>Bad Gateway</h1>', {
          status: 502,
          statusText: 'Bad Gateway',
          headers: { 'content-type': 'text/html' },
        }),
    );

    const result = await run(fetch);

    expect(result.outcome).toEqual({
      type: 'failed',
      failure: {
        kind: 'http',
        status: 502,
        code: null,
        message: 'The server answered 502 Bad Gateway.',
      },
    });
    expect(fetch).toHaveBeenCalledOnce();
  });

  it('refuses a 200 answer that is not an event stream', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(
      async () =>
        new Response('<!doctype html><title>app</title>', {
          headers: { 'content-type': 'text/html; charset=utf-8' },
        }),
    );

    const result = await run(fetch);

    expect(result.outcome).toMatchObject({ type: 'failed', failure: { kind: 'protocol' } });
    expect(result.outcome.type === 'failed' && result.outcome.failure.message).toContain(
      'text/html',
    );
    expect(fetch).toHaveBeenCalledOnce();
  });

  it('reports an unreachable server once, as a network failure', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(async () => {
      throw new TypeError('Failed to fetch');
    });

    const result = await run(fetch);

    expect(result.outcome).toEqual({
      type: 'failed',
      failure: { kind: 'network', message: FAILURE_MESSAGES.network },
    });
    expect(fetch).toHaveBeenCalledOnce();
  });

  it('reports a body that ends before done as cut, keeping what arrived', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(async () =>
      eventStream([frames([start, delta('half an ans')])]),
    );

    const result = await run(fetch);

    expect(result.outcome).toEqual({
      type: 'failed',
      failure: { kind: 'cut', message: FAILURE_MESSAGES.cut },
    });
    expect(result.events).toEqual([start, delta('half an ans')]);
    expect(fetch).toHaveBeenCalledOnce();
  });

  it('reports a connection that breaks mid-stream as cut', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(async () =>
      eventStream([frames([start, delta('a')])], new TypeError('network error')),
    );

    const result = await run(fetch);

    expect(result.outcome).toMatchObject({ type: 'failed', failure: { kind: 'cut' } });
    expect(result.events).toEqual([start, delta('a')]);
    expect(fetch).toHaveBeenCalledOnce();
  });

  it('keeps a completed answer complete when the connection breaks after done', async () => {
    const result = await run(async () =>
      eventStream([frames([start, delta('a'), done])], new TypeError('network error')),
    );

    expect(result.outcome.type).toBe('completed');
  });

  it('ignores anything a server sends after the terminal event', async () => {
    const result = await run(async () => eventStream([frames([start, done, delta('late')])]));

    expect(result.events).toEqual([start, done]);
    expect(result.outcome.type).toBe('completed');
  });

  it.each([
    ['an unknown event type', 'event: surprise\ndata: {}\n\n'],
    ['data that is not JSON', 'event: delta\ndata: plain text\n\n'],
    ['an unnamed event', 'data: {"text":"a"}\n\n'],
  ])('stops with a protocol failure on %s', async (_name, frame) => {
    const fetch = vi.fn<typeof globalThis.fetch>(async () =>
      eventStream([frames([start]), frame, frames([done])]),
    );

    const result = await run(fetch);

    expect(result.outcome).toMatchObject({ type: 'failed', failure: { kind: 'protocol' } });
    expect(result.events).toEqual([start]);
    expect(fetch).toHaveBeenCalledOnce();
  });

  it('reports a throwing event handler as a protocol failure, not as a cut stream', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const outcome = await streamChat({
      request,
      signal: new AbortController().signal,
      fetch: async () => eventStream([frames([start, done])]),
      onEvent: () => {
        throw new Error('render bug');
      },
    });

    expect(outcome).toMatchObject({ type: 'failed', failure: { kind: 'protocol' } });
  });

  it('reports an abort mid-stream as stopped and reads nothing more', async () => {
    const stream = openStream();
    const controller = new AbortController();
    const running = run(stream.fetch, controller.signal);

    stream.send(frames([start, delta('first')]));
    await settle();
    controller.abort();
    const result = await running;

    expect(result.outcome).toEqual({ type: 'stopped' });
    expect(result.events).toEqual([start, delta('first')]);
    expect(stream.fetch).toHaveBeenCalledOnce();
    const init = stream.fetch.mock.calls[0]?.[1];
    expect(init?.signal?.aborted).toBe(true);
  });

  it('does not send a request whose signal is already aborted', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(async () => eventStream([frames([start, done])]));
    const controller = new AbortController();
    controller.abort();

    const result = await run(fetch, controller.signal);

    expect(result.outcome).toEqual({ type: 'stopped' });
    expect(fetch).not.toHaveBeenCalled();
  });

  it('keeps streaming, with one request, while the tab is hidden and shown again', async () => {
    const stream = openStream();
    const running = run(stream.fetch);

    stream.send(frames([start, delta('a')]));
    await settle();
    fakeDocument.hidden = true;
    fakeDocument.dispatchEvent(new Event('visibilitychange'));
    await settle();
    fakeDocument.hidden = false;
    fakeDocument.dispatchEvent(new Event('visibilitychange'));
    await settle();
    stream.send(encodeEvent(done, 's1:2'));
    stream.end();
    const result = await running;

    expect(result.outcome.type).toBe('completed');
    expect(result.events).toEqual([start, delta('a'), done]);
    expect(stream.fetch).toHaveBeenCalledOnce();
  });
});
