import { once } from 'node:events';
import { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { API_PATHS, chatStreamPath } from '@gpt-stream/protocol';
import { createParser } from 'eventsource-parser';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_READER_MAX_LAG_BYTES } from '../config/config.ts';
import type { Model } from '../models/model.ts';
import { rawRequest, sendUnread } from '../test-support/raw-http.ts';
import {
  activeStreams,
  gatedModel,
  postChat,
  readStream,
  readUntilFirstDelta,
  startTestServer,
  type TestServer,
  textOf,
} from '../test-support/server.ts';

/** A model that yields `chunk` forever and records how far it got and whether it was cleaned up. */
function probeModel({
  chunk = 'x',
  delayMs = 0,
  failAfter = Number.POSITIVE_INFINITY,
  holdAfter = Number.POSITIVE_INFINITY,
} = {}) {
  const probe = { pulled: 0, finished: false, signal: undefined as AbortSignal | undefined };
  const model: Model = {
    id: 'probe',
    description: 'test model',
    async *generate({ signal }) {
      probe.signal = signal;
      try {
        for (;;) {
          if (delayMs > 0) await sleep(delayMs, undefined, { signal });
          if (probe.pulled === failAfter) throw new Error('secret internal detail');
          // Thinks until stopped.
          if (probe.pulled === holdAfter) await sleep(2 ** 30, undefined, { signal });
          probe.pulled++;
          yield chunk;
        }
      } finally {
        probe.finished = true;
      }
    },
  };
  return { probe, model };
}

/** Reads a stream until the first delta, then hands back the still-open reader. */
async function openUntilFirstDelta(
  server: TestServer,
  abort: AbortController,
  body: object = { prompt: 'Hi', resumable: false },
) {
  return readUntilFirstDelta(await postChat(server, body, { signal: abort.signal }));
}

let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
  vi.restoreAllMocks();
});

describe('a reader that leaves a stream that is not resumable', () => {
  it('stops the model at once and frees the stream', async () => {
    const { probe, model } = probeModel({ delayMs: 10 });
    server = await startTestServer({ models: [model] });
    const abort = new AbortController();
    await openUntilFirstDelta(server, abort);
    expect(await activeStreams(server)).toBe(1);

    abort.abort();
    await expect.poll(() => probe.finished, { timeout: 1000 }).toBe(true);
    expect(probe.signal?.aborted).toBe(true);
    await expect.poll(() => activeStreams(server as TestServer), { timeout: 1000 }).toBe(0);
  });

  it('frees the stream even when the model ignores its signal', async () => {
    const model: Model = {
      id: 'stuck',
      description: 'never finishes and never listens',
      async *generate() {
        yield 'first';
        await new Promise(() => undefined);
        return { finishReason: 'stop', usage: { promptTokens: 0, completionTokens: 1 } };
      },
    };
    server = await startTestServer({ models: [model] });
    const abort = new AbortController();
    await openUntilFirstDelta(server, abort);
    abort.abort();
    await expect.poll(() => activeStreams(server as TestServer), { timeout: 1000 }).toBe(0);
  });

  it('counts each open stream once', async () => {
    const { model } = probeModel({ delayMs: 10 });
    server = await startTestServer({ models: [model] });
    const aborts = [new AbortController(), new AbortController(), new AbortController()];
    await Promise.all(aborts.map((abort) => openUntilFirstDelta(server as TestServer, abort)));
    expect(await activeStreams(server)).toBe(3);
    for (const abort of aborts) abort.abort();
    await expect.poll(() => activeStreams(server as TestServer), { timeout: 1000 }).toBe(0);
  });
});

