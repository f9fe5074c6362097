import type { ReplayedThrough } from './replayed.ts';
import type {
  FromStreamWorker,
  ToStreamWorker,
  WorkerResponseHead,
} from './stream-worker-messages.ts';

/** What the page needs of a Worker: a real one, or a fake in tests. */
export interface StreamWorker {
  postMessage(message: ToStreamWorker, transfer: Transferable[]): void;
  addEventListener(
    type: 'message',
    listener: (event: MessageEvent<FromStreamWorker>) => void,
  ): void;
  addEventListener(type: 'error', listener: () => void): void;
}

/** A stream request as the client makes it: a URL and a method, headers and body as plain data. */
export interface StreamRequestInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

/**
 * Makes a stream request in the worker and resolves with a response whose body is the worker's
 * condensed events; null while no worker runs, for the caller to fetch as usual.
 */
export type WorkerFetch = (
  url: string,
  init: StreamRequestInit,
  replayed: ReplayedThrough | null,
) => Promise<Response> | null;

/** Statuses whose responses have no body, which `new Response` refuses to be given one. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

interface Pending {
  head(head: WorkerResponseHead): void;
  bytes(bytes: Uint8Array): void;
  end(): void;
  fail(error: unknown): void;
}

/**
 * Stream requests made by a worker (stream.worker.ts), so that the main thread never touches a
 * response's bytes: the worker reads them, joins the deltas that arrived together, and the page
 * parses a few large events per read instead of one per token. Reading a fast response on the
 * main thread was itself a cost there: under DevTools (Playwright's too) Chromium keeps a copy
 * of the body and decodes it whole when it ends, one task of 50 to 100 ms for 8 MB. The worker
 * starts with the page and is used once it says it runs: a stream that begins before that, and
 * every stream where it cannot run (no Worker, a policy that forbids it, a script that failed to
 * load), is fetched on the main thread as before. The first token never waits for the worker.
 */
export function createWorkerFetch(start: () => StreamWorker): WorkerFetch {
  const streams = new Map<number, Pending>();
  let worker: StreamWorker | null = null;
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
      if ('head' in message) pending.head(message.head);
      else if ('bytes' in message) pending.bytes(message.bytes);
      else {
        streams.delete(message.stream);
        if ('end' in message) pending.end();
        // What fetch throws when the network fails: the client retries or resumes.
        else pending.fail(new TypeError(message.failed));
      }
    });
    worker.addEventListener('error', () => {
      ready = false;
      // A stream it was reading breaks, and the page resumes it, without the worker.
      for (const pending of streams.values())
        pending.fail(new TypeError('The stream worker failed.'));
      streams.clear();
    });
  } catch {
    // No worker here: streams are fetched and parsed on the main thread.
  }

  return (url, { signal, ...request }, replayed) => {
    if (!ready || !worker) return null;
    const to = worker;
    const stream = next++;
    return new Promise<Response>((resolve, reject) => {
      let body: ReadableStreamDefaultController<Uint8Array> | null = null;
      const pending: Pending = {
        head({ status, statusText, headers }) {
          const stream = NULL_BODY_STATUSES.has(status)
            ? null
            : new ReadableStream<Uint8Array>({
                start(controller) {
                  body = controller;
                },
                cancel: abort,
              });
          resolve(new Response(stream, { status, statusText, headers }));
        },
        bytes: (bytes) => body?.enqueue(bytes),
        end() {
          signal.removeEventListener('abort', onAbort);
          body?.close();
        },
        fail(error) {
          signal.removeEventListener('abort', onAbort);
          if (body) body.error(error);
          else reject(error);
        },
      };
      // As fetch does: an abort rejects the request, or breaks the body it is reading.
      function abort(): void {
        signal.removeEventListener('abort', onAbort);
        if (streams.delete(stream)) to.postMessage({ stream, abort: true }, []);
      }
      function onAbort(): void {
        abort();
        pending.fail(signal.reason);
      }
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      signal.addEventListener('abort', onAbort);
      streams.set(stream, pending);
      to.postMessage({ stream, request: { url: absolute(url), ...request }, replayed }, []);
    });
  };
}

/** The worker resolves a path against its own script's URL: the page's is meant. */
function absolute(url: string): string {
  const base = globalThis.location?.href;
  return base ? new URL(url, base).href : url;
}
