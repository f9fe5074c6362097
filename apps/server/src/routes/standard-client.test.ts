import {
  API_PATHS,
  ApiErrorBodySchema,
  chatStreamPath,
  LAST_EVENT_ID_HEADER,
} from '@gpt-stream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { followWithEventSource } from '../test-support/event-source.ts';
import {
  ADVERSARIAL_TEXT,
  postChat,
  readStream,
  readUntilCut,
  sequencesOf,
  startTestServer,
  streamIdOf,
  type TestServer,
  textOf,
} from '../test-support/server.ts';

let server: TestServer;

afterEach(async () => {
  await server?.close();
});

function streamUrl(streamId: string, after?: string): string {
  return `${server.url}${chatStreamPath(streamId, after)}`;
}

async function finishedStream() {
  const original = await readStream(
    await postChat(server, { prompt: ADVERSARIAL_TEXT, model: 'echo' }),
  );
  return { original, streamId: streamIdOf(original), lastId: original.events.at(-1)?.id ?? '' };
}

describe('a standard EventSource on GET /api/chat/:streamId', { timeout: 20_000 }, () => {
  it('gets the rest of a cut stream exactly once, then a 204 that stops its reconnects', async () => {
    server = await startTestServer({ config: { mockDelayMs: 5 } });
    const cut = await readUntilCut(`${server.url}${API_PATHS.chat}`, {
      body: { prompt: ADVERSARIAL_TEXT, model: 'echo' },
      events: 6,
    });
    const run = await followWithEventSource(streamUrl(streamIdOf(cut), cut.lastId));

    expect(textOf(cut) + textOf(run)).toBe(ADVERSARIAL_TEXT);
    const ids = [...sequencesOf(cut), ...sequencesOf(run)];
    expect(ids).toEqual(ids.map((_, index) => index));
    const done = run.events.at(-1);
    expect(done?.event.type).toBe('done');
    // Its reconnect, sent because the response ended, carries the terminal event's id.
    expect(run.requests).toEqual([
      { lastEventId: null, status: 200 },
      { lastEventId: done?.id, status: 204 },
    ]);
  });

  it('replays a finished stream once from its start, then stops', async () => {
    server = await startTestServer();
    const { original, streamId, lastId } = await finishedStream();
    const run = await followWithEventSource(streamUrl(streamId));
    expect(run.events).toEqual(original.events);
    expect(run.requests).toEqual([
      { lastEventId: null, status: 200 },
      { lastEventId: lastId, status: 204 },
    ]);
  });

  it('learns once that a stream is unknown, then stops', async () => {
    server = await startTestServer();
    const unknown = '0b7e7a52-63a5-4c43-9d8f-3a1b2c3d4e5f';
    const run = await followWithEventSource(streamUrl(unknown, `${unknown}:3`));
    expect(run.events.map(({ event }) => event)).toEqual([
      { type: 'error', data: expect.objectContaining({ code: 'stream_not_found' }) },
    ]);
    expect(run.requests).toEqual([
      { lastEventId: null, status: 200 },
      { lastEventId: `${unknown}:3`, status: 404 },
    ]);
  });
});

describe('GET /api/chat/:streamId as the SSE spec has it', () => {
  it('resumes after Last-Event-ID rather than after when both are given', async () => {
    server = await startTestServer();
    const { original, streamId } = await finishedStream();
    const response = await fetch(streamUrl(streamId, `${streamId}:1`), {
      headers: { [LAST_EVENT_ID_HEADER]: `${streamId}:3` },
    });
    expect((await readStream(response)).events).toEqual(original.events.slice(4));
  });

  it.each([
    ['after', (id: string) => fetch(streamUrl(id.split(':')[0] as string, id))],
    [
      LAST_EVENT_ID_HEADER,
      (id: string) =>
        fetch(streamUrl(id.split(':')[0] as string), { headers: { [LAST_EVENT_ID_HEADER]: id } }),
    ],
  ])('answers 204 No Content when %s is the terminal event or past it', async (_how, get) => {
    server = await startTestServer();
    const { streamId, lastId } = await finishedStream();
    const terminalSeq = Number(lastId.split(':')[1]);
    for (const id of [lastId, `${streamId}:${terminalSeq + 5}`]) {
      const response = await get(id);
      expect(response.status).toBe(204);
      expect(await response.text()).toBe('');
    }
  });

  it.each([
    ['not an event id', () => 'garbage'],
    ['an event id of another stream', () => 'other-stream:2'],
  ])('answers a Last-Event-ID that is %s with a 400 JSON error', async (_what, header) => {
    server = await startTestServer();
    const { streamId } = await finishedStream();
    const response = await fetch(streamUrl(streamId, `${streamId}:1`), {
      headers: { [LAST_EVENT_ID_HEADER]: header() },
    });
    expect(response.status).toBe(400);
    const { error } = ApiErrorBodySchema.parse(await response.json());
    expect(error).toMatchObject({ code: 'invalid_request' });
    expect(error.message).toContain(LAST_EVENT_ID_HEADER);
  });
});
