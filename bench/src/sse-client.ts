/*
 * Reads one stream the way a browser would (eventsource-parser follows the SSE spec to the
 * letter) and checks all of it: `start` first, ids `<streamId>:<n>` without a gap, one terminal
 * `done` last, and the deltas joining into exactly the expected text.
 */
import { type Agent, request as httpRequest } from 'node:http';
import { API_PATHS, EVENT_STREAM_TYPE, hasMediaType, JSON_TYPE } from '@gpt-stream/protocol';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { StreamRequest } from './workload.ts';

export interface StreamHooks {
  /** The `start` event arrived: the server has taken the stream on. */
  onStart?: () => void;
  /** Milliseconds between two consecutive deltas, and when (performance.now()) the first came. */
  onGap?: (ms: number, since: number) => void;
  /**
   * Holds the request back until this settles: everything but the body's last byte goes out at
   * once, so the server has the connection and the headers but cannot start the stream yet.
   */
  gate?: Promise<void>;
  /** The connection is established (only reported for a gated request). */
  onConnect?: () => void;
}

export type StreamOutcome =
  | { ok: true; events: number; firstDeltaMs: number }
  | { ok: false; reason: string; events: number };

export interface StreamTarget {
  host: string;
  port: number;
  agent: Agent;
}

export function runStream(
  target: StreamTarget,
  body: StreamRequest,
  expectedText: string,
  signal: AbortSignal,
  hooks: StreamHooks = {},
): Promise<StreamOutcome> {
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

    const finish = (outcome: StreamOutcome) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const fail = (reason: string) => {
      problem ??= reason;
      finish({ ok: false, reason: problem, events });
      req.destroy();
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
        if (pieces.length === 0) firstDeltaMs = now - sentAt;
        else hooks.onGap?.(now - lastDeltaAt, lastDeltaAt);
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

    const req = httpRequest({
      host: target.host,
      port: target.port,
      agent: target.agent,
      method: 'POST',
      path: API_PATHS.chat,
      headers: { 'content-type': JSON_TYPE },
    });
    const payload = Buffer.from(JSON.stringify(body));
    const onAbort = () => fail('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    req.on('error', (error) => fail(`request failed: ${error.message}`));
    req.on('response', (res) => {
      if (res.statusCode !== 200 || !hasMediaType(res.headers['content-type'], EVENT_STREAM_TYPE)) {
        res.resume();
        return fail(`answered ${res.statusCode} ${res.headers['content-type']}`);
      }
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        try {
          parser.feed(chunk);
        } catch (error) {
          fail(`unreadable event: ${(error as Error).message}`);
        }
      });
      res.on('error', (error) => fail(`response failed: ${error.message}`));
      res.on('end', () => {
        if (terminal !== 'done') return fail(`ended after ${events} events without "done"`);
        const text = pieces.join('');
        if (text !== expectedText) {
          return fail(`text differs (${text.length} of ${expectedText.length} characters)`);
        }
        finish({ ok: true, events, firstDeltaMs });
      });
    });
    const { gate } = hooks;
    if (gate === undefined) {
      req.end(payload);
      return;
    }
    req.setHeader('content-length', payload.length);
    req.once('socket', (socket) => socket.once('connect', () => hooks.onConnect?.()));
    req.write(payload.subarray(0, -1));
    gate.then(() => {
      if (settled) return;
      sentAt = performance.now();
      req.end(payload.subarray(-1));
    });
  });
}
