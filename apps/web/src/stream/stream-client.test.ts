import {
  API_PATHS,
  apiErrorBody,
  type ChatRequest,
  chatStreamPath,
  ERROR_CODES,
  encodeEvent,
  formatEventId,
  HEARTBEAT_FRAME,
  MAX_EVENT_SEQUENCE,
  STREAM_RESPONSE_HEADERS,
  type StreamEvent,
} from '@gpt-stream/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { suite } from '../test-support/stream-client-suite.ts';
import { DEFAULT_RETRY_POLICY } from './retry-policy.ts';
import {
  createStreamClient,
  FAILURE_MESSAGES,
  type StateDetail,
  type StreamClientOptions,
  type StreamOutcome,
} from './stream-client.ts';
import type { StreamState } from './stream-state.ts';

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

interface Run {
  outcome: StreamOutcome;
  events: StreamEvent[];
  states: [StreamState, number][];
  waits: number[];
}

/** A client with a fake fetch and instant backoff waits, recording what it did. */
function client(fetch: typeof globalThis.fetch, extra: Partial<StreamClientOptions> = {}) {
  const events: StreamEvent[] = [];
  const states: [StreamState, number][] = [];
  const waits: number[] = [];
  const streamClient = createStreamClient({
    fetch,
    random: () => 1,
    wait: async (ms) => {
      waits.push(ms);
    },
    onEvent: (event) => events.push(event),
    onState: (state: StreamState, detail: StateDetail) => states.push([state, detail.retry]),
    ...suite.options(fetch),
    ...extra,
  });
  return { streamClient, events, states, waits };
}

async function run(fetch: typeof globalThis.fetch): Promise<Run> {
  const { streamClient, events, states, waits } = client(fetch);
  const outcome = await streamClient.send(request);
  return { outcome, events, states, waits };
}

/** The events a client dispatched, compared as the suite compares them (see stream-client-suite.ts). */
function expectEvents(actual: readonly StreamEvent[], expected: readonly StreamEvent[]): void {
  expect(suite.events(actual)).toEqual(suite.events(expected));
}

