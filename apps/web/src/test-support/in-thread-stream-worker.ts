import { createStreamWorkerHost } from '../stream/stream-worker-host.ts';
import type { FromStreamWorker, ToStreamWorker } from '../stream/stream-worker-messages.ts';
import type { StreamWorker } from '../stream/worker-fetch.ts';

interface Options {
  /** The fetch the worker makes its requests with: a fake server. */
  fetch: typeof globalThis.fetch;
  /**
   * When it says it runs: a task after it is made (`later`, as a worker does), as soon as the
   * page listens (`running`, a worker that started long before the first request), or `never`.
   */
  ready?: 'later' | 'running' | 'never';
}

/**
 * The stream worker (its own host, stream-worker-host.ts) run in this thread, each message a
 * task later as a worker's would be. `fail()` makes it fail as a worker whose script broke does:
 * an error, then silence.
 */
export function inThreadStreamWorker({ fetch, ready = 'later' }: Options) {
  const listeners = {
    message: [] as ((event: MessageEvent<FromStreamWorker>) => void)[],
    error: [] as (() => void)[],
  };
  const received: ToStreamWorker[] = [];
  const answered: FromStreamWorker[] = [];
  let failed = false;
  const deliver = (message: FromStreamWorker) => {
    if (failed) return;
    answered.push(message);
    for (const listener of listeners.message)
      listener({ data: message } as MessageEvent<FromStreamWorker>);
  };
  const answer = (message: FromStreamWorker) => setTimeout(() => deliver(message), 0);
  const host = createStreamWorkerHost(answer, fetch);
  const worker: StreamWorker = {
    postMessage(message) {
      received.push(message);
      setTimeout(() => {
        if (!failed) host(message);
      }, 0);
    },
    addEventListener(type: 'message' | 'error', listener: never) {
      (listeners[type] as unknown[]).push(listener);
      if (type === 'message' && ready === 'running') deliver({ ready: true });
    },
  };
  if (ready === 'later') answer({ ready: true });
  return {
    worker,
    /** Every message the page sent it. */
    received,
    /** Every message it sent the page. */
    answered,
    fail() {
      failed = true;
      for (const listener of listeners.error) listener();
    },
  };
}
