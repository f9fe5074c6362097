/** Test support: reading an event stream over real HTTP, noting when each event arrived. */
import { decodeStreamEvent, parseResumePosition, type StreamEvent } from '@gpt-stream/protocol';
import { createParser } from 'eventsource-parser';

export interface TimedEvent {
  seq: number;
  event: StreamEvent;
  /** performance.now() when the chunk holding the event was read. */
  at: number;
}

export interface TimedStream {
  /** Resolves with every event once the response ends, or is cut (then `cut` is true). */
  done: Promise<TimedEvent[]>;
  /** The events so far. */
  events: TimedEvent[];
  cut: boolean;
}

/** Reads `response` as it comes; throws on anything the protocol cannot decode. */
export function readTimed(response: Response): TimedStream {
  const events: TimedEvent[] = [];
  let now = 0;
  const parser = createParser({
    onEvent(message) {
      const decoded = decodeStreamEvent(message.event ?? '', message.data);
      if (!decoded.ok) throw new Error(decoded.reason);
      const seq = parseResumePosition(message.id ?? '')?.sequence ?? Number.NaN;
      events.push({ seq, event: decoded.event, at: now });
    },
  });
  const stream: TimedStream = { events, cut: false, done: Promise.resolve(events) };
  stream.done = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body ?? []) {
        now = performance.now();
        parser.feed(decoder.decode(chunk, { stream: true }));
      }
    } catch (error) {
      // A connection cut by a killed server; anything else is the test's own failure.
      if (!(error instanceof TypeError)) throw error;
      stream.cut = true;
    }
    return events;
  })();
  return stream;
}

export function textOfTimed(events: readonly TimedEvent[]): string {
  return events.map(({ event }) => (event.type === 'delta' ? event.data.text : '')).join('');
}

/** The value below which `share` of `values` lie (nearest rank). */
export function percentile(values: readonly number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] ?? Number.NaN;
}
