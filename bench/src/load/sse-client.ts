/*
 * Reads one stream the way a browser would (eventsource-parser follows the SSE spec to the
 * letter) and checks all of it: `start` first, ids `<streamId>:<n>` without a gap, one terminal
 * `done` last, and the deltas joining into exactly the expected text.
 */
import { connect } from 'node:net';
import { API_PATHS, EVENT_STREAM_TYPE, hasMediaType, JSON_TYPE } from '@gpt-stream/protocol';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { HttpResponseReader, type HttpResponseSink } from './http-response-reader.ts';
import type { StreamRequest } from './workload.ts';

export interface StreamHooks {
  /** The `start` event arrived: the server has taken the stream on. */
  onStart?: () => void;
  /** The first delta arrived. */
  onFirstDelta?: () => void;
  /** Milliseconds between two consecutive deltas, and when (performance.now()) the first came. */
  onGap?: (ms: number, since: number) => void;
  /**
   * Holds the request back until this settles: everything but the body's last byte goes out at
   * once, so the server has the connection and the headers but cannot start the stream yet.
   */
  gate?: Promise<void>;
  /** The connection is established. */
  onConnect?: () => void;
}

export type StreamOutcome =
  | { ok: true; events: number; firstDeltaMs: number }
  | { ok: false; reason: string; events: number };

export interface StreamTarget {
  host: string;
  port: number;
}

/**
 * Every socket reads into this one buffer, and each read is handled before the next one can
 * land in it: no Buffer and no stream 'data' event per read, which at thousands of streams was
 * much of what a read cost.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** One options object for every decode, rather than one per chunk. */
const STREAMING = { stream: true };

/**
 * The request as one buffer: head and body written by hand onto a socket of its own, since the
 * load generator cannot afford node:http's client. `Connection: close`, as node:http's client sent
 * without keep-alive, so that the server does exactly what it did before.
 */
function requestBytes(target: StreamTarget, body: StreamRequest): Buffer {
  const payload = JSON.stringify(body);
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return Buffer.from(
    `POST ${API_PATHS.chat} HTTP/1.1\r\n` +
      `Host: ${host}:${target.port}\r\n` +
      `Content-Type: ${JSON_TYPE}\r\n` +
      `Content-Length: ${Buffer.byteLength(payload)}\r\n` +
      'Connection: close\r\n\r\n' +
      payload,
  );
}

export function runStream(
  target: StreamTarget,
  body: StreamRequest,
  expectedText: string,
  signal: AbortSignal,
  hooks: StreamHooks = {},
): Promise<StreamOutcome> {
  if (signal.aborted) return Promise.resolve({ ok: false, reason: 'aborted', events: 0 });
  return new Promise((resolve) => {
    let sentAt = performance.now();
    let events = 0;
    let prefix = '';
    let lastDeltaAt = 0;
    let firstDeltaMs = Number.NaN;
    let terminal: string | undefined;
    let problem: string | undefined;
    const pieces: string[] = [];
    let settled = false;

    const socket = connect({
      host: target.host,
      port: target.port,
      noDelay: true,
      onread: { buffer: READ_BUFFER, callback: (length) => onBytes(length) },
    });
    const finish = (outcome: StreamOutcome) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      resolve(outcome);
      socket.destroy();
    };
    const fail = (reason: string) => {
      if (settled) return;
      problem ??= reason;
      finish({ ok: false, reason: problem, events });
    };

    const onEvent = ({ event, id, data }: EventSourceMessage) => {
      if (terminal !== undefined) return fail(`"${event}" after the terminal "${terminal}"`);
      const sequence = events++;
      if (sequence === 0) {
        if (event !== 'start') return fail(`first event is "${event}", not "start"`);
        prefix = `${(JSON.parse(data) as { streamId: string }).streamId}:`;
        hooks.onStart?.();
      }
      if (id !== `${prefix}${sequence}`) return fail(`event ${sequence} has id "${id}"`);
      if (event === 'delta') {
        const now = performance.now();
        if (pieces.length === 0) {
          firstDeltaMs = now - sentAt;
          hooks.onFirstDelta?.();
        } else hooks.onGap?.(now - lastDeltaAt, lastDeltaAt);
        lastDeltaAt = now;
        pieces.push((JSON.parse(data) as { text: string }).text);
      } else if (event === 'done' || event === 'error') {
        terminal = event;
        if (event === 'error') return fail(`error event: ${data}`);
      } else if (event !== 'start' || sequence !== 0) {
        return fail(`unexpected "${event}" event`);
      }
    };
    const parser = createParser({ onEvent });
    // Fatal: bytes that are not UTF-8 are the server's bug, which a replacement character would hide.
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const readEvents = (text: string) => {
      try {
        parser.feed(text);
      } catch (error) {
        fail(`unreadable event: ${(error as Error).message}`);
      }
    };

    const sink: HttpResponseSink = {
      onHead({ status, headers }) {
        const type = headers.get('content-type');
        if (status !== 200 || !hasMediaType(type, EVENT_STREAM_TYPE)) {
          fail(`answered ${status} ${type}`);
        }
      },
      onBody(bytes) {
        if (!settled) readEvents(decoder.decode(bytes, STREAMING));
      },
      onEnd() {
        if (settled) return;
        readEvents(decoder.decode());
        if (settled) return;
        if (terminal !== 'done') return fail(`ended after ${events} events without "done"`);
        const text = pieces.join('');
        if (text !== expectedText) {
          return fail(`text differs (${text.length} of ${expectedText.length} characters)`);
        }
        finish({ ok: true, events, firstDeltaMs });
      },
    };
    const reader = new HttpResponseReader(sink);
    const onAbort = () => fail('aborted');
    signal.addEventListener('abort', onAbort, { once: true });

    const onBytes = (length: number): boolean => {
      if (settled) return true;
      try {
        reader.feed(READ_BUFFER.subarray(0, length));
      } catch (error) {
        fail(`bad response after ${events} events: ${(error as Error).message}`);
      }
      return true;
    };
    socket.on('end', () => {
      if (settled) return;
      try {
        reader.close();
      } catch (error) {
        fail(`${(error as Error).message} after ${events} events`);
      }
    });
    socket.on('error', (error) => fail(`connection failed: ${error.message}`));
    socket.on('close', () => fail(`connection closed after ${events} events`));
    const { onConnect, gate } = hooks;
    if (onConnect) socket.once('connect', onConnect);

    const request = requestBytes(target, body);
    if (gate === undefined) {
      socket.write(request);
      return;
    }
    socket.write(request.subarray(0, -1));
    const release = () => {
      if (settled) return;
      sentAt = performance.now();
      socket.write(request.subarray(-1));
    };
    gate.then(release, release);
  });
}
