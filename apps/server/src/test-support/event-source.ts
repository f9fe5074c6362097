/**
 * Test support: a standard EventSource client (the `eventsource` package, the WHATWG algorithm in
 * Node) following a stream until it stops by itself, with every request it made.
 */
import {
  decodeStreamEvent,
  type StreamEventType,
  streamEventDataSchemas,
} from '@gpt-stream/protocol';
import { EventSource } from 'eventsource';
import type { ReceivedStream } from './server.ts';

export interface EventSourceRequest {
  lastEventId: string | null;
  status: number;
}

export interface EventSourceRun extends ReceivedStream {
  requests: EventSourceRequest[];
}

const EVENT_TYPES = Object.keys(streamEventDataSchemas) as StreamEventType[];

/**
 * Opens `url` with EventSource and resolves once EventSource has closed by itself (as a 204, or
 * any answer that is not an event stream, makes it do). Rejects when it is still open after
 * `timeoutMs`: a client that reconnects forever never closes.
 */
export function followWithEventSource(url: string, timeoutMs = 15_000): Promise<EventSourceRun> {
  const run: EventSourceRun = { events: [], comments: [], requests: [] };
  const source = new EventSource(url, {
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      const lastEventId = init.headers['Last-Event-ID'] ?? null;
      run.requests.push({ lastEventId, status: response.status });
      return response;
    },
  });
  for (const type of EVENT_TYPES) {
    source.addEventListener(type, (message) => {
      // A failed connection dispatches an `error` event too, one without data.
      if (!('data' in message) || typeof message.data !== 'string') return;
      const decoded = decodeStreamEvent(type, message.data);
      if (!decoded.ok) throw new Error(decoded.reason);
      run.events.push({ id: message.lastEventId, event: decoded.event });
    });
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      source.close();
      const seen = JSON.stringify(run.requests);
      reject(new Error(`EventSource still open after ${timeoutMs} ms, requests: ${seen}`));
    }, timeoutMs);
    source.addEventListener('error', () => {
      if (source.readyState !== source.CLOSED) return;
      clearTimeout(timer);
      resolve(run);
    });
  });
}
