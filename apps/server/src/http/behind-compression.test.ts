import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_PATHS } from '@gpt-stream/protocol';
import compression from 'compression';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import type { Model } from '../models/model.ts';
import { createModelRegistry } from '../models/registry.ts';
import { silentLogger } from '../observability/logger.ts';
import { createMetrics } from '../observability/metrics.ts';
import { createTestStreams, testConfig } from '../test-support/server.ts';

/** Yields one token, then waits for the test before the rest: a buffered first token never shows. */
function gatedModel() {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const model: Model = {
    id: 'gated',
    description: 'waits between its tokens',
    async *generate() {
      yield 'first';
      await released;
      yield 'second';
      return { finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 2 } };
    },
  };
  return { model, release };
}

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

/** The app as a forker might deploy it: a compression middleware in front of everything. */
async function startBehindCompression(model: Model): Promise<string> {
  const outer = express();
  // threshold 0 compresses even small bodies, so the test also shows compression is live.
  outer.use(compression({ threshold: 0 }));
  outer.use(
    createApp({
      config: testConfig,
      models: createModelRegistry([model], model.id),
      streams: createTestStreams(testConfig),
      logger: silentLogger(),
      metrics: createMetrics(),
    }),
  );
  server = createServer(outer);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Reads until `until` appears, failing after a bounded wait rather than hanging. */
async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  until: string,
): Promise<string> {
  const decoder = new TextDecoder();
  let seen = '';
  const deadline = AbortSignal.timeout(10_000);
  while (!seen.includes(until)) {
    if (deadline.aborted) throw new Error(`"${until}" did not arrive; got ${JSON.stringify(seen)}`);
    const { value, done } = await reader.read();
    if (done) break;
    seen += decoder.decode(value, { stream: true });
  }
  return seen;
}

describe('behind compression middleware', () => {
  it('passes each event on as it is written, uncompressed, before the stream ends', async () => {
    const { model, release } = gatedModel();
    const url = await startBehindCompression(model);
    const acceptsGzip = { 'Accept-Encoding': 'gzip, deflate, br' };

    const models = await fetch(`${url}${API_PATHS.models}`, { headers: acceptsGzip });
    expect(models.headers.get('content-encoding')).toMatch(/^(br|gzip|deflate)$/);

    const response = await fetch(`${url}${API_PATHS.chat}`, {
      method: 'POST',
      headers: { ...acceptsGzip, 'Content-Type': 'application/json' },
      body: JSON.stringify({ prompt: 'Hi' }),
    });
    expect(response.headers.get('content-encoding')).toBeNull();
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();

    // The model is still waiting: the first token can only be here if nothing held it back.
    const early = await readUntil(reader, '"first"');
    expect(early).toContain('event: start');
    expect(early).not.toContain('"second"');
    expect(early).not.toContain('event: done');

    release();
    const rest = await readUntil(reader, 'event: done');
    expect(rest).toContain('"second"');
  });
});
