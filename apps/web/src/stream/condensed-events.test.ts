import {
  encodeComment,
  encodeEvent,
  formatEventId,
  HEARTBEAT_FRAME,
  type StreamEvent,
} from '@gpt-stream/protocol';
import {
  type EventSourceMessage,
  getLines,
  getMessages,
} from '@microsoft/fetch-event-source/lib/esm/parse.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEventCondenser } from './condensed-events.ts';
import type { ReplayedThrough } from './replayed.ts';

const encoder = new TextEncoder();

/** The messages fetch-event-source dispatches for `text`, read in the given chunks. */
function messagesOf(chunks: readonly Uint8Array[]): EventSourceMessage[] {
  const messages: EventSourceMessage[] = [];
  const parse = getLines(
    getMessages(
      () => undefined,
      () => undefined,
      (message) => messages.push(message),
    ),
  );
  for (const chunk of chunks) parse(chunk);
  return messages;
}

/** Condenses `chunks` and parses the result as the page does. */
function condensed(chunks: readonly Uint8Array[], replayed: ReplayedThrough | null = null) {
  const condenser = createEventCondenser(replayed);
  const out = chunks.map((chunk) => encoder.encode(condenser.write(chunk)));
  return messagesOf(out);
}

const frame = (event: StreamEvent, sequence: number) =>
  encodeEvent(event, formatEventId('s1', sequence));
const delta = (text: string): StreamEvent => ({ type: 'delta', data: { text } });
const reasoning = (text: string): StreamEvent => ({ type: 'reasoning', data: { text } });
const start: StreamEvent = { type: 'start', data: { streamId: 's1', model: 'echo' } };
const done: StreamEvent = {
  type: 'done',
  data: { finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 3 } },
};
const bytes = (...frames: string[]) => [encoder.encode(frames.join(''))];