/** Lets queued reads and callbacks run, so that the test acts in the middle of a stream. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

describe('a stream', () => {
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

    expectEvents(result.events, events);
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

    expectEvents(result.events, events);
    expect(result.outcome.type).toBe('completed');
  });

  // The SSE spec allows CRLF and CR line ends (proxies rewrite them); the page's patched parser
  // splits decoded text, and a CR that ends one chunk may have its LF at the start of the next.
  it.each([
    ['CRLF', 1, '\r\n'],
    ['CRLF', 2, '\r\n'],
    ['CR', 1, '\r'],
    ['CR', 5, '\r'],
  ])('reads events whose lines end in %s, cut into %i-byte chunks', async (_, size, lineEnd) => {
    const events = [start, delta('naïve 日本語 🇩🇪'), delta('two\nlines'), done];
    // JSON escapes line ends inside the data, so every raw LF in the frames ends a line.
    const bytes = encoder.encode(frames(events).replaceAll('\n', lineEnd));
    const chunks: Uint8Array[] = [];
    for (let offset = 0; offset < bytes.length; offset += size) {
      chunks.push(bytes.slice(offset, offset + size));
    }

    const { streamClient, events: received } = client(async () => eventStream(chunks));
    const outcome = await streamClient.send(request);

    expect(received).toEqual(events);
    expect(outcome.type).toBe('completed');
    // A CRLF read as two line ends would have ended each event at its id line: ids lost.
    expect(streamClient.position).toEqual({ streamId: 's1', lastEventId: 's1:3' });
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

    expectEvents(result.events, [start, delta('a'), done]);
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
    expectEvents(result.events, []);
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

  it('keeps a completed answer complete when the connection breaks after done', async () => {
    const result = await run(async () =>
      eventStream([frames([start, delta('a'), done])], new TypeError('network error')),
    );

    expect(result.outcome.type).toBe('completed');
  });

  it('ignores anything a server sends after the terminal event', async () => {
    const result = await run(async () => eventStream([frames([start, done, delta('late')])]));

    expectEvents(result.events, [start, done]);
    expect(result.outcome.type).toBe('completed');
  });

  it('skips an event type it does not know, as a page does when a newer server adds one', async () => {
    const surprise = 'event: surprise\nid: s1:1\ndata: {"anything":[1,2]}\n\n';
    const fetch = vi.fn<typeof globalThis.fetch>(async () =>
      eventStream([frames([start]), surprise, encodeEvent(done, 's1:2')]),
    );

    const result = await run(fetch);

    expect(result.outcome.type).toBe('completed');
    expectEvents(result.events, [start, done]);
  });

  it.each([
    ['data that is not JSON', 'event: delta\ndata: plain text\n\n'],
    ['an unnamed event', 'data: {"text":"a"}\n\n'],
  ])('stops with a protocol failure on %s', async (_name, frame) => {
    const fetch = vi.fn<typeof globalThis.fetch>(async () =>
      eventStream([frames([start]), frame, frames([done])]),
    );

    const result = await run(fetch);

    expect(result.outcome).toMatchObject({ type: 'failed', failure: { kind: 'protocol' } });
    expectEvents(result.events, [start]);
    expect(fetch).toHaveBeenCalledOnce();
  });

  it('reports a throwing event handler as a protocol failure, not as a cut stream', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const fetch = vi.fn<typeof globalThis.fetch>(async () => eventStream([frames([start, done])]));
    const { streamClient } = client(fetch, {
      onEvent: () => {
        throw new Error('render bug');
      },
    });

    const outcome = await streamClient.send(request);

    expect(outcome).toMatchObject({ type: 'failed', failure: { kind: 'protocol' } });
    expect(fetch).toHaveBeenCalledOnce();
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
    expectEvents(result.events, [start, delta('a'), done]);
    expect(stream.fetch).toHaveBeenCalledOnce();
  });

  it('refuses invalid input without sending anything', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>();
    const { streamClient, states } = client(fetch);

    const outcome = await streamClient.send({ prompt: ' \n ' });

    expect(outcome).toEqual({
      type: 'failed',
      failure: { kind: 'invalid', message: 'prompt must not be blank' },
    });
    expect(states).toEqual([['error', 0]]);
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe('the state machine', () => {
  it('goes connecting, streaming, done, and reports how it ended', async () => {
    const onState = vi.fn();
    const { streamClient } = client(async () => eventStream([frames([start, done])]), {
      onState,
    });

    await streamClient.send(request);

    expect(onState.mock.calls.map(([state]) => state)).toEqual(['connecting', 'streaming', 'done']);
    expect(onState.mock.calls.at(-1)?.[1]).toEqual({
      retry: 0,
      outcome: { type: 'completed', done: done.data },
    });
    expect(streamClient.state).toBe('done');
  });

  it('ends in error for a server error event and for a failed request alike', async () => {
    const error: StreamEvent = {
      type: 'error',
      data: { code: 'model_failed', message: 'm', retryable: false },
    };
    const failed = client(async () => eventStream([frames([start, error])]));
    await failed.streamClient.send(request);
    expect(failed.states.map(([state]) => state)).toEqual(['connecting', 'streaming', 'error']);

    const refused = client(async () =>
      Response.json(apiErrorBody('invalid_request', 'no'), { status: 400 }),
    );
    await refused.streamClient.send(request);
    expect(refused.states.map(([state]) => state)).toEqual(['connecting', 'error']);
  });

  it('refuses a second stream while one is running', async () => {
    const stream = openStream();
    const { streamClient } = client(stream.fetch);
    const running = streamClient.send(request);

    await expect(streamClient.send(request)).rejects.toThrow('A stream is already running.');
    streamClient.stop();
    await running;
  });

  it('starts a new stream after the last one ended', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(async () => eventStream([frames([start, done])]));
    const { streamClient, states } = client(fetch);

    await streamClient.send(request);
    await streamClient.send(request);

    expect(states.map(([state]) => state)).toEqual([
      'connecting',
      'streaming',
      'done',
      'connecting',
      'streaming',
      'done',
    ]);
  });
});

/** Answers each request with the next scripted reply, and keeps every request for the test. */
function scripted(...replies: (() => Response | Promise<Response>)[]) {
  return vi.fn<typeof globalThis.fetch>(async (input) => {
    const reply = replies.shift();
    if (!reply) throw new Error(`unexpected request to ${String(input)}`);
    return reply();
  });
}

const unreachable = () => {
  throw new TypeError('Failed to fetch');
};
const unavailable = () =>
  Response.json(apiErrorBody('internal_error', 'Busy, try again.'), { status: 503 });

function requests(fetch: ReturnType<typeof scripted>): string[] {
  return fetch.mock.calls.map(([url, init]) => `${init?.method ?? 'GET'} ${String(url)}`);
}

