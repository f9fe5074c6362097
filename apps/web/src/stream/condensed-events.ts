import {
  type EventSourceMessage,
  getLines,
  getMessages,
} from '@microsoft/fetch-event-source/lib/esm/parse.js';
import { isReplayed, type ReplayedThrough } from './replayed.ts';

export interface EventCondenser {
  /**
   * Takes the next bytes of an event stream; returns, as event-stream text, the events they
   * completed, with each run of consecutive `delta` (or `reasoning`) events joined into one.
   */
  write(bytes: Uint8Array): string;
}

/** The events whose runs are joined: their data is `{ text }` and nothing else. */
const JOINED = new Set(['delta', 'reasoning']);

/** The first line of a joined event, for each type, as the server's encoder writes it. */
const EVENT_LINES = [...JOINED].map((event) => [event, `event: ${event}\n`] as const);

const DATA_FIELD = 'data: ';
/** A joined event's data line up to its text, as the server's encoder writes it. */
const DATA = `${DATA_FIELD}{"text":"`;

/** What a JSON string's content must not hold to mean exactly its own characters. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON strings may not hold them bare.
const NOT_LITERAL = /["\\\u0000-\u001f]/;

/** The content of one JSON string: no bare quote or control character, only JSON's escapes. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON strings may not hold them bare.
const JSON_CONTENT = /(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*/.source;
const JSON_STRING = new RegExp(`^${JSON_CONTENT}$`);

/** A joined event's end after its text, as the server's encoder writes it. */
const DATA_END = '"}\n\n';

/** Regex source for the encoder's fixed text: of the characters a regex reads, it holds braces. */
const pattern = (text: string) => text.replace(/[{}]/g, '\\$&');
/** The parts of a joined event as the server's encoder writes them, as regex source. */
const WRITTEN = {
  event: `event: (?:${[...JOINED].join('|')})\\n`,
  id: '(?:id: [^\\n]+\\n)?',
  data: pattern(DATA),
  end: pattern(DATA_END),
};
/** A joined event's fields after its first line. */
const WRITTEN_FIELDS = `${WRITTEN.id}${WRITTEN.data}${JSON_CONTENT}${WRITTEN.end}`;
/**
 * Events one match of WRITTEN_RUN takes at most: a regex keeps a place to go back to for each
 * character it has matched, and a read of a fast stream can hold megabytes of deltas.
 */
const RUN_EVENTS = 512;
/**
 * A run of deltas (or of reasoning) exactly as the server's encoder writes them. None of its
 * events can hold a bare line end or quote, so only their own fields can end them.
 */
const WRITTEN_RUN = new RegExp(
  `event: (${[...JOINED].join('|')})\\n${WRITTEN_FIELDS}(?:event: \\1\\n${WRITTEN_FIELDS}){0,${RUN_EVENTS - 1}}`,
  'y',
);
/** In a written run, what lies between one event's text and the next one's. */
const BETWEEN_TEXTS = new RegExp(`${WRITTEN.end}${WRITTEN.event}${WRITTEN.id}${WRITTEN.data}`, 'g');

/**
 * Joins what a fast stream sends as thousands of tiny events into a few large ones, in the same
 * order and with the same text, so that the page parses and dispatches one event per read
 * instead of one per token: at full speed a stream of 100,000 deltas is some 400 ms of parsing.
 * The events are exactly those fetch-event-source's parser would have given the page: a joined
 * event carries the last id of its run (where a resume goes on from), every other event (start,
 * done, error, a type a newer server added, one whose data does not decode) passes unchanged,
 * and events without data (heartbeats) are dropped, as the page ignores them. Replayed events
 * are dropped here, before joining, as the client would have.
 *
 * A delta exactly as the server's encoder writes it (`event`, `id`, one `data` line of
 * `{"text":"…"}`) is read straight off the decoded text, its JSON string joined as it is, with
 * no parse: that was most of the worker's time at 100,000 deltas. A run of them is matched by
 * one regex, hundreds of events at a time, and its texts are what is left once the fields
 * between them are cut out: in Chromium's worker that condensed the page bench's 8.5 MB Markdown
 * stream in about half the time that reading each event on its own took. Any other event goes
 * through fetch-event-source's own parser, a whole event at a time, and once the stream uses a
 * CR, so does the rest of it, as CR line ends move where events end.
 */
