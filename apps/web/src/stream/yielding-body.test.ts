import { describe, expect, it, vi } from 'vitest';
import { withYieldingBody } from './yielding-body.ts';

function response(chunks: Uint8Array[], init?: ResponseInit): Response {
  const queue = [...chunks];
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = queue.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
  return new Response(body, init);
}

async function readAll(body: ReadableStream<Uint8Array> | null): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  const reader = (body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    chunks.push(value);
  }
}

const bytes = (length: number, fill = 1) => new Uint8Array(length).fill(fill);

describe('withYieldingBody', () => {
  it('hands the body over in slices, the bytes unchanged', async () => {
    const original = [bytes(10, 1), bytes(3, 2)];
    const wrapped = withYieldingBody(response(original), { sliceBytes: 4 });

    const chunks = await readAll(wrapped.body);

    expect(chunks.map((chunk) => chunk.length)).toEqual([4, 4, 2, 3]);
    expect(Buffer.concat(chunks)).toEqual(Buffer.concat(original));
  });

  it('gives the event loop a turn each time the budget is spent', async () => {
    let clock = 0;
    const yieldToEventLoop = vi.fn(async () => {});
    const wrapped = withYieldingBody(response([bytes(40)]), {
      sliceBytes: 4,
      budgetMs: 8,
      now: () => clock,
      yieldToEventLoop,
    });
    const reader = (wrapped.body as ReadableStream<Uint8Array>).getReader();

    // Every slice costs 3 ms to handle: a turn after every third slice.
    for (let slice = 0; slice < 10; slice++) {
      await reader.read();
      clock += 3;
    }
    await reader.read();

    expect(yieldToEventLoop).toHaveBeenCalledTimes(3);
  });

  it('keeps the status and headers', () => {
    const original = response([bytes(1)], {
      status: 200,
      statusText: 'OK',
      headers: { 'content-type': 'text/event-stream' },
    });

    const wrapped = withYieldingBody(original);

    expect(wrapped.status).toBe(200);
    expect(wrapped.statusText).toBe('OK');
    expect(wrapped.headers.get('content-type')).toBe('text/event-stream');
  });

  it('leaves an error response alone, so that its body can be read as it is', () => {
    const original = response([bytes(1)], { status: 503 });
    expect(withYieldingBody(original)).toBe(original);
  });

  it('passes a break in the connection on to the reader', async () => {
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new TypeError('network error'));
      },
    });
    const wrapped = withYieldingBody(new Response(broken));

    await expect(readAll(wrapped.body)).rejects.toThrow('network error');
  });

  it('cancels the original body when the reader cancels', async () => {
    const cancel = vi.fn();
    const original = new Response(new ReadableStream<Uint8Array>({ cancel }));
    const wrapped = withYieldingBody(original);

    await wrapped.body?.cancel('stop');

    expect(cancel).toHaveBeenCalledWith('stop');
  });
});
