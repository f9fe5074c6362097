/**
 * The worker that condenses event streams (condensed-events.ts) off the main thread: the page
 * hands it each response's bytes as they arrive and gets back the same events, joined.
 */
import type { FromCondenser, ToCondenser } from './condense-messages.ts';
import { createCondenserHost } from './condenser-host.ts';

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToCondenser>) => void) | null;
  postMessage(message: FromCondenser, transfer: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;
const host = createCondenserHost((message, transfer) => scope.postMessage(message, transfer));
scope.onmessage = ({ data }) => host(data);
scope.postMessage({ ready: true }, []);