export function createEventCondenser(replayed: ReplayedThrough | null = null): EventCondenser {
  let skipping = replayed;
  let out = '';
  /** The run being joined: its type, its text as JSON string content, and its last id. */
  let run: { event: string; json: string; id: string } | null = null;
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  /** Decoded text not read yet, from the start of an event on. */
  let pending = '';
  let crSeen = false;

  function endRun(): void {
    if (!run) return;
    const id = run.id === '' ? '' : `id: ${run.id}\n`;
    out += `event: ${run.event}\n${id}${DATA}${run.json}${DATA_END}`;
    run = null;
  }

  /** Whether an event was sent again by a resume, and is to be dropped. */
  function isResent(id: string): boolean {
    if (!skipping) return false;
    if (isReplayed(id, skipping)) return true;
    skipping = null;
    return false;
  }

  function join(event: string, id: string, json: string): void {
    if (isResent(id)) return;
    if (run && run.event !== event) endRun();
    if (!run) run = { event, json: '', id: '' };
    run.json += json;
    if (id !== '') run.id = id;
  }

  function onMessage(message: EventSourceMessage): void {
    if (message.data === '') return;
    const text = JOINED.has(message.event) && message.retry === undefined && textOf(message.data);
    if (typeof text === 'string') {
      join(message.event, message.id, jsonContent(text));
      return;
    }
    if (isResent(message.id)) return;
    endRun();
    out += serialise(message);
  }

  const parse = getLines(
    getMessages(
      () => undefined,
      () => undefined,
      onMessage,
    ),
  );
  // The parser's decoder drops a byte order mark at the start of what it reads, which `decoder`
  // has done for the stream already: one given now leaves a later one in the events it is handed.
  parse(encoder.encode('\uFEFF'));

  /**
   * Joins the event in `pending` from `start` to the blank line at `end` if it is a delta (or
   * reasoning) as the server writes it; false for any other event, left to the parser.
   */
  function joinWritten(start: number, end: number): boolean {
    const written = EVENT_LINES.find(([, line]) => pending.startsWith(line, start));
    if (!written) return false;
    const [event, line] = written;
    let at = start + line.length;
    let id = '';
    if (pending.startsWith('id: ', at)) {
      const idEnd = pending.indexOf('\n', at);
      if (idEnd >= end) return false;
      id = pending.slice(at + 4, idEnd);
      at = idEnd + 1;
    }
    const textStart = at + DATA.length;
    if (
      at > end ||
      !pending.startsWith(DATA, at) ||
      pending.indexOf('\n', at) !== end ||
      end - 2 < textStart ||
      pending.charCodeAt(end - 1) !== 125 /* } */ ||
      pending.charCodeAt(end - 2) !== 34 /* " */
    )
      return false;
    let json = pending.slice(textStart, end - 2);
    if (NOT_LITERAL.test(json) && !JSON_STRING.test(json)) {
      // A bare quote or control character: not one JSON string, so its data decides.
      const text = textOf(pending.slice(at + DATA_FIELD.length, end));
      if (text === false) return false;
      json = jsonContent(text);
    }
    join(event, id, json);
    return true;
  }

  /**
   * Joins a run that WRITTEN_RUN matched, in a few calls into the regex engine for the whole run
   * instead of some for each of its events: the texts are what is left of the run once the
   * fields between them are cut out, and its last id line is the one that counts.
   */
  function joinRun(events: string, event: string): void {
    const texts = events.slice(events.indexOf(`\n${DATA}`) + 1 + DATA.length, -DATA_END.length);
    const idAt = events.lastIndexOf('\nid: ') + 1;
    const id = idAt === 0 ? '' : events.slice(idAt + 4, events.indexOf('\n', idAt));
    join(event, id, texts.replace(BETWEEN_TEXTS, ''));
  }

  function read(text: string): void {
    if (crSeen || text.includes('\r')) {
      crSeen = true;
      parse(encoder.encode(pending + text));
      pending = '';
      return;
    }
    pending += text;
    let start = 0;
    for (;;) {
      // A resume's replayed events are dropped one by one, by their ids.
      if (!skipping) {
        WRITTEN_RUN.lastIndex = start;
        const run = WRITTEN_RUN.exec(pending);
        if (run) {
          joinRun(run[0], run[1] as string);
          start = WRITTEN_RUN.lastIndex;
          continue;
        }
      }
      const end = pending.indexOf('\n\n', start);
      if (end === -1) break;
      if (!joinWritten(start, end)) parse(encoder.encode(pending.slice(start, end + 2)));
      start = end + 2;
    }
    pending = pending.slice(start);
  }

  return {
    write(bytes) {
      read(decoder.decode(bytes, { stream: true }));
      endRun();
      const text = out;
      out = '';
      return text;
    },
  };
}

/** `text` as the content of a JSON string, quotes left out. */
function jsonContent(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

function textOf(data: string): string | false {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return false;
  }
  if (typeof json !== 'object' || json === null) return false;
  const keys = Object.keys(json);
  const { text } = json as { text?: unknown };
  return keys.length === 1 && typeof text === 'string' ? text : false;
}

/** One event as the server writes it: a data line per line of its data. */
function serialise(message: EventSourceMessage): string {
  let text = message.event === '' ? '' : `event: ${message.event}\n`;
  if (message.id !== '') text += `id: ${message.id}\n`;
  if (message.retry !== undefined) text += `retry: ${message.retry}\n`;
  for (const line of message.data.split('\n')) text += `data: ${line}\n`;
  return `${text}\n`;
}
