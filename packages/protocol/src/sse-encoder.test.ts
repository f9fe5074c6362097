import { createParser, type EventSourceMessage } from 'eventsource-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeStreamEvent, type StreamEvent } from './events.ts';
import {
  createStreamEncoder,
  encodeComment,
  encodeEvent,
  formatEventId,
  HEARTBEAT_FRAME,
  MAX_EVENT_SEQUENCE,
  parseEventId,
} from './sse-encoder.ts';

const encoder = new TextEncoder();

/**
 * The whole wire path: frames become UTF-8 bytes, the bytes arrive cut at the given offsets, a
 * streaming decoder and a spec-compliant parser turn them back into events.
 */
function transmit(wire: string, cuts: readonly number[] = []): EventSourceMessage[] {
  const bytes = encoder.encode(wire);
  const decoder = new TextDecoder();
  const received: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => received.push(message) });
  const offsets = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  let start = 0;
  for (const end of [...offsets, bytes.length]) {
    parser.feed(decoder.decode(bytes.subarray(start, end), { stream: true }));
    start = end;
  }
  parser.feed(decoder.decode());
  return received;
}

function roundTripText(text: string, cuts: readonly number[] = []): string {
  const [message, ...rest] = transmit(encodeEvent({ type: 'delta', data: { text } }, 's:1'), cuts);
  expect(rest).toEqual([]);
  expect(message?.event).toBe('delta');
  expect(message?.id).toBe('s:1');
  const decoded = decodeStreamEvent(message?.event ?? '', message?.data ?? '');
  if (!decoded.ok || decoded.event.type !== 'delta') throw new Error('not a delta event');
  return decoded.event.data.text;
}

const loneSurrogates = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
});

describe('encodeEvent', () => {
  it('writes the event name, the id and one JSON data line, then a blank line', () => {
    expect(encodeEvent({ type: 'delta', data: { text: 'Hi' } }, 'abc:2')).toBe(
      'event: delta\nid: abc:2\ndata: {"text":"Hi"}\n\n',
    );
  });

  it.each([
    ['LF', 'one\ntwo\n'],
    ['CR', 'one\rtwo\r'],
    ['CRLF', 'one\r\ntwo\r\n'],
    ['only newlines', '\n\n\n'],
    ['leading newlines', '\n\nafter two newlines'],
    ['leading spaces', '   three spaces'],
    ['a single space', ' '],
    ['tabs', '\tindented\t'],
    ['a leading BOM', '\uFEFFafter a BOM'],
    ['emoji', '👩‍👩‍👧 family, 🇩🇪 flag, 👍🏽'],
    ['CJK', '你好，世界。日本語のテキスト。한국어'],
    ['text that looks like SSE fields', 'data: x\n\nevent: done\nid: 7\nretry: 1\n: comment\n\n'],
    ['a colon first', ':not a comment'],
    ['NUL and other control characters', 'a\u0000b\u0007c\u001b[31m'],
    ['line and paragraph separators', 'a\u2028b\u2029c'],
    ['quotes and backslashes', '"\\"quoted\\"" \\n'],
    ['an empty string', ''],
    ['a lone surrogate', 'broken \uD83D half'],
  ])('round-trips %s exactly', (_name, text) => {
    expect(roundTripText(text)).toBe(text);
  });

  it('round-trips any string, however the bytes are cut', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), loneSurrogates),
        fc.array(fc.nat(), { maxLength: 8 }),
        (text, cuts) => roundTripText(text, cuts) === text,
      ),
      { numRuns: 2000 },
    );
  });

  it('round-trips a whole stream of events with heartbeats between them', () => {
    const event = fc.oneof(
      fc.record({ type: fc.constant('delta' as const), data: fc.record({ text: fc.string() }) }),
      fc.record({
        type: fc.constant('start' as const),
        data: fc.record({ streamId: fc.uuid(), model: fc.constantFrom('mock', 'echo') }),
      }),
    );
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (events: StreamEvent[], cuts) => {
          const wire = events
            .map(
              (item, index) => `${encodeEvent(item, formatEventId('s', index))}${HEARTBEAT_FRAME}`,
            )
            .join('');
          const decoded = transmit(wire, cuts).map((message) =>
            decodeStreamEvent(message.event ?? '', message.data),
          );
          expect(decoded).toEqual(events.map((item) => ({ ok: true, event: item })));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses an id that would break the frame', () => {
    const event: StreamEvent = { type: 'delta', data: { text: 'x' } };
    expect(() => encodeEvent(event, '1\ndata: injected')).toThrow(RangeError);
    expect(() => encodeEvent(event, '1\r')).toThrow(RangeError);
    expect(() => encodeEvent(event, '1\0')).toThrow(RangeError);
  });
});

describe('createStreamEncoder', () => {
  const anyEvent = fc.oneof(
    fc.record({ type: fc.constant('delta' as const), data: fc.record({ text: fc.string() }) }),
    fc.record({
      type: fc.constant('start' as const),
      data: fc.record({ streamId: fc.uuid(), model: fc.string() }),
    }),
    fc.record({
      type: fc.constant('error' as const),
      data: fc.record({ code: fc.string(), message: fc.string(), retryable: fc.boolean() }),
    }),
  );

  it('writes exactly the frames encodeEvent writes', () => {
    fc.assert(
      fc.property(fc.uuid(), anyEvent, fc.nat(), (streamId, event, sequence) => {
        const expected = encodeEvent(event as StreamEvent, formatEventId(streamId, sequence));
        expect(createStreamEncoder(streamId).event(event as StreamEvent, sequence)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('writes a delta from its text alone, exactly as encodeEvent does', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary' }), loneSurrogates),
        fc.nat(),
        (text, sequence) => {
          const expected = encodeEvent({ type: 'delta', data: { text } }, `s:${sequence}`);
          expect(createStreamEncoder('s').delta(text, sequence)).toBe(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('refuses a stream id that would break the frame, before any event', () => {
    expect(() => createStreamEncoder('s\ndata: injected')).toThrow(RangeError);
    expect(() => createStreamEncoder('s\r')).toThrow(RangeError);
    expect(() => createStreamEncoder('s\0')).toThrow(RangeError);
  });
});

describe('encodeComment', () => {
  it('is ignored by a spec-compliant parser', () => {
    expect(transmit(`${encodeComment('ping')}${HEARTBEAT_FRAME}`)).toEqual([]);
  });

  it('refuses a multi-line comment', () => {
    expect(() => encodeComment('a\nb')).toThrow(RangeError);
  });
});

describe('event ids', () => {
  it('name the stream and the position', () => {
    expect(parseEventId(formatEventId('3f2a-9c', 41))).toEqual({
      streamId: '3f2a-9c',
      sequence: 41,
    });
  });

  it('round-trip for any stream id and sequence', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.nat(), (streamId, sequence) => {
        expect(parseEventId(formatEventId(streamId, sequence))).toEqual({ streamId, sequence });
      }),
    );
  });

  it('reach MAX_EVENT_SEQUENCE, and no further', () => {
    expect(parseEventId(formatEventId('s', MAX_EVENT_SEQUENCE))?.sequence).toBe(MAX_EVENT_SEQUENCE);
    expect(parseEventId(formatEventId('s', MAX_EVENT_SEQUENCE + 1))).toBeNull();
  });

  it.each(['', '42', ':42', 'stream:', 'stream:4x', 'stream:-1', 'stream:1e3'])(
    'rejects %j',
    (id) => {
      expect(parseEventId(id)).toBeNull();
    },
  );
});
