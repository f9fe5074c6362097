export interface YieldingBodyOptions {
  /** Largest piece handed to the reader at once. */
  sliceBytes?: number;
  /** Main-thread time the reader may use before the event loop gets a turn. */
  budgetMs?: number;
  now?: () => number;
  yieldToEventLoop?: () => Promise<void>;
}

/** 16 KB is some 250 events: a few milliseconds of parsing and dispatching. */
const SLICE_BYTES = 16 * 1024;
/** Well under a frame, so that painting and input keep their turn while a stream pours in. */
const BUDGET_MS = 8;

/**
 * The same response, its body handed over in slices with the event loop given a turn between
 * them. An SSE parser handles each chunk it reads in one go, and reads that are already buffered
 * resolve without leaving the task: a fast stream, or a burst after a busy moment, would be one
 * long task that blocks painting and input. Error responses are left alone.
 */
export function withYieldingBody(response: Response, options: YieldingBodyOptions = {}): Response {
  if (!response.ok || !response.body) return response;
  const sliceBytes = options.sliceBytes ?? SLICE_BYTES;
  const budgetMs = options.budgetMs ?? BUDGET_MS;
  const now = options.now ?? (() => performance.now());
  const yieldNow = options.yieldToEventLoop ?? yieldToEventLoop;
  const reader = response.body.getReader();
  let slices: Uint8Array[] = [];
  let turnStarted = now();

  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (now() - turnStarted >= budgetMs) {
        await yieldNow();
        turnStarted = now();
      }
      if (slices.length === 0) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        slices = slice(value, sliceBytes);
      }
      const next = slices.shift();
      if (next) controller.enqueue(next);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  const { status, statusText, headers } = response;
  return new Response(body, { status, statusText, headers });
}

function slice(bytes: Uint8Array, size: number): Uint8Array[] {
  const slices: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; start += size) {
    slices.push(bytes.subarray(start, start + size));
  }
  return slices;
}

function yieldToEventLoop(): Promise<void> {
  const { scheduler } = globalThis as { scheduler?: { yield?: () => Promise<void> } };
  if (scheduler?.yield) return scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}
