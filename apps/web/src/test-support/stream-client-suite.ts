import type { StreamEvent } from '@gpt-stream/protocol';
import type { StreamClientOptions } from '../stream/stream-client.ts';

/**
 * What stream-client.test.ts runs with: as it is, every client as given and every event list
 * compared as it is; stream-client-via-worker.test.ts runs the same suite again with every
 * request made through the stream worker (to the same fake server, the client's `fetch`), and
 * then compares event lists with each run of text joined, as the worker joins it.
 */
export const suite: {
  options: (fetch: typeof globalThis.fetch) => Partial<StreamClientOptions>;
  events: (events: readonly StreamEvent[]) => StreamEvent[];
} = { options: () => ({}), events: (events) => [...events] };

/** The events with each run of deltas (or of reasoning) joined into one. */
export function joinText(events: readonly StreamEvent[]): StreamEvent[] {
  const joined: StreamEvent[] = [];
  for (const event of events) {
    const last = joined.at(-1);
    if ((event.type === 'delta' || event.type === 'reasoning') && last?.type === event.type) {
      joined[joined.length - 1] = {
        type: event.type,
        data: { text: last.data.text + event.data.text },
      };
    } else joined.push(event);
  }
  return joined;
}
