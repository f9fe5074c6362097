/*
 * The baseline: the least a hand-written node:http server needs to stream the same answer. Same
 * tokens, same frames (the protocol's encoder), same pacing (token n is due n × delay after the
 * stream began, as a model produces them whether or not the server keeps up), one event per
 * write(), waits for 'drain'; no framework, no validation beyond parsing, no heartbeat.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  API_PATHS,
  encodeEvent,
  formatEventId,
  STREAM_RESPONSE_HEADERS,
} from '@gpt-stream/protocol';
import { answerFor, promptTokenCount, type StreamRequest } from '../load/workload.ts';

async function readJson(req: IncomingMessage): Promise<StreamRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as StreamRequest;
}

async function stream(req: IncomingMessage, res: ServerResponse, delayMs: number): Promise<void> {
  const request = await readJson(req);
  const { tokens, finishReason } = answerFor({ ...request, model: request.model ?? 'mock' });
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  res.writeHead(200, STREAM_RESPONSE_HEADERS);
  res.flushHeaders();
  const streamId = randomUUID();
  let sequence = 0;
  const id = () => formatEventId(streamId, sequence++);
  res.write(
    encodeEvent({ type: 'start', data: { streamId, model: request.model ?? 'mock' } }, id()),
  );
  let due = performance.now();
  for (const text of tokens) {
    due += delayMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait, undefined, { signal: abort.signal });
    if (!res.write(encodeEvent({ type: 'delta', data: { text } }, id()))) {
      await once(res, 'drain', { signal: abort.signal });
    }
  }
  const usage = { promptTokens: promptTokenCount(request.prompt), completionTokens: tokens.length };
  res.end(encodeEvent({ type: 'done', data: { finishReason, usage } }, id()));
}

/** The baseline's whole request handling: POST /api/chat streams, anything else is a 404. */
export function createRawServer(delayMs: number): Server {
  return createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== API_PATHS.chat) {
      res.writeHead(404).end();
      return;
    }
    stream(req, res, delayMs).catch(() => res.destroy());
  });
}