describe('the retry policy', () => {
  it('re-sends the prompt after a network failure before the stream started', async () => {
    const fetch = scripted(unreachable, () => eventStream([frames([start, delta('a'), done])]));

    const result = await run(fetch);

    expect(result.outcome.type).toBe('completed');
    expect(requests(fetch)).toEqual([`POST ${API_PATHS.chat}`, `POST ${API_PATHS.chat}`]);
    expect(result.states).toEqual([
      ['connecting', 0],
      ['connecting', 1],
      ['streaming', 1],
      ['done', 1],
    ]);
    expectEvents(result.events, [start, delta('a'), done]);
  });

  it('re-sends the prompt after a 5xx, which started nothing', async () => {
    const fetch = scripted(unavailable, () => eventStream([frames([start, done])]));

    const result = await run(fetch);

    expect(result.outcome.type).toBe('completed');
    expect(requests(fetch)).toEqual([`POST ${API_PATHS.chat}`, `POST ${API_PATHS.chat}`]);
  });

  it('gives up on an unreachable server after a bounded number of retries, backing off', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(async () => unreachable());

    const result = await run(fetch);

    expect(fetch).toHaveBeenCalledTimes(DEFAULT_RETRY_POLICY.maxRetries + 1);
    expect(result.waits).toEqual([500, 1000, 2000]);
    expect(result.outcome).toEqual({
      type: 'failed',
      failure: {
        kind: 'network',
        message: 'Could not reach the server. Check the connection, then send again (4 attempts).',
      },
    });
    expect(result.states.at(-1)).toEqual(['error', 3]);
  });

  it("names the status of a 5xx whose body is not the server's JSON, once retries ran out", async () => {
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
        message: 'The server answered 502 Bad Gateway (4 attempts).',
      },
    });
    expect(fetch).toHaveBeenCalledTimes(4);
  });

  it.each([400, 401, 404, 413, 415, 429])('never retries a %i', async (status) => {
    const fetch = vi.fn<typeof globalThis.fetch>(async () =>
      Response.json(apiErrorBody('invalid_request', 'No.'), { status }),
    );

    const result = await run(fetch);

    expect(fetch).toHaveBeenCalledOnce();
    expect(result.waits).toEqual([]);
    expect(result.outcome).toMatchObject({ type: 'failed', failure: { kind: 'http', status } });
  });

  it.each([
    ['not retryable', false],
    ['retryable', true],
  ])(
    'never retries after a server error event marked %s: it ended the stream',
    async (_name, retryable) => {
      const error: StreamEvent = {
        type: 'error',
        data: { code: 'server_shutdown', message: 'Restarting.', retryable },
      };
      const fetch = vi.fn<typeof globalThis.fetch>(async () =>
        eventStream([frames([start, delta('a'), error])]),
      );

      const result = await run(fetch);

      expect(fetch).toHaveBeenCalledOnce();
      expect(result.outcome).toEqual({ type: 'server-error', error: error.data });
    },
  );

  it('waits at least as long as a Retry-After asks', async () => {
    const fetch = scripted(
      () => new Response(null, { status: 503, headers: { 'retry-after': '3' } }),
      () => eventStream([frames([start, done])]),
    );

    const result = await run(fetch);

    expect(result.waits).toEqual([3000]);
    expect(result.outcome.type).toBe('completed');
  });

  it('resumes a cut stream after its last event, with no second POST and nothing twice', async () => {
    const fetch = scripted(
      () => eventStream([frames([start, delta('Hel')])]),
      // A server may replay from earlier than asked: what the page has must not appear twice.
      () => eventStream([frames([start, delta('Hel'), delta('lo'), done])]),
    );

    const result = await run(fetch);

    expect(requests(fetch)).toEqual([
      `POST ${API_PATHS.chat}`,
      `GET ${chatStreamPath('s1', 's1:1')}`,
    ]);
    expectEvents(result.events, [start, delta('Hel'), delta('lo'), done]);
    expect(result.outcome.type).toBe('completed');
    expect(result.states.map(([state]) => state)).toEqual([
      'connecting',
      'streaming',
      'connecting',
      'streaming',
      'done',
    ]);
  });

  it('resumes after an event it skipped, so that the event is not asked for again', async () => {
    const surprise = 'event: surprise\nid: s1:2\ndata: {}\n\n';
    const fetch = scripted(
      () => eventStream([frames([start, delta('a')]), surprise]),
      () => new Response(body([encodeEvent(done, 's1:3')]), { headers: STREAM_RESPONSE_HEADERS }),
    );

    const result = await run(fetch);

    expect(requests(fetch)).toEqual([
      `POST ${API_PATHS.chat}`,
      `GET ${chatStreamPath('s1', 's1:2')}`,
    ]);
    expectEvents(result.events, [start, delta('a'), done]);
  });

  it('resumes a connection that breaks mid-stream, from the last event it read', async () => {
    const fetch = scripted(
      () => eventStream([frames([start, delta('a'), delta('b')])], new TypeError('network error')),
      () =>
        new Response(body([encodeEvent(delta('c'), 's1:3'), encodeEvent(done, 's1:4')]), {
          headers: STREAM_RESPONSE_HEADERS,
        }),
    );

    const result = await run(fetch);

    expect(requests(fetch)).toEqual([
      `POST ${API_PATHS.chat}`,
      `GET ${chatStreamPath('s1', 's1:2')}`,
    ]);
    expectEvents(result.events, [start, delta('a'), delta('b'), delta('c'), done]);
  });

  it('learns from a resume that the instance generating it was lost, whatever the id it jumps to', async () => {
    const lost: StreamEvent = {
      type: 'error',
      data: { code: ERROR_CODES.instanceLost, message: 'stopped responding', retryable: true },
    };
    const fetch = scripted(
      () => eventStream([frames([start, delta('a'), delta('b')])]),
      // The server numbers the loss past anything the lost instance could have sent.
      () => eventStream([encodeEvent(lost, formatEventId('s1', MAX_EVENT_SEQUENCE))]),
    );

    const result = await run(fetch);

    expect(requests(fetch)).toEqual([
      `POST ${API_PATHS.chat}`,
      `GET ${chatStreamPath('s1', 's1:2')}`,
    ]);
    expectEvents(result.events, [start, delta('a'), delta('b'), lost]);
    expect(result.outcome).toEqual({ type: 'server-error', error: lost.data });
  });

  it('reports a cut stream whose server is gone, after a bounded number of resumes', async () => {
    const fetch = scripted(
      () => eventStream([frames([start, delta('half an ans')])]),
      unreachable,
      unavailable,
      unreachable,
    );

    const result = await run(fetch);

    expect(requests(fetch)).toEqual([
      `POST ${API_PATHS.chat}`,
      ...Array.from({ length: 3 }, () => `GET ${chatStreamPath('s1', 's1:1')}`),
    ]);
    expectEvents(result.events, [start, delta('half an ans')]);
    expect(result.outcome).toEqual({
      type: 'failed',
      failure: {
        kind: 'cut',
        message: `${FAILURE_MESSAGES.cut} The server could not be reached to resume it (4 attempts).`,
      },
    });
  });

  it('starts counting retries again once a resume brings new events', async () => {
    const cutAfter = (index: number) => () =>
      new Response(body([encodeEvent(delta(String(index)), formatEventId('s1', index))]), {
        headers: STREAM_RESPONSE_HEADERS,
      });
    const fetch = scripted(
      () => eventStream([frames([start])]),
      ...Array.from({ length: 6 }, (_, index) => cutAfter(index + 1)),
      () => new Response(body([encodeEvent(done, 's1:7')]), { headers: STREAM_RESPONSE_HEADERS }),
    );

    const result = await run(fetch);

    expect(result.outcome.type).toBe('completed');
    expect(fetch).toHaveBeenCalledTimes(8);
    expect(result.events.filter((event) => event.type === 'delta')).toHaveLength(6);
  });

  it('does not re-send a prompt whose stream opened but never said its id', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(async () => eventStream([HEARTBEAT_FRAME]));

    const result = await run(fetch);

    expect(fetch).toHaveBeenCalledOnce();
    expect(result.outcome).toEqual({
      type: 'failed',
      failure: { kind: 'cut', message: FAILURE_MESSAGES.cut },
    });
  });

  it.each([
    ['data that is not JSON', 'event: delta\ndata: plain text\n\n'],
    ['a 200 answer that is not an event stream', null],
  ])('never retries %s: the same request gets the same answer', async (_name, frame) => {
    const fetch = vi.fn<typeof globalThis.fetch>(async () =>
      frame
        ? eventStream([frames([start]), frame])
        : new Response('<!doctype html>', { headers: { 'content-type': 'text/html' } }),
    );

    const result = await run(fetch);

    expect(fetch).toHaveBeenCalledOnce();
    expect(result.outcome).toMatchObject({ type: 'failed', failure: { kind: 'protocol' } });
  });
});

