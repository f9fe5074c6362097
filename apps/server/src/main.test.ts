import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_PATHS, HealthSchema } from '@gpt-stream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  killStartedServers,
  listening,
  type Running,
  runServer as run,
} from './test-support/process.ts';
import { type ReceivedStream, readStream } from './test-support/server.ts';

afterEach(killStartedServers);

/** The process's JSON log lines, parsed; anything else would fail the parse. */
function logLines(running: Running): Record<string, unknown>[] {
  return running
    .output()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

async function openStreams(url: string, count: number): Promise<Promise<ReceivedStream>[]> {
  const readers: Promise<ReceivedStream>[] = [];
  for (let index = 0; index < count; index++) {
    const response = await fetch(`${url}${API_PATHS.chat}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ prompt: `Stream number ${index}` }),
    });
    expect(response.status).toBe(200);
    readers.push(readStream(response));
  }
  return readers;
}

async function activeStreamsOf(url: string): Promise<number> {
  return HealthSchema.parse(await (await fetch(`${url}${API_PATHS.health}`)).json()).activeStreams;
}

async function tokensSent(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(text.match(/^gpt_stream_tokens_sent_total (\d+)/m)?.[1] ?? 0);
}

// Each test starts real processes: generous limits for a busy machine.
describe('the server process', { timeout: 30_000 }, () => {
  it('refuses to start on a bad setting, naming it, without a stack trace', async () => {
    const running = run({
      PORT: 'eighty',
      HEARTBEAT_MS: '-5',
      LOG_LEVEL: 'loud',
      MAX_CONCURRENT_STREAMS: 'lots',
      CORS_ORIGINS: 'example.com',
    });
    const [code] = await once(running.child, 'exit');
    expect(code).toBe(1);
    const [line, ...rest] = logLines(running);
    expect(rest).toEqual([]);
    expect(line).toMatchObject({ level: 'fatal' });
    expect(line?.problems).toEqual([
      'PORT must be a whole number from 0 to 65535, got "eighty"',
      expect.stringContaining('HEARTBEAT_MS must be a whole number'),
      expect.stringContaining('LOG_LEVEL must be one of'),
      expect.stringContaining('CORS_ORIGINS must be'),
      expect.stringContaining('MAX_CONCURRENT_STREAMS must be a whole number'),
    ]);
    expect(line?.msg).toContain('PORT must be');
    expect(running.output()).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });

  it('says clearly when the port is taken', async () => {
    const first = run({});
    const url = await listening(first);
    const second = run({ PORT: new URL(url).port });
    const [code] = await once(second.child, 'exit');
    expect(code).toBe(1);
    expect(second.output()).toContain('is in use: set PORT to a free port');
  });

  it('names the upstream models it offers at start, never the key or URL credentials', async () => {
    const running = run({
      OPENAI_BASE_URL: 'http://user:hunter2@127.0.0.1:9/v1',
      OPENAI_API_KEY: 'sk-start-secret',
      OPENAI_MODEL: 'llama3.2',
      OPENAI_EXTRA_MODELS: 'qwen2.5',
    });
    await listening(running);
    await expect
      .poll(running.output)
      .toContain('Offering llama3.2, qwen2.5 from http://127.0.0.1:9/v1');
    expect(running.output()).not.toMatch(/sk-start-secret|hunter2/);
  });

  it('refuses to start with an upstream but no model, naming the variable', async () => {
    const running = run({ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' });
    const [code] = await once(running.child, 'exit');
    expect(code).toBe(1);
    expect(running.output()).toContain('OPENAI_MODEL is required with OPENAI_BASE_URL');
  });

  it('on SIGTERM ends open streams with a retryable server_shutdown error, then exits', async () => {
    const running = run({ MOCK_DELAY_MS: '50' });
    const url = await listening(running);
    const response = await fetch(`${url}${API_PATHS.chat}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ prompt: 'Tell me a long story' }),
    });
    const reading = readStream(response);
    await expect.poll(() => activeStreamsOf(url)).toBe(1);

    running.child.kill('SIGTERM');
    const { events } = await reading;
    expect(events.at(-1)?.event).toEqual({
      type: 'error',
      data: { code: 'server_shutdown', message: expect.any(String), retryable: true },
    });
    const [code] = await once(running.child, 'exit');
    expect(code).toBe(0);
    expect(logLines(running)).toContainEqual(
      expect.objectContaining({ signal: 'SIGTERM', openStreams: 1, msg: 'SIGTERM: shutting down' }),
    );
  });

  it('ends 300 open streams on SIGTERM and exits cleanly within the default grace', async () => {
    const count = 300;
    // Slow tokens keep every stream open; the limits are off so that one address may open them all.
    const running = run({
      MOCK_DELAY_MS: '1000',
      RATE_LIMIT_MAX: '0',
      MAX_CONCURRENT_STREAMS: '0',
      MAX_STREAMS_PER_CLIENT: '0',
    });
    const url = await listening(running);
    const readers = await openStreams(url, count);
    await expect.poll(() => activeStreamsOf(url), { timeout: 30_000 }).toBe(count);

    const signalledAt = performance.now();
    running.child.kill('SIGTERM');
    const [code] = await once(running.child, 'exit');
    const exitMs = performance.now() - signalledAt;
    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(5000);

    const streams = await Promise.all(readers);
    for (const { events } of streams) {
      expect(events[0]?.event.type).toBe('start');
      const terminal = events.filter(
        ({ event }) => event.type === 'done' || event.type === 'error',
      );
      expect(terminal.map(({ event }) => event)).toEqual([
        {
          type: 'error',
          data: { code: 'server_shutdown', message: expect.any(String), retryable: true },
        },
      ]);
      expect(events.at(-1)?.event.type).toBe('error');
    }
    const ended = logLines(running).filter(({ msg }) => msg === 'stream ended');
    expect(ended).toHaveLength(count);
    expect(ended.every(({ outcome }) => outcome === 'server_shutdown')).toBe(true);
    console.info(
      `${count} streams ended and the process exited ${Math.round(exitMs)} ms after SIGTERM`,
    );
  }, 60_000);

  it('refuses new connections at once and does not wait for a reader that never reads', async () => {
    const graceMs = 3000;
    const running = run({
      MOCK_DELAY_MS: '0',
      MAX_PROMPT_CHARS: '1000000',
      SHUTDOWN_GRACE_MS: String(graceMs),
    });
    const url = await listening(running);
    const { hostname, port } = new URL(url);
    // A client that sends a request for a huge echo and then never reads a byte of the answer.
    const body = JSON.stringify({ prompt: 'a '.repeat(499_000), model: 'echo' });
    const stuck = connect({ host: hostname, port: Number(port) });
    stuck.pause();
    stuck.write(
      `POST ${API_PATHS.chat} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    // Well past what the socket buffers take: the reader is behind, or was cut for it.
    await expect
      .poll(() => tokensSent(url), { timeout: 20_000, interval: 20 })
      .toBeGreaterThan(60_000);

    const signalledAt = performance.now();
    const exited = once(running.child, 'exit');
    running.child.kill('SIGTERM');
    await expect
      .poll(() =>
        fetch(`${url}${API_PATHS.health}`).then(
          () => 'served',
          (error) => error.cause?.code,
        ),
      )
      .toBe('ECONNREFUSED');
    const [code] = await exited;
    const exitMs = performance.now() - signalledAt;
    stuck.destroy();
    // Its last event can never arrive, but the ended response no longer holds the process.
    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(graceMs);
    expect(logLines(running)).toContainEqual(
      expect.objectContaining({ msg: 'stream ended', model: 'echo', outcome: 'server_shutdown' }),
    );
  }, 60_000);

  it('serves the built page next to the API when there is one', async () => {
    const webDir = await mkdtemp(join(tmpdir(), 'gpt-stream-web-'));
    try {
      await writeFile(join(webDir, 'index.html'), '<!doctype html><title>gpt-stream</title>');
      const running = run({ WEB_DIR: webDir });
      const url = await listening(running);
      expect(running.output()).toContain(`the built page from ${webDir}`);
      const page = await fetch(`${url}/`);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('<title>gpt-stream</title>');
      expect((await fetch(`${url}${API_PATHS.health}`)).status).toBe(200);
    } finally {
      await rm(webDir, { recursive: true });
    }
  });
});
