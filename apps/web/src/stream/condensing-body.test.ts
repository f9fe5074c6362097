import { encodeEvent, formatEventId, STREAM_RESPONSE_HEADERS } from '@gpt-stream/protocol';
import { describe, expect, it } from 'vitest';
import { inThreadCondenser } from '../test-support/in-thread-condenser.ts';
import { createBodyCondenser } from './condensing-body.ts';

const encoder = new TextEncoder();
const delta = (text: string, sequence: number) =>
  encodeEvent({ type: 'delta', data: { text } }, formatEventId('s1', sequence));

/** A body the test feeds by hand: `send` a chunk, then `end` it or `fail` it. */
function feed() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled: unknown = null;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    cancel(reason) {
      cancelled = reason ?? 'cancelled';
    },
  });
  return {
    response: new Response(body, { headers: STREAM_RESPONSE_HEADERS }),
    send: (text: string) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
    fail: (error: Error) => controller.error(error),
    cancelled: () => cancelled,
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

/** A condenser whose worker has said it runs. */
async function running() {
  const fake = inThreadCondenser();
  const condense = createBodyCondenser(() => fake.worker);
  await turns();
  return { fake, condense };
}

describe('a body condensed in a worker', () => {
  it('arrives as fewer events with the same text, and keeps the status and headers', async () => {
    const { condense } = await running();
    const source = feed();
    const response = condense(source.response, null);
    expect(response).not.toBe(source.response);
    expect(response.headers.get('content-type')).toBe(source.response.headers.get('content-type'));
    source.send(delta('a', 1) + delta('b', 2));
    source.send(delta('c', 3));
    source.end();
    const { text, error } = await readAll(response);
    expect(error).toBeNull();
    expect(text).toBe(
      'event: delta\nid: s1:2\ndata: {"text":"ab"}\n\nevent: delta\nid: s1:3\ndata: {"text":"c"}\n\n',
    );
  });

  it('tells the worker which events a resume sends again', async () => {
    const { fake, condense } = await running();
    const source = feed();
    const response = condense(source.response, { streamId: 's1', sequence: 1 });
    source.send(delta('a', 1) + delta('b', 2));
    source.end();
    expect((await readAll(response)).text).toContain('{"text":"b"}');
    expect(fake.received[0]).toEqual({ stream: 1, open: { streamId: 's1', sequence: 1 } });
  });

  it('delivers everything the worker made of a body before the body breaks', async () => {
    const { condense } = await running();
    const source = feed();
    const response = condense(source.response, null);
    source.send(delta('kept', 1));
    source.fail(new TypeError('network'));
    const { text, error } = await readAll(response);
    expect(text).toContain('{"text":"kept"}');
    expect(error).toEqual(new TypeError('network'));
  });

  it('leaves an error response, and every body where no worker can start, as they are', () => {
    const condense = createBodyCondenser(() => inThreadCondenser().worker);
    const refused = new Response('{}', { status: 429 });
    expect(condense(refused, null)).toBe(refused);
    const noWorker = createBodyCondenser(() => {
      throw new ReferenceError('Worker is not defined');
    });
    const source = feed();
    expect(noWorker(source.response, null)).toBe(source.response);
  });

  it('leaves a body as it is while the worker has not said it runs, and after it failed', async () => {
    const starting = inThreadCondenser({ starts: false });
    const early = createBodyCondenser(() => starting.worker);
    const first = feed();
    expect(early(first.response, null)).toBe(first.response);

    const { fake, condense } = await running();
    fake.fail();
    const later = feed();
    expect(condense(later.response, null)).toBe(later.response);
  });

  it('breaks a body whose worker fails: the page resumes the stream without it', async () => {
    const { fake, condense } = await running();
    const source = feed();
    const result = readAll(condense(source.response, null));
    source.send(delta('a', 1));
    await turns();
    fake.fail();
    const { text, error } = await result;
    expect(text).toContain('{"text":"a"}');
    expect(error).toBeInstanceOf(TypeError);
  });

  it('cancels the response it reads, and frees the worker, when the page stops reading', async () => {
    const { fake, condense } = await running();
    const source = feed();
    const response = condense(source.response, null);
    await response.body?.cancel('stop');
    expect(source.cancelled()).toBe('stop');
    expect(fake.received).toContainEqual({ stream: 1, close: true });
  });
});
