/**
 * The worker that makes the page's stream requests (stream-worker-host.ts): the page's main
 * thread never reads a response's bytes, only the worker's condensed events.
 */

import { createStreamWorkerHost } from './stream-worker-host.ts';
import type { FromStreamWorker, ToStreamWorker } from './stream-worker-messages.ts';

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToStreamWorker>) => void) | null;
  postMessage(message: FromStreamWorker, transfer: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;
const host = createStreamWorkerHost(
  (message, transfer) => scope.postMessage(message, transfer),
  (input, init) => fetch(input, init),
);
scope.onmessage = ({ data }) => host(data);
scope.postMessage({ ready: true }, []);