describe('resume', () => {
  it('replays a stream by id from its first event when no event id is given', async () => {
    const fetch = scripted(() => eventStream([frames([start, delta('a'), done])]));
    const { streamClient, events } = client(fetch);

    const outcome = await streamClient.resume('s1');

    expect(requests(fetch)).toEqual([`GET ${chatStreamPath('s1')}`]);
    expect(fetch.mock.calls[0]?.[1]?.body).toBeUndefined();
    expectEvents(events, [start, delta('a'), done]);
    expect(outcome.type).toBe('completed');
    expect(streamClient.position).toEqual({ streamId: 's1', lastEventId: 's1:2' });
  });

  it('asks for the events after a given id', async () => {
    const fetch = scripted(() => eventStream([encodeEvent(done, 's1:5')]));
    const { streamClient } = client(fetch);

    await streamClient.resume('s1', 's1:4');

    expect(requests(fetch)).toEqual([`GET ${chatStreamPath('s1', 's1:4')}`]);
  });

  it('retries a resume whose server is briefly unreachable, resuming again', async () => {
    const fetch = scripted(unreachable, () => eventStream([frames([start, done])]));
    const { streamClient } = client(fetch);

    const outcome = await streamClient.resume('s1');

    expect(requests(fetch)).toEqual([`GET ${chatStreamPath('s1')}`, `GET ${chatStreamPath('s1')}`]);
    expect(outcome.type).toBe('completed');
  });

  it("shows the server's message for a stream it does not know, without retrying", async () => {
    const notFound: StreamEvent = {
      type: 'error',
      data: { code: 'stream_not_found', message: 'Unknown or expired stream.', retryable: false },
    };
    const fetch = vi.fn<typeof globalThis.fetch>(async () =>
      eventStream([encodeEvent(notFound, 's1:0')]),
    );
    const { streamClient } = client(fetch);

    const outcome = await streamClient.resume('s1');

    expect(outcome).toEqual({ type: 'server-error', error: notFound.data });
    expect(fetch).toHaveBeenCalledOnce();
  });
});

