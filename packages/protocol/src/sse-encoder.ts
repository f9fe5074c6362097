import type { StreamEvent } from './events.ts';

/**
 * Writes events as SSE frames. The data is always one JSON document on one `data:` line:
 * JSON escapes CR and LF, so no text can end a field or a frame early, and any string, whatever
 * its newlines, leading spaces or lookalike `event:` lines, arrives exactly as it was sent.
 */
export function encodeEvent(event: StreamEvent, id: string): string {
  assertSingleLine(id, 'event id');
  return `event: ${event.type}\nid: ${id}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/**
 * Encodes the events of one stream, frame for frame what `encodeEvent` writes. The stream id is
 * checked once, here, instead of in every event: the rest of each id is a number, which cannot
 * break a line. Deltas, nearly every event of a stream, have a path of their own that skips
 * building the event object.
 */
export interface StreamEncoder {
  event(event: StreamEvent, sequence: number): string;
  delta(text: string, sequence: number): string;
}

export function createStreamEncoder(streamId: string): StreamEncoder {
  assertSingleLine(streamId, 'event id');
  const idLine = `\nid: ${streamId}:`;
  return {
    event: (event, sequence) =>
      `event: ${event.type}${idLine}${sequence}\ndata: ${JSON.stringify(event.data)}\n\n`,
    delta: (text, sequence) =>
      `event: delta${idLine}${sequence}\ndata: {"text":${JSON.stringify(text)}}\n\n`,
  };
}

/** A comment frame: ignored by every SSE parser, it keeps idle connections and proxies alive. */
export function encodeComment(text: string): string {
  assertSingleLine(text, 'comment');
  return `: ${text}\n\n`;
}

// Pure: a page that imports the protocol for its parsers keeps none of the encoder.
export const HEARTBEAT_FRAME = /* @__PURE__ */ encodeComment('ping');

/**
 * The highest sequence number an event id carries (15 digits, exact as a JavaScript number).
 * Sequence numbers only grow within a stream but need not be contiguous: the server numbers the
 * `instance_lost` error of a stream whose instance died with this one, past anything the dead
 * instance could have sent.
 */
export const MAX_EVENT_SEQUENCE = 999_999_999_999_999;

/** Event ids name the stream and the position in it, so that one id is enough to resume. */
export function formatEventId(streamId: string, sequence: number): string {
  return `${streamId}:${sequence}`;
}

export function parseEventId(id: string): { streamId: string; sequence: number } | null {
  const separator = id.lastIndexOf(':');
  if (separator <= 0) return null;
  const digits = id.slice(separator + 1);
  // At most MAX_EVENT_SEQUENCE: 15 digits.
  if (!/^\d{1,15}$/.test(digits)) return null;
  return { streamId: id.slice(0, separator), sequence: Number(digits) };
}

function assertSingleLine(value: string, what: string): void {
  // NUL makes a spec-compliant parser drop the id; CR and LF would end the field.
  if (/[\r\n\0]/.test(value)) throw new RangeError(`SSE ${what} must not contain CR, LF or NUL`);
}
