import {
  API_PATHS,
  ApiErrorBodySchema,
  chatStreamPath,
  EVENT_STREAM_TYPE,
  hasMediaType,
  LAST_EVENT_ID_HEADER,
} from '@gpt-stream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ADVERSARIAL_TEXT,
  activeStreams,
  type CutStream,
  gatedModel,
  postChat,
  type ReceivedStream,
  readStream,
  readUntilCut,
  sequencesOf,
  startTestServer,
  streamIdOf,
  type TestServer,
  textOf,
} from '../test-support/server.ts';

const ADVERSARIAL = ADVERSARIAL_TEXT;

let server: TestServer;

afterEach(async () => {
  await server?.close();
});

function getStream(streamId: string, after?: string) {
  return fetch(`${server.url}${chatStreamPath(streamId, after)}`);
}

function resumeByPost(lastEventId: string, body: unknown = { prompt: 'ignored' }) {
  return postChat(server, body, {
    headers: { 'Content-Type': 'application/json', [LAST_EVENT_ID_HEADER]: lastEventId },
  });
}

/** The one terminal event of a stream that must be nothing but that error. */
function onlyError(received: ReceivedStream) {
  expect(received.events).toHaveLength(1);
  return received.events[0]?.event;
}

const resumes = {
  'POST with Last-Event-ID': (cut: CutStream) =>
    resumeByPost(cut.lastId, { prompt: ADVERSARIAL, model: 'echo' }),
  'GET ?after=': (cut: CutStream) => getStream(streamIdOf(cut), cut.lastId),
};

describe('a connection cut mid-stream', () => {
  it.each(Object.keys(resumes) as (keyof typeof resumes)[])(
    'resumes by %s with exactly the original text, no event twice',
    async (how) => {
      server = await startTestServer({ config: { mockDelayMs: 5 } });
      const cut = await readUntilCut(`${server.url}${API_PATHS.chat}`, {
        body: { prompt: ADVERSARIAL, model: 'echo' },
        events: 6,
      });
      const rest = await readStream(await resumes[how](cut));

      expect(textOf(cut) + textOf(rest)).toBe(ADVERSARIAL);
      const ids = [...sequencesOf(cut), ...sequencesOf(rest)];
      expect(ids).toEqual(ids.map((_, index) => index));
      expect(rest.events.at(-1)?.event.type).toBe('done');
      expect(rest.events.filter(({ event }) => event.type === 'start')).toHaveLength(0);
      expect(await activeStreams(server)).toBe(0);
    },
  );

  it('replays what the reader missed, then follows the generation live', async () => {
    const gated = gatedModel();
    server = await startTestServer({ models: [gated.model] });
    gated.release(3);
    const cut = await readUntilCut(`${server.url}${API_PATHS.chat}`, {
      body: { prompt: 'Hi' },
      events: 4,
    });
    // Generated while nobody reads.
    gated.release(2);
    await expect.poll(() => gated.gate.pulled).toBe(5);
    expect(await activeStreams(server)).toBe(1);

    const resumed = getStream(streamIdOf(cut), cut.lastId);
    const reading = resumed.then(readStream);
    await resumed;
    gated.release(2);
    await expect.poll(() => gated.gate.pulled).toBe(7);
    gated.finish();
    const rest = await reading;

    expect(textOf(cut)).toBe('token 0 token 1 token 2 ');
    expect(textOf(rest)).toBe('token 3 token 4 token 5 token 6 ');
    expect(sequencesOf(rest)).toEqual([4, 5, 6, 7, 8]);
    expect(rest.events.at(-1)?.event).toEqual({
      type: 'done',
      data: { finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 7 } },
    });
  });

  it('replays the whole stream to a GET without after, even once it has finished', async () => {
    server = await startTestServer();
    const original = await readStream(
      await postChat(server, { prompt: ADVERSARIAL, model: 'echo' }),
    );
    const again = await readStream(await getStream(streamIdOf(original)));
    expect(again.events).toEqual(original.events);
  });

  it('sends only the terminal event to a reader that already has everything', async () => {
    server = await startTestServer();
    const original = await readStream(await postChat(server, { prompt: 'Hi', model: 'echo' }));
    const last = original.events.at(-1);
    const again = await readStream(await resumeByPost(last?.id ?? ''));
    expect(again.events).toEqual([last]);
  });
});

