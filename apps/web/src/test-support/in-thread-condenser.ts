import type { FromCondenser, ToCondenser } from '../stream/condense-messages.ts';
import { createCondenserHost } from '../stream/condenser-host.ts';
import type { CondenserWorker } from '../stream/condensing-body.ts';

/**
 * The condensing worker (its own host, condenser-host.ts) run in this thread, each message a
 * task later as a worker's would be: it says it runs a task after it is made, unless `starts` is false. `fail()` makes it
 * fail as a worker whose script broke does: an error, then silence.
 */
export function inThreadCondenser({ starts = true } = {}) {
  const listeners = {
    message: [] as ((event: MessageEvent<FromCondenser>) => void)[],
    error: [] as (() => void)[],
  };
  const received: ToCondenser[] = [];
  let failed = false;
  const answer = (message: FromCondenser) =>
    setTimeout(() => {
      if (failed) return;
      for (const listener of listeners.message)
        listener({ data: message } as MessageEvent<FromCondenser>);
    }, 0);
  const host = createCondenserHost(answer);
  const worker: CondenserWorker = {
    postMessage(message) {
      received.push(message);
      setTimeout(() => {
        if (!failed) host(message);
      }, 0);
    },
    addEventListener(type: 'message' | 'error', listener: never) {
      (listeners[type] as unknown[]).push(listener);
    },
  };
  if (starts) answer({ ready: true });
  return {
    worker,
    /** Every message the page sent it. */
    received,
    fail() {
      failed = true;
      for (const listener of listeners.error) listener();
    },
  };
}
