/** Test support: the real app on a real loopback port, and a spec-compliant reader for its streams. */
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  API_PATHS,
  decodeStreamEvent,
  HealthSchema,
  parseResumePosition,
  type StreamEvent,
} from '@gpt-stream/protocol';
import { createParser } from 'eventsource-parser';
import { createApp } from '../app.ts';
import { type Config, DEFAULT_READER_MAX_LAG_BYTES } from '../config/config.ts';
import { createHttpServer } from '../http/http-server.ts';
import type { Model } from '../models/model.ts';
import {
  createBuiltInModels,
  createModelRegistry,
  type ModelRegistry,
} from '../models/registry.ts';
import { createLogger, type Logger, silentLogger } from '../observability/logger.ts';
import { createMetrics, type Metrics } from '../observability/metrics.ts';
import { createStreamObserver } from '../observability/stream-observer.ts';
import { MemoryStore } from '../store/memory-store.ts';
import type { StreamStore } from '../store/stream-store.ts';
import { ActiveStreams } from '../streaming/active-streams.ts';

export interface TestServer {
  url: string;
  port: number;
  streams: ActiveStreams;
  metrics: Metrics;
  /** Every log line the app wrote, parsed. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export const testConfig = {
  host: '127.0.0.1',
  allowedHosts: [] as string[],
  heartbeatMs: 15_000,
  maxPromptChars: 1000,
  maxMessages: 1000,
  systemPrompt: undefined as string | undefined,
  mockDelayMs: 0,
  webDir: '/nonexistent',
  corsOrigins: [] as string[],
  trustProxy: false as Config['trustProxy'],
  rateLimitWindowMs: 60_000,
  // Off: tests start many streams from one address; the limit has tests of its own.
  rateLimitMax: 0,
  maxConcurrentStreams: 0,
  maxConcurrentReaders: 0,
  maxStreamsPerClient: 0,
  readerMaxLagBytes: DEFAULT_READER_MAX_LAG_BYTES,
  streamRetentionMs: 60_000,
  memoryStoreMaxStreams: 1000,
  memoryStoreMaxBytes: 64 * 1024 * 1024,
} satisfies Partial<Config>;

/** The streams registry the test app uses: a memory store with the config's bounds by default. */
export function createTestStreams(
  settings: typeof testConfig,
  {
    logger = silentLogger(),
    metrics = createMetrics(),
    store,
  }: { logger?: Logger; metrics?: Metrics; store?: StreamStore | undefined } = {},
): ActiveStreams {
  return new ActiveStreams({
    store:
      store ??
      new MemoryStore({
        retentionMs: settings.streamRetentionMs,
        maxStreams: settings.memoryStoreMaxStreams,
        maxBytes: settings.memoryStoreMaxBytes,
      }),
    heartbeatMs: settings.heartbeatMs,
    retentionMs: settings.streamRetentionMs,
    readerMaxLagBytes: settings.readerMaxLagBytes,
    observer: createStreamObserver({ logger, metrics }),
    logger,
  });
}

export async function startTestServer({
  config = {},
  models,
  registry = models
    ? createModelRegistry(models, models[0]?.id ?? '')
    : createBuiltInModels({ ...testConfig, ...config }),
  store,
}: {
  config?: Partial<typeof testConfig>;
  models?: Model[];
  /** A whole registry, as the entry point builds it from configuration. */
  registry?: ModelRegistry;
  /** Default: a memory store with the config's bounds. Closed with the server. */
  store?: StreamStore;
} = {}): Promise<TestServer> {
  const settings = { ...testConfig, ...config };
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger('debug', { write: (line) => logs.push(JSON.parse(line)) });
  const metrics = createMetrics();
  const streams = createTestStreams(settings, { logger, metrics, store });
  const server = createHttpServer(
    createApp({ config: settings, models: registry, streams, metrics, logger }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    streams,
    metrics,
    logs,
    close: async () => {
      // Resumable generations outlive their readers: end them so that no test leaks into the next.
      streams.stopAll({ code: 'server_shutdown', message: 'Test over.', retryable: true });
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await streams.close();
    },
  };
}

export function postChat(server: TestServer, body: unknown, init: RequestInit = {}) {
  return fetch(`${server.url}${API_PATHS.chat}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    ...init,
  });
}

/** Reads a stream until its first delta, then hands back the still-open reader. */
export function readUntilFirstDelta(response: Response) {
  return readUntilFirst(response, 'delta');
}

/** Reads a stream until its first event of `type`, then hands back the still-open reader. */
export async function readUntilFirst(response: Response, type: StreamEvent['type']) {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let seen = '';
  while (!seen.includes(`event: ${type}\n`)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before a ${type} event`);
    seen += decoder.decode(value, { stream: true });
  }
  return reader;
}

export interface ReceivedEvent {
  id: string | undefined;
  event: StreamEvent;
}

export interface ReceivedStream {
  events: ReceivedEvent[];
  comments: string[];
}

/** Reads a whole event stream; throws on anything the protocol cannot decode. */
export async function readStream(response: Response): Promise<ReceivedStream> {
  const received: ReceivedStream = { events: [], comments: [] };
  const parser = createParser({
    onEvent(message) {
      const decoded = decodeStreamEvent(message.event ?? '', message.data);
      if (!decoded.ok) throw new Error(decoded.reason);
      received.events.push({ id: message.id, event: decoded.event });
    },
    onComment: (comment) => received.comments.push(comment),
  });
  const decoder = new TextDecoder();
  for await (const chunk of response.body ?? [])
    parser.feed(decoder.decode(chunk, { stream: true }));
  return received;
}

export function textOf({ events }: ReceivedStream): string {
  return events.map(({ event }) => (event.type === 'delta' ? event.data.text : '')).join('');
}

export async function activeStreams(server: TestServer): Promise<number> {
  const response = await fetch(`${server.url}${API_PATHS.health}`);
  return HealthSchema.parse(await response.json()).activeStreams;
}

export interface CutStream extends ReceivedStream {
  /** The id of the last whole event received before the cut. */
  lastId: string;
}

/**
 * Sends a request and destroys its TCP connection once `events` whole events have arrived, the
 * way a dropped Wi-Fi or a killed proxy would cut it.
 */
export function readUntilCut(
  url: string,
  { method = 'POST', body, events }: { method?: string; body?: unknown; events: number },
): Promise<CutStream> {
  return new Promise((resolve, reject) => {
    const received: ReceivedStream = { events: [], comments: [] };
    const request = httpRequest(url, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    });
    const parser = createParser({
      onEvent(message) {
        const decoded = decodeStreamEvent(message.event ?? '', message.data);
        if (!decoded.ok) return reject(new Error(decoded.reason));
        received.events.push({ id: message.id, event: decoded.event });
        if (received.events.length === events) {
          request.destroy();
          resolve({ ...received, lastId: message.id ?? '' });
        }
      },
    });
    request.on('response', (response) => {
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => parser.feed(chunk));
      response.on('end', () => reject(new Error(`stream ended after ${received.events.length}`)));
    });
    request.on('error', (error) => {
      if (received.events.length < events) reject(error);
    });
    request.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** A model that yields one token each time the test releases one, and finishes when told. */
export function gatedModel(id = 'gated', tokenText = (index: number) => `token ${index} `) {
  let waiting: (() => void) | undefined;
  let released = 0;
  let finishAfter = Number.POSITIVE_INFINITY;
  const gate = { pulled: 0, finished: false };
  const model: Model = {
    id,
    description: 'test model that waits for the test',
    async *generate({ signal }) {
      try {
        while (gate.pulled < finishAfter) {
          while (released <= gate.pulled && gate.pulled < finishAfter) {
            await new Promise<void>((resolve, reject) => {
              const abort = () => reject(signal.reason);
              waiting = () => {
                signal.removeEventListener('abort', abort);
                resolve();
              };
              signal.addEventListener('abort', abort, { once: true });
            });
          }
          if (gate.pulled >= finishAfter) break;
          yield tokenText(gate.pulled++);
        }
        return { finishReason: 'stop', usage: { promptTokens: 1, completionTokens: gate.pulled } };
      } finally {
        gate.finished = true;
      }
    },
  };
  const wake = () => {
    const resolve = waiting;
    waiting = undefined;
    resolve?.();
  };
  return {
    model,
    gate,
    release(count = 1) {
      released += count;
      wake();
    },
    finish() {
      finishAfter = released;
      wake();
    },
  };
}

/** Text that breaks naive SSE handling: CRLF, lone CR, emoji, CJK, a BOM, lookalike fields. */
export const ADVERSARIAL_TEXT = [
  '\uFEFF  leading spaces\r\nCRLF\rlone CR\n\n你好，世界 👩‍👩‍👧 🇩🇪\tTab\n',
  'data: x\n\nevent: done\n: not a comment\nid: 1\n\n',
  '  and the end, after an emoji 🎉\r\n',
].join('');

export function streamIdOf({ events }: ReceivedStream): string {
  const start = events[0]?.event;
  if (start?.type !== 'start') throw new Error('the stream did not begin with start');
  return start.data.streamId;
}

/** The position of each event, read from its id. */
export function sequencesOf({ events }: ReceivedStream): number[] {
  return events.map(({ id }) => parseResumePosition(id ?? '')?.sequence ?? Number.NaN);
}

/** The thinking of a received stream: its `reasoning` events' text, joined. */
export function thinkingOf({ events }: ReceivedStream): string {
  return events.map(({ event }) => (event.type === 'reasoning' ? event.data.text : '')).join('');
}