describe('a reader that leaves a resumable stream', () => {
  it('keeps the model running for a resume, until the stream is stopped on purpose', async () => {
    const { probe, model } = probeModel({ delayMs: 5 });
    server = await startTestServer({ models: [model] });
    const abort = new AbortController();
    await openUntilFirstDelta(server, abort, { prompt: 'Hi' });
    const streamId = server.streams.runningIds()[0] as string;
    abort.abort();

    const pulledAtDrop = probe.pulled;
    await expect.poll(() => probe.pulled, { timeout: 5000 }).toBeGreaterThan(pulledAtDrop + 5);
    console.log('REASON', probe.signal?.reason, probe.pulled);
    expect(probe.finished).toBe(false);
    expect(await activeStreams(server)).toBe(1);

    const stopped = await fetch(`${server.url}${chatStreamPath(streamId)}`, { method: 'DELETE' });
    expect(stopped.status).toBe(204);
    await expect.poll(() => probe.finished, { timeout: 1000 }).toBe(true);
    expect(probe.signal?.aborted).toBe(true);
    expect(await activeStreams(server)).toBe(0);
  });

  it('stops it once nobody has read it for the retention time', async () => {
    const { probe, model } = probeModel({ delayMs: 5 });
    server = await startTestServer({ models: [model], config: { streamRetentionMs: 300 } });
    const abort = new AbortController();
    await openUntilFirstDelta(server, abort, { prompt: 'Hi' });
    const streamId = server.streams.runningIds()[0] as string;
    abort.abort();

    await expect.poll(() => activeStreams(server as TestServer), { timeout: 5000 }).toBe(0);
    expect(probe.finished).toBe(true);
    const { events } = await readStream(await fetch(`${server.url}${chatStreamPath(streamId)}`));
    expect(events.at(-1)?.event).toEqual({
      type: 'error',
      data: {
        code: 'stream_abandoned',
        message: expect.stringContaining('300 ms'),
        retryable: false,
      },
    });
  });
});

/** Starts a stream that cannot be resumed on a connection that never reads a byte. */
function startUnreadStream(on: TestServer) {
  const body = JSON.stringify({ prompt: 'Hi', resumable: false });
  return sendUnread(on.port, [
    rawRequest({
      method: 'POST',
      path: API_PATHS.chat,
      headers: { 'Content-Type': 'application/json' },
      body,
    }),
  ]);
}

describe('a slow reader', () => {
  it('never holds the model back, and is cut once it falls too far behind', async () => {
    const chunk = 'x'.repeat(4096);
    const { probe, model } = probeModel({ chunk });
    server = await startTestServer({ models: [model] });
    const socket = await startUnreadStream(server);

    // Its only reader cut, a stream that cannot be resumed stops: the model ran on meanwhile,
    // past what the socket could take, but no further than the bound.
    await expect.poll(() => probe.finished, { timeout: 10_000 }).toBe(true);
    expect(probe.pulled * chunk.length).toBeGreaterThan(DEFAULT_READER_MAX_LAG_BYTES / 2);
    // Kernel socket buffers on loopback hold a few MiB; the log the bound, the server one chunk.
    expect(probe.pulled * chunk.length).toBeLessThan(32 * 1024 * 1024);
    await expect.poll(() => activeStreams(server as TestServer), { timeout: 1000 }).toBe(0);
    socket.destroy();
  });

  it('is kept as far behind as READER_MAX_LAG_BYTES allows', { timeout: 30_000 }, async () => {
    const chunk = 'x'.repeat(4096);
    // 40 MiB of text: past what the default bound and every buffer on the way take (see the
    // test above), within the one set here.
    const chunks = 10 * 1024;
    const { probe, model } = probeModel({ chunk, holdAfter: chunks });
    server = await startTestServer({
      models: [model],
      config: { readerMaxLagBytes: 256 * 1024 * 1024, memoryStoreMaxBytes: 1024 * 1024 * 1024 },
    });
    const socket = await startUnreadStream(server);

    await expect.poll(() => probe.pulled, { timeout: 20_000 }).toBe(chunks);
    // The reader that never reads is still there, and so is the stream.
    expect(await activeStreams(server)).toBe(1);
    expect(server.streams.readers).toBe(1);
    expect(probe.finished).toBe(false);
    socket.destroy();
    await expect.poll(() => probe.finished, { timeout: 5000 }).toBe(true);
  });

  it('cannot freeze the stream for its other readers: a live reader keeps receiving deltas', {
    timeout: 30_000,
  }, async () => {
    const token = 'y'.repeat(32 * 1024);
    const big = gatedModel('big', () => token);
    server = await startTestServer({ models: [big.model] });
    const response = await postChat(server, { prompt: 'Hi' });
    const live = { streamId: '', deltas: 0, ended: false };
    const parser = createParser({
      onEvent({ event, data }) {
        if (event === 'start') live.streamId = JSON.parse(data).streamId;
        if (event === 'delta') live.deltas++;
        if (event === 'done') live.ended = true;
      },
    });
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of response.body ?? [])
        parser.feed(decoder.decode(chunk, { stream: true }));
    })();
    await expect.poll(() => live.streamId).not.toBe('');
    // Anyone holding the id: two pipelined resumes on one connection, never read.
    const resume = rawRequest({ method: 'GET', path: chatStreamPath(live.streamId) });
    const intruder = await sendUnread(server.port, [resume, resume]);
    await expect.poll(() => server?.streams.readers).toBe(2);

    // Each token reaches the live reader before the next is made: 8 MiB of them, far past what
    // the intruder's socket and the lag bound take.
    const tokens = (8 * 1024 * 1024) / token.length;
    for (let index = 1; index <= tokens; index++) {
      big.release();
      await expect.poll(() => live.deltas, { interval: 1 }).toBe(index);
    }
    // The intruder was cut: it holds no reader, and what it got ends without a terminal event.
    expect(server.streams.readers).toBe(1);
    const intruderClosed = once(intruder, 'close');
    let intruderTail = '';
    intruder.setEncoding('latin1');
    intruder.on('data', (data: string) => {
      intruderTail = (intruderTail + data).slice(-1000);
    });
    intruder.resume();
    await intruderClosed;
    expect(intruderTail).not.toMatch(/event: (done|error)/);

    big.finish();
    await reading;
    expect(live).toMatchObject({ deltas: tokens, ended: true });
  });
});