describe('condensing an event stream', () => {
  it('joins a run of deltas into one, with the last id, and passes other events as they are', () => {
    const messages = condensed(
      bytes(
        frame(start, 0),
        frame(delta('Hel'), 1),
        frame(delta('lo\n'), 2),
        frame(delta(' world'), 3),
        frame(done, 4),
      ),
    );
    expect(messages).toEqual([
      { event: 'start', id: 's1:0', data: JSON.stringify(start.data), retry: undefined },
      { event: 'delta', id: 's1:3', data: '{"text":"Hello\\n world"}', retry: undefined },
      { event: 'done', id: 's1:4', data: JSON.stringify(done.data), retry: undefined },
    ]);
  });

  it('joins a run longer than one match of the written form, odd events in it included', () => {
    const texts = Array.from({ length: 1500 }, (_, index) => `t${index}\u0007"é `);
    const frames = texts.map((text, index) => frame(delta(text), index + 1));
    // A delta without an id, and one whose id line is empty, are read one by one.
    frames[700] = 'event: delta\ndata: {"text":"t700\\u0007\\"é "}\n\n';
    frames[1100] = 'event: delta\nid: \ndata: {"text":"t1100\\u0007\\"é "}\n\n';
    const input = bytes(...frames, frame(done, 1501));
    const messages = condensed(input);
    expect(messages.map(({ event, id }) => [event, id])).toEqual([
      ['delta', 's1:1500'],
      ['done', 's1:1501'],
    ]);
    expect(meaning(messages)).toEqual(meaning(messagesOf(input)));
    expect(JSON.parse(messages[0]?.data ?? '')).toEqual({ text: texts.join('') });
  });

  it('keeps thinking and answer apart, in order', () => {
    const messages = condensed(
      bytes(
        frame(reasoning('Let me '), 1),
        frame(reasoning('see.'), 2),
        frame(delta('Yes'), 3),
        frame(delta('.'), 4),
        frame(reasoning('Hm.'), 5),
      ),
    );
    expect(messages.map(({ event, id, data }) => [event, id, data])).toEqual([
      ['reasoning', 's1:2', '{"text":"Let me see."}'],
      ['delta', 's1:4', '{"text":"Yes."}'],
      ['reasoning', 's1:5', '{"text":"Hm."}'],
    ]);
  });

  it('holds an event cut between reads until it is whole, a character cut in two included', () => {
    const whole = encoder.encode(frame(delta('é🙂'), 1) + frame(delta('!'), 2));
    const condenser = createEventCondenser();
    // Inside the emoji's four bytes.
    const cut = whole.indexOf(0xf0) + 2;
    const first = condenser.write(whole.subarray(0, cut));
    const second = condenser.write(whole.subarray(cut));
    expect(first).toBe('');
    expect(messagesOf([encoder.encode(second)])).toEqual([
      { event: 'delta', id: 's1:2', data: '{"text":"é🙂!"}', retry: undefined },
    ]);
  });

  it('joins only within a read: each read gives what it completed at once', () => {
    const condenser = createEventCondenser();
    const first = condenser.write(encoder.encode(frame(delta('a'), 1) + frame(delta('b'), 2)));
    const second = condenser.write(encoder.encode(frame(delta('c'), 3)));
    expect(messagesOf([encoder.encode(first + second)]).map((message) => message.data)).toEqual([
      '{"text":"ab"}',
      '{"text":"c"}',
    ]);
  });

  it('drops heartbeats and keeps runs whole across them', () => {
    const messages = condensed(
      bytes(frame(delta('a'), 1), HEARTBEAT_FRAME, encodeComment('x'), frame(delta('b'), 2)),
    );
    expect(messages.map((message) => message.data)).toEqual(['{"text":"ab"}']);
  });

  it('passes unchanged what it cannot join: a type it does not know, data that is not JSON, more fields', () => {
    const odd = [
      'event: newer\nid: s1:2\ndata: {"text":"x"}\n\n',
      'event: delta\nid: s1:3\ndata: not json\n\n',
      'event: delta\nid: s1:4\ndata: {"text":"y","extra":1}\n\n',
      'event: delta\nid: s1:5\ndata: {"text":7}\n\n',
      'event: delta\nid: s1:6\nretry: 50\ndata: {"text":"z"}\n\n',
      'data: {"text":"unnamed"}\n\n',
      'event: delta\ndata: line one\ndata: line two\n\n',
    ];
    const input = bytes(frame(delta('a'), 1), ...odd, frame(delta('b'), 7));
    const expected = messagesOf(input);
    expect(condensed(input)).toEqual(expected);
  });

  it('joins deltas spelt otherwise as the parser reads them, escapes and all', () => {
    const spelt = [
      'id: s1:2\nevent: delta\ndata: {"text":"b"}\n\n',
      'event: delta\nid: s1:3\ndata:{"text":"c"}\n\n',
      'event: delta\n: a comment\nid: s1:4\ndata: {"text":"d"}\n\n',
      'event: delta\ndata: {"text":"e"}\n\n',
      'event: delta\nid: s1:6\ndata: { "text": "f" }\n\n',
      'event: delta\nid: s1:7\ndata: {"text":"\\u0041\\/\\n\\"\\\\"}\n\n',
      'event: delta\nid: s1:8\ndata: {"text":"x","text":"g"}\n\n',
      '\nevent: delta\nid: s1:9\ndata: {"text":"h"}\n\n',
    ];
    const input = bytes(frame(delta('a'), 1), ...spelt, frame(delta('i'), 10));
    const messages = condensed(input);
    expect(meaning(messages)).toEqual([{ run: 'delta', text: 'abcdefA/\n"\\ghi', id: 's1:10' }]);
    expect(messages).toHaveLength(1);
    expect(meaning(messages)).toEqual(meaning(messagesOf(input)));
  });

  it('passes unchanged a delta whose data only looks like one JSON string', () => {
    const odd = [
      'event: delta\nid: s1:2\ndata: {"text":"a\\"}\n\n',
      'event: delta\nid: s1:3\ndata: {"text":"a\\x"}\n\n',
      'event: delta\nid: s1:4\ndata: {"text":"a","extra":"b"}\n\n',
      'event: delta\nid: s1:5\ndata: {"text":"tab\there"}\n\n',
      'event: delta\nid: s1:6\ndata: {"text":"}\n\n',
      'event: delta\nid: s1:7\ndata: {"text":"a"}\ndata: {"text":"b"}\n\n',
    ];
    const input = bytes(frame(delta('a'), 1), ...odd, frame(delta('b'), 9));
    expect(condensed(input)).toEqual(messagesOf(input));
  });

  it('reads CR and CRLF line ends as fetch-event-source does', () => {
    const crlf =
      frame(delta('a'), 1).replaceAll('\n', '\r\n') + frame(delta('b'), 2).replaceAll('\n', '\r');
    expect(condensed(bytes(crlf)).map((message) => [message.id, message.data])).toEqual([
      ['s1:2', '{"text":"ab"}'],
    ]);
  });

  it('drops the events a resume sent again, up to the first new one, before joining', () => {
    const input = bytes(
      frame(delta('a'), 1),
      frame(delta('b'), 2),
      frame(delta('c'), 3),
      // After a new event, ids are no longer checked: the server never goes back.
      frame(delta('d'), 2),
    );
    expect(condensed(input, { streamId: 's1', sequence: 2 }).map((m) => [m.id, m.data])).toEqual([
      ['s1:2', '{"text":"cd"}'],
    ]);
    // Another stream's ids are not this one's.
    expect(condensed(input, { streamId: 's2', sequence: 2 }).map((m) => m.data)).toEqual([
      '{"text":"abcd"}',
    ]);
  });
});

