/**
 * The worker that condenses event streams (condensed-events.ts) off the main thread: the page
 * hands it each response's bytes as they arrive and gets back the same events, joined.
 */
import type { FromCondenser, ToCondenser } from './condense-messages.ts';
import { createEventCondenser, type EventCondenser } from './condensed-events.ts';

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToCondenser>) => void) | null;
  postMessage(message: FromCondenser, transfer: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;
const streams = new Map<number, EventCondenser>();
const encoder = new TextEncoder();

scope.onmessage = ({ data: message }) => {
  if ('open' in message) streams.set(message.stream, createEventCondenser(message.open));
  else if ('close' in message) {
    streams.delete(message.stream);
    scope.postMessage({ stream: message.stream, closed: true }, []);
  } else {
    const text = streams.get(message.stream)?.write(message.bytes) ?? '';
    if (text === '') return;
    const bytes = encoder.encode(text);
    scope.postMessage({ stream: message.stream, bytes }, [bytes.buffer]);
  }
};
scope.postMessage({ ready: true }, []);
