import { chatStreamPath } from '@gpt-stream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { testModels } from '../test-support/scripted-models.ts';
import {
  gatedModel,
  postChat,
  readStream,
  startTestServer,
  type TestServer,
} from '../test-support/server.ts';
import { METRICS_PATH } from './metrics-route.ts';

/** `name{labels}` -> value, from Prometheus's text format. */
async function scrape(server: TestServer): Promise<Map<string, number>> {
  const response = await fetch(`${server.url}${METRICS_PATH}`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(\S+) (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    samples.set(match[1] as string, Number(match[2]));
  }
  return samples;
}

async function sample(server: TestServer, name: string): Promise<number | undefined> {
  return (await scrape(server)).get(name);
}

let server: TestServer;

afterEach(async () => {
  await server.close();
});

describe('GET /metrics after real streams', () => {
  it('counts open streams, outcomes, tokens and time to first token', async () => {
    server = await startTestServer({ models: testModels });
    await readStream(await postChat(server, { prompt: 'one', model: 'steady' }));
    await readStream(await postChat(server, { prompt: 'two', model: 'steady' }));
    await readStream(await postChat(server, { prompt: 'three', model: 'broken' }));

    const leaving = new AbortController();
    const endless = await postChat(
      server,
      { prompt: 'four', model: 'endless', resumable: false },
      { signal: leaving.signal },
    );
    const reader = (endless.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    expect(await sample(server, 'gpt_stream_active_streams')).toBe(1);
    leaving.abort();
    await expect.poll(() => sample(server, 'gpt_stream_active_streams')).toBe(0);

    const samples = await scrape(server);
    expect(samples.get('gpt_stream_streams_total{outcome="done"}')).toBe(2);
    expect(samples.get('gpt_stream_streams_total{outcome="model_failed"}')).toBe(1);
    expect(samples.get('gpt_stream_streams_total{outcome="client_left"}')).toBe(1);
    // Three and three from steady, one from broken, at least one from endless.
    expect(samples.get('gpt_stream_tokens_sent_total')).toBeGreaterThanOrEqual(8);
    expect(samples.get('gpt_stream_time_to_first_token_seconds_count')).toBe(4);
    expect(samples.get('gpt_stream_time_to_first_token_seconds_bucket{le="+Inf"}')).toBe(4);
    expect(samples.get('gpt_stream_time_to_first_token_seconds_sum')).toBeGreaterThan(0);
  });

  it('counts exactly the deltas it sent', async () => {
    server = await startTestServer({ config: { mockDelayMs: 0 } });
    const { events } = await readStream(await postChat(server, { prompt: 'Hi', maxTokens: 17 }));
    expect(events.filter(({ event }) => event.type === 'delta')).toHaveLength(17);
    expect(await sample(server, 'gpt_stream_tokens_sent_total')).toBe(17);
    // The counter catches up when scraped: scraping again adds nothing, new tokens add up.
    expect(await sample(server, 'gpt_stream_tokens_sent_total')).toBe(17);
    await readStream(await postChat(server, { prompt: 'Hi', maxTokens: 5 }));
    expect(await sample(server, 'gpt_stream_tokens_sent_total')).toBe(22);
  });

  it('counts each generated delta once, however many readers it reaches, and says so', async () => {
    const gated = gatedModel();
    server = await startTestServer({ models: [gated.model] });
    const first = readStream(await postChat(server, { prompt: 'Hi' }));
    await expect.poll(() => server.streams.runningIds().length).toBe(1);
    const streamId = server.streams.runningIds()[0] as string;
    const second = readStream(await fetch(`${server.url}${chatStreamPath(streamId)}`));
    await expect.poll(() => server.streams.readers).toBe(2);
    gated.release(4);
    gated.finish();
    const streams = await Promise.all([first, second]);
    for (const { events } of streams) {
      expect(events.filter(({ event }) => event.type === 'delta')).toHaveLength(4);
    }

    expect(await sample(server, 'gpt_stream_tokens_sent_total')).toBe(4);
    const text = await (await fetch(`${server.url}${METRICS_PATH}`)).text();
    expect(text).toMatch(
      /^# HELP gpt_stream_tokens_sent_total Delta events generated\b.*once.*reader/m,
    );
  });

  it('includes event loop lag and the process defaults', async () => {
    server = await startTestServer();
    const samples = await scrape(server);
    expect(samples.get('nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(samples.get('nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    expect(samples.get('process_resident_memory_bytes')).toBeGreaterThan(0);
  });
});