/** What the page makes of messages: runs of text per type with their last id, other events as they are. */
function meaning(messages: readonly EventSourceMessage[]) {
  const out: (EventSourceMessage | { run: string; text: string; id: string })[] = [];
  for (const message of messages) {
    if (message.data === '') continue;
    const last = out.at(-1);
    const joinable = message.event === 'delta' || message.event === 'reasoning';
    const text = joinable ? (JSON.parse(message.data) as { text: string }).text : null;
    if (text === null) out.push(message);
    else if (last && 'run' in last && last.run === message.event) {
      last.text += text;
      if (message.id !== '') last.id = message.id;
    } else out.push({ run: message.event, text, id: message.id });
  }
  return out;
}

describe('condensing, for any stream cut anywhere', () => {
  const texts = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 6 }),
    fc.constantFrom(
      '\n',
      '\r\n',
      '\r',
      ' lead',
      'data: x\n\nevent: done',
      '\uFEFFbom',
      '🙂',
      '"\\',
      '\\u0041',
      '\u0007\u001f',
      '\u2028',
      '"}\n\n',
    ),
  );
  const events = fc.array(
    fc.oneof(
      { weight: 6, arbitrary: texts.map(delta) },
      { weight: 2, arbitrary: texts.map(reasoning) },
      { weight: 1, arbitrary: fc.constant(start) },
      { weight: 1, arbitrary: fc.constant(null) },
    ),
    { maxLength: 40 },
  );
  /** Ways to write an event other than the server's, which the parser reads the same. */
  const asWritten = (frame: string) => frame;
  const spellings: readonly ((frame: string) => string)[] = [
    asWritten,
    (frame) => frame.replace('data: ', 'data:'),
    (frame) => frame.replace(/^(event: \w+\n)(id: .*\n)/, '$2$1'),
    (frame) => frame.replace('\n', '\n: note\n'),
    (frame) => `\n${frame}`,
    (frame) => `\uFEFF${frame}`,
    (frame) => frame.replace(/\n\n$/, '\n\n\n'),
    (frame) => frame.replace(/^id: .*$/m, 'id: '),
    (frame) => frame.replace(/^id: .*\n/m, ''),
  ];
  const spelt = fc.array(fc.constantFrom(...spellings), { maxLength: 40 });

  it('gives the page the same text, ids and events, in fewer or as many events', () => {
    fc.assert(
      fc.property(events, spelt, fc.array(fc.nat(), { maxLength: 8 }), (list, ways, cuts) => {
        const text =
          list
            .map((event, index) =>
              event === null
                ? HEARTBEAT_FRAME
                : (ways[index] ?? asWritten)(frame(event, index + 1)),
            )
            .join('') + frame(done, list.length + 1);
        const all = encoder.encode(text);
        const points = [...new Set(cuts.map((cut) => cut % (all.length + 1)))].sort(
          (a, b) => a - b,
        );
        const chunks = [0, ...points, all.length]
          .slice(1)
          .map((end, index, ends) =>
            all.subarray(index === 0 ? 0 : (ends[index - 1] as number), end),
          );
        const original = messagesOf([all]);
        const joined = condensed(chunks);
        expect(meaning(joined)).toEqual(meaning(original));
        expect(joined.length).toBeLessThanOrEqual(original.length);
      }),
      { numRuns: 300 },
    );
  });
});
