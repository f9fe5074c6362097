import { createEventCondenser } from './condensed-events.ts';
import type { ReplayedThrough } from './replayed.ts';
import type { FromStreamWorker, ToStreamWorker, WorkerRequest } from './stream-worker-messages.ts';

/** Sends a message back to the page, handing over the buffers named in `transfer`. */
export type Answer = (message: FromStreamWorker, transfer: Transferable[]) => void;

/**
 * What the stream worker does with each message from the page: it makes the request itself,
 * answers with the response's head, then with the body's events as they arrive, each read's
 * deltas joined (condensed-events.ts), and says how the body ended. An error response's body
 * goes back as it came, for the page to read its error. An abort from the page ends the request
 * and says nothing more: the page has ended the stream on its side already. The worker
 * (stream.worker.ts) runs it with its own fetch; the tests' in-thread fake, with theirs.
 */
export function createStreamWorkerHost(
  answer: Answer,
  fetch: typeof globalThis.fetch,
): (message: ToStreamWorker) => void {
  const requests = new Map<number, AbortController>();
  const encoder = new TextEncoder();

  async function relay(
    stream: number,
    request: WorkerRequest,
    replayed: ReplayedThrough | null,
    signal: AbortSignal,
  ): Promise<void> {
    const { url, ...init } = request;
    const response = await fetch(url, { ...init, signal });
    const { status, statusText } = response;
    answer({ stream, head: { status, statusText, headers: [...response.headers] } }, []);
    const reader = response.body?.getReader();
    if (!reader) return;
    const condense = response.ok ? createEventCondenser(replayed) : null;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (!condense) {
        answer({ stream, bytes: value }, []);
        continue;
      }
      const text = condense.write(value);
      if (text === '') continue;
      const bytes = encoder.encode(text);
      answer({ stream, bytes }, [bytes.buffer]);
    }
  }

  return (message) => {
    const { stream } = message;
    if ('abort' in message) {
      requests.get(stream)?.abort();
      requests.delete(stream);
      return;
    }
    const controller = new AbortController();
    requests.set(stream, controller);
    relay(stream, message.request, message.replayed, controller.signal)
      .then(
        () => {
          if (!controller.signal.aborted) answer({ stream, end: true }, []);
        },
        (error: unknown) => {
          if (!controller.signal.aborted) answer({ stream, failed: messageOf(error) }, []);
        },
      )
      .finally(() => {
        if (requests.get(stream) === controller) requests.delete(stream);
      });
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