describe('a resume that cannot be served', () => {
  const unknown = '0b7e7a52-63a5-4c43-9d8f-3a1b2c3d4e5f';

  it.each([
    ['GET', () => getStream(unknown)],
    ['GET ?after=', () => getStream(unknown, `${unknown}:4`)],
    ['POST with Last-Event-ID', () => resumeByPost(`${unknown}:4`)],
  ])(
    'answers %s of an unknown stream with one stream_not_found error, not a new generation',
    async (_how, resume) => {
      server = await startTestServer();
      const response = await resume();
      expect(response.status).toBe(200);
      expect(hasMediaType(response.headers.get('content-type'), EVENT_STREAM_TYPE)).toBe(true);
      expect(onlyError(await readStream(response))).toEqual({
        type: 'error',
        data: {
          code: 'stream_not_found',
          message: expect.stringContaining('unknown or has expired'),
          retryable: false,
        },
      });
      expect(await activeStreams(server)).toBe(0);
    },
  );

  it('answers a resume after the retention time with stream_not_found', async () => {
    server = await startTestServer({ config: { streamRetentionMs: 200 } });
    const original = await readStream(await postChat(server, { prompt: 'Hi', model: 'echo' }));
    const streamId = streamIdOf(original);
    expect((await readStream(await getStream(streamId))).events).toEqual(original.events);

    await expect
      .poll(async () => (await readStream(await getStream(streamId))).events[0]?.event, {
        timeout: 5000,
      })
      .toMatchObject({ type: 'error', data: { code: 'stream_not_found' } });
    expect(await activeStreams(server)).toBe(0);
  });

  it('keeps nothing of a stream sent with resumable: false', async () => {
    const gated = gatedModel();
    server = await startTestServer({ models: [gated.model] });
    gated.release(2);
    const cut = await readUntilCut(`${server.url}${API_PATHS.chat}`, {
      body: { prompt: 'Hi', resumable: false },
      events: 2,
    });
    await expect.poll(() => gated.gate.finished, { timeout: 1000 }).toBe(true);
    expect(await activeStreams(server)).toBe(0);
    const again = await readStream(await getStream(streamIdOf(cut), cut.lastId));
    expect(onlyError(again)).toMatchObject({ data: { code: 'stream_not_found' } });
  });

  it.each([
    ['a stream id that is not one', () => fetch(`${server.url}/api/chat/not%20an%20id`)],
    ['an after that is not an event id', () => getStream('abc', 'abc')],
    ['an after of another stream', () => getStream('abc', 'abd:3')],
    ['two afters', () => fetch(`${server.url}${chatStreamPath('abc')}?after=abc:1&after=abc:2`)],
    ['a Last-Event-ID that is not an event id', () => resumeByPost('garbage')],
    [
      'a DELETE of a stream id that is not one',
      () => fetch(`${server.url}/api/chat/a:b`, { method: 'DELETE' }),
    ],
  ])('answers %s with a 400 JSON error', async (_name, send) => {
    server = await startTestServer();
    const response = await send();
    expect(response.status).toBe(400);
    expect(ApiErrorBodySchema.parse(await response.json()).error.code).toBe('invalid_request');
    expect(await activeStreams(server)).toBe(0);
  });
});

describe('DELETE /api/chat/:streamId', () => {
  it('stops generation at once and ends the attached reader with stream_stopped', async () => {
    const gated = gatedModel();
    server = await startTestServer({ models: [gated.model] });
    gated.release(2);
    const response = await postChat(server, { prompt: 'Hi' });
    const reading = readStream(response);
    await expect.poll(() => gated.gate.pulled).toBe(2);
    const [streamId] = server.streams.runningIds();

    const stop = await fetch(`${server.url}${chatStreamPath(streamId as string)}`, {
      method: 'DELETE',
    });
    expect(stop.status).toBe(204);
    const { events } = await reading;
    expect(events.map(({ event }) => event.type)).toEqual(['start', 'delta', 'delta', 'error']);
    expect(events.at(-1)?.event.data).toEqual({
      code: 'stream_stopped',
      message: expect.any(String),
      retryable: false,
    });
    expect(gated.gate.finished).toBe(true);
    expect(await activeStreams(server)).toBe(0);

    // A later resume sees how it ended rather than a new generation.
    const again = await readStream(await getStream(streamId as string, events[2]?.id));
    expect(again.events.map(({ event }) => event.type)).toEqual(['error']);
  });

  it('answers an unknown stream with a 404 JSON error', async () => {
    server = await startTestServer();
    const response = await fetch(`${server.url}${chatStreamPath('no-such-stream')}`, {
      method: 'DELETE',
    });
    expect(response.status).toBe(404);
    expect(ApiErrorBodySchema.parse(await response.json()).error.code).toBe('stream_not_found');
  });
});

describe('a full memory store', () => {
  it('refuses new streams with a 503 while running ones fill it, then makes room from finished ones', async () => {
    const kept = gatedModel('kept');
    const unkept = gatedModel('unkept');
    server = await startTestServer({
      models: [kept.model, unkept.model],
      config: { memoryStoreMaxStreams: 1 },
    });
    const first = readStream(await postChat(server, { prompt: 'Hi' }));
    await expect.poll(() => activeStreams(server)).toBe(1);

    const refused = await postChat(server, { prompt: 'Hi' });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(ApiErrorBodySchema.parse(await refused.json()).error.code).toBe('server_busy');
    // A caller that never resumes needs no room in the store.
    const unkeptStream = await postChat(server, {
      prompt: 'Hi',
      model: 'unkept',
      resumable: false,
    });
    expect(unkeptStream.status).toBe(200);
    await unkeptStream.body?.cancel();

    kept.finish();
    await first;
    const next = await postChat(server, { prompt: 'Hi' });
    expect(next.status).toBe(200);
    await next.body?.cancel();
  });
});