describe('the writes of a stream', () => {
  it('carry every event that is ready in one turn in one write', async () => {
    const model: Model = {
      id: 'burst',
      description: 'five tokens at once, then done',
      async *generate() {
        for (const token of ['one', ' two', ' three', ' four', ' five']) yield token;
        return { finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 5 } };
      },
    };
    server = await startTestServer({ models: [model] });
    const write = vi.spyOn(Socket.prototype, 'write');
    const stream = await readStream(await postChat(server, { prompt: 'Hi' }));
    const eventWrites = write.mock.calls.filter(([data]) => String(data).includes('event: '));

    expect(stream.events.map(({ event }) => event.type)).toEqual([
      'start',
      ...Array(5).fill('delta'),
      'done',
    ]);
    expect(textOf(stream)).toBe('one two three four five');
    // Without batching this is seven writes: start, five deltas, done.
    expect(eventWrites).toHaveLength(1);
  });
});

describe('a model that fails', () => {
  it('ends the stream with one error event that hides the internal message', async () => {
    const { probe, model } = probeModel({ failAfter: 2 });
    server = await startTestServer({ models: [model] });
    const received = await readStream(await postChat(server, { prompt: 'Hi' }));
    expect(received.events.map(({ event }) => event.type)).toEqual([
      'start',
      'delta',
      'delta',
      'error',
    ]);
    expect(received.events.at(-1)?.event.data).toEqual({
      code: 'model_failed',
      message: 'The model failed while writing its answer.',
      retryable: true,
    });
    expect(JSON.stringify(received)).not.toContain('secret');
    expect(textOf(received)).toBe('xx');
    expect(server.logs).toContainEqual(
      expect.objectContaining({
        level: 'error',
        outcome: 'model_failed',
        err: expect.objectContaining({ message: 'secret internal detail' }),
      }),
    );
    expect(probe.finished).toBe(true);
    expect(await activeStreams(server)).toBe(0);
  });
});

describe('the server ending streams itself', () => {
  it('sends the reason as the one terminal event and stops the model', async () => {
    const { probe, model } = probeModel({ delayMs: 10 });
    server = await startTestServer({ models: [model] });
    const response = await postChat(server, { prompt: 'Hi' });
    const reading = readStream(response);
    await expect.poll(() => server?.streams.size).toBe(1);
    await expect.poll(() => probe.pulled).toBeGreaterThan(0);
    const reason = { code: 'server_shutdown', message: 'Restarting.', retryable: true };
    server.streams.stopAll(reason);

    const { events } = await reading;
    expect(events.at(-1)?.event).toEqual({ type: 'error', data: reason });
    expect(
      events.filter(({ event }) => event.type === 'error' || event.type === 'done'),
    ).toHaveLength(1);
    expect(probe.finished).toBe(true);
    expect(server.streams.size).toBe(0);
  });
});
