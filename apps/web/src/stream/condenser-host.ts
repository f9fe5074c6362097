import type { FromCondenser, ToCondenser } from './condense-messages.ts';
import { createEventCondenser, type EventCondenser } from './condensed-events.ts';

/** Sends a message back to the page, handing over the buffers named in `transfer`. */
export type Answer = (message: FromCondenser, transfer: Transferable[]) => void;

/**
 * What the condensing worker does with each message from the page: a condenser per open stream,
 * each read's condensed bytes back as soon as there are any, and a close answered once all of
 * them have gone. The worker (condense.worker.ts) runs it; so does the tests' in-thread fake.
 */
export function createCondenserHost(answer: Answer): (message: ToCondenser) => void {
  const streams = new Map<number, EventCondenser>();
  const encoder = new TextEncoder();
  return (message) => {
    if ('open' in message) streams.set(message.stream, createEventCondenser(message.open));
    else if ('close' in message) {
      streams.delete(message.stream);
      answer({ stream: message.stream, closed: true }, []);
    } else {
      const text = streams.get(message.stream)?.write(message.bytes) ?? '';
      if (text === '') return;
      const bytes = encoder.encode(text);
      answer({ stream: message.stream, bytes }, [bytes.buffer]);
    }
  };
}
