/** Test support: the real app on a real loopback port, and a spec-compliant reader for its streams. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_PATHS, decodeStreamEvent, HealthSchema, type StreamEvent } from '@gpt-stream/protocol';
import { createParser } from 'eventsource-parser';
import { ActiveStreams } from './active-streams.ts';
import { createApp } from './app.ts';
import type { Config } from './config.ts';
import type { Model } from './models/model.ts';
import { createBuiltInModels, createModelRegistry, type ModelRegistry } from './models/registry.ts';
import { createLogger } from './observability/logger.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';

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
  heartbeatMs: 15_000,
  maxPromptChars: 1000,
  mockDelayMs: 0,
  webDir: '/nonexistent',
  corsOrigins: [] as string[],
  trustProxy: false as Config['trustProxy'],
  rateLimitWindowMs: 60_000,
  // Off: tests start many streams from one address; the limit has tests of its own.
  rateLimitMax: 0,
  maxConcurrentStreams: 0,
} satisfies Partial<Config>;

export async function startTestServer({
  config = {},
  models,
  registry = models
    ? createModelRegistry(models, models[0]?.id ?? '')
    : createBuiltInModels({ ...testConfig, ...config }),
}: {
  config?: Partial<typeof testConfig>;
  models?: Model[];
  /** A whole registry, as the entry point builds it from configuration. */
  registry?: ModelRegistry;
} = {}): Promise<TestServer> {
  const settings = { ...testConfig, ...config };
  const streams = new ActiveStreams();
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger('debug', { write: (line) => logs.push(JSON.parse(line)) });
  const metrics = createMetrics();
  const server = createServer(
    createApp({ config: settings, models: registry, streams, logger, metrics }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    streams,
    metrics,
    logs,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
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
export async function readUntilFirstDelta(response: Response) {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let seen = '';
  while (!seen.includes('event: delta')) {
    const { value, done } = await reader.read();
    if (done) throw new Error('stream ended before a delta');
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
