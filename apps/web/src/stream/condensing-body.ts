import type { FromCondenser, ToCondenser } from './condense-messages.ts';
import type { ReplayedThrough } from './replayed.ts';

/** What the page needs of a Worker: a real one, or a fake in tests. */
export interface CondenserWorker {
  postMessage(message: ToCondenser, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<FromCondenser>) => void): void;
  addEventListener(type: 'error', listener: () => void): void;
}

/** Gives a response a body of condensed events, or returns it as it is. */
export type BodyCondenser = (response: Response, replayed: ReplayedThrough | null) => Response;

interface Pending {
  controller: ReadableStreamDefaultController<Uint8Array>;
  /** What ends the body once the worker has sent everything: close, or the read's error. */
  end: (() => void) | null;
}

/**
 * Response bodies condensed by a worker (condense.worker.ts): the main thread only moves bytes
 * to it and back, and parses a few large events per read instead of one per token, so that a
 * fast stream never holds the main thread for long. The worker starts with the page and is used
 * once it says it runs: a stream that begins before that, an error response, and every body
 * where it cannot run (no Worker, a policy that forbids it, a script that failed to load) stay
 * as they are, parsed as they arrive. The first token never waits for the worker.
 */
export function createBodyCondenser(start: () => CondenserWorker): BodyCondenser {
  const streams = new Map<number, Pending>();
  let worker: CondenserWorker | null = null;
  let ready = false;
  let next = 1;
  try {
    worker = start();
    worker.addEventListener('message', ({ data: message }) => {
      if ('ready' in message) {
        ready = true;
        return;
      }
      const pending = streams.get(message.stream);
      if (!pending) return;
      if ('bytes' in message) pending.controller.enqueue(message.bytes);
      else {
        streams.delete(message.stream);
        pending.end?.();
      }
    });
    worker.addEventListener('error', () => {
      ready = false;
      // A stream it was condensing breaks, and the page resumes it, without the worker.
      for (const pending of streams.values()) {
        pending.controller.error(new TypeError('The stream worker failed.'));
      }
      streams.clear();
    });
  } catch {
    // No worker here: streams are parsed as they arrive, on the main thread.
  }

  return (response, replayed) => {
    if (!ready || !worker || !response.ok || !response.body) return response;
    const to = worker;
    const stream = next++;
    const reader = response.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const pending: Pending = { controller, end: null };
        streams.set(stream, pending);
        to.postMessage({ stream, open: replayed }, []);
        // Everything the worker still holds reaches the page before the end, so a cut stream
        // resumes after the last event that arrived.
        const finish = (end: () => void) => {
          pending.end = end;
          to.postMessage({ stream, close: true }, []);
        };
        (async () => {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            // Handed over, not copied: cloning a read of a megabyte or two took 150 ms at times.
            // A view of a larger buffer, which fetch does not give, is copied out of it first.
            const bytes = value.byteLength === value.buffer.byteLength ? value : value.slice();
            to.postMessage({ stream, bytes }, [bytes.buffer]);
          }
        })().then(
          () => finish(() => controller.close()),
          (error: unknown) => finish(() => controller.error(error)),
        );
      },
      cancel(reason) {
        if (streams.delete(stream)) to.postMessage({ stream, close: true }, []);
        return reader.cancel(reason);
      },
    });
    const { status, statusText, headers } = response;
    return new Response(body, { status, statusText, headers });
  };
}