describe('stop', () => {
  it('aborts the request, tells the server to stop, and reads nothing more', async () => {
    const stream = openStream();
    const { streamClient, events, states } = client(stream.fetch);
    const running = streamClient.send(request);

    stream.send(frames([start, delta('first')]));
    await settle();
    streamClient.stop();
    const outcome = await running;

    expect(outcome).toEqual({ type: 'stopped' });
    expectEvents(events, [start, delta('first')]);
    expect(states.at(-1)).toEqual(['stopped', 0]);
    // Made in the stream worker, the request hears of the abort a message later.
    await expect.poll(() => stream.fetch.mock.calls[0]?.[1]?.signal?.aborted).toBe(true);
    expect(stream.fetch).toHaveBeenCalledTimes(2);
    const [url, init] = stream.fetch.mock.calls[1] ?? [];
    expect(url).toBe(chatStreamPath('s1'));
    expect(init).toMatchObject({ method: 'DELETE', keepalive: true });
  });

  it('ignores a failing stop request: the stream is stopped on this side either way', async () => {
    const stream = openStream();
    const fetch = vi.fn<typeof globalThis.fetch>(async (input, init) => {
      if (init?.method === 'DELETE') throw new TypeError('Failed to fetch');
      return stream.fetch(input, init);
    });
    const { streamClient } = client(fetch);
    const running = streamClient.send(request);
    stream.send(frames([start]));
    await settle();

    streamClient.stop();

    expect(await running).toEqual({ type: 'stopped' });
  });

  it('stops a retry that is waiting, with no further request', async () => {
    const fetch = scripted(
      () => eventStream([frames([start, delta('a')])]),
      () => new Response(null, { status: 204 }),
    );
    let stopNow = () => {};
    const { streamClient, waits } = client(fetch, {
      wait: (ms, signal) =>
        new Promise((resolve) => {
          waits.push(ms);
          signal.addEventListener('abort', () => resolve());
          stopNow();
        }),
    });
    stopNow = () => streamClient.stop();

    const outcome = await streamClient.send(request);

    expect(outcome).toEqual({ type: 'stopped' });
    expect(requests(fetch)).toEqual([`POST ${API_PATHS.chat}`, `DELETE ${chatStreamPath('s1')}`]);
  });

  it('sends no stop request for a stream that has not said its id yet', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(
      (_input, init) =>
        new Promise((_resolve, reject) =>
          init?.signal?.addEventListener('abort', () => reject(new DOMException('', 'AbortError'))),
        ),
    );
    const { streamClient } = client(fetch);
    const running = streamClient.send(request);
    await settle();

    streamClient.stop();

    expect(await running).toEqual({ type: 'stopped' });
    expect(fetch).toHaveBeenCalledOnce();
  });

  it('does nothing when no stream is running', () => {
    const fetch = vi.fn<typeof globalThis.fetch>();
    const { streamClient, states } = client(fetch);

    streamClient.stop();

    expect(fetch).not.toHaveBeenCalled();
    expect(states).toEqual([]);
  });
});
