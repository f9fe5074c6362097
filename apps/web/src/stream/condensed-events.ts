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

/**
 * Joins what a fast stream sends as thousands of tiny events into a few large ones, in the same
 * order and with the same text, so that the page parses and dispatches one event per read
 * instead of one per token: at full speed a stream of 100,000 deltas is some 400 ms of parsing.
 * The bytes are parsed with fetch-event-source's own parser, so the events are exactly those the
 * page would have seen: a joined event carries the last id of its run (where a resume goes on
 * from), every other event (start, done, error, a type a newer server added, one whose data does
 * not decode) passes unchanged, and events without data (heartbeats) are dropped, as the page
 * ignores them. Replayed events are dropped here, before joining, as the client would have.
 */
export function createEventCondenser(replayed: ReplayedThrough | null = null): EventCondenser {
  let skipping = replayed;
  let out = '';
  /** The run being joined: its type, text and last id. */
  let run: { event: string; text: string; id: string } | null = null;

  function endRun(): void {
    if (!run) return;
    out += serialise({ event: run.event, id: run.id, data: JSON.stringify({ text: run.text }) });
    run = null;
  }

  function onMessage(message: EventSourceMessage): void {
    if (message.data === '') return;
    if (skipping) {
      if (isReplayed(message.id, skipping)) return;
      skipping = null;
    }
    const text = JOINED.has(message.event) && message.retry === undefined && textOf(message.data);
    if (typeof text !== 'string') {
      endRun();
      out += serialise(message);
      return;
    }
    if (run && run.event !== message.event) endRun();
    if (!run) run = { event: message.event, text: '', id: '' };
    run.text += text;
    if (message.id !== '') run.id = message.id;
  }

  const parse = getLines(
    getMessages(
      () => undefined,
      () => undefined,
      onMessage,
    ),
  );
  return {
    write(bytes) {
      parse(bytes);
      endRun();
      const text = out;
      out = '';
      return text;
    },
  };
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
