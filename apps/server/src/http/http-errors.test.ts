import { gzipSync } from 'node:zlib';
import { API_PATHS, ApiErrorBodySchema } from '@gpt-stream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createBuiltInModels, type ModelRegistry } from '../models/registry.ts';
import { exchangeRaw } from '../test-support/raw-http.ts';
import {
  activeStreams,
  postChat,
  startTestServer,
  type TestServer,
} from '../test-support/server.ts';

let server: TestServer;

afterEach(async () => {
  await server.close();
});

const SECRET = 'connection to postgres://admin:hunter2@10.0.0.5 refused';

/** A registry whose lookups fail the way a broken dependency does. */
function brokenRegistry(): ModelRegistry {
  const working = createBuiltInModels({ mockDelayMs: 0 });
  return {
    defaultModel: working.defaultModel,
    get() {
      throw new Error(SECRET);
    },
    list() {
      throw new TypeError(SECRET);
    },
  };
}

async function expectGenericFailure(response: Response) {
  expect(response.status).toBe(500);
  const raw = await response.text();
  expect(ApiErrorBodySchema.parse(JSON.parse(raw))).toEqual({
    error: { code: 'internal_error', message: 'Something went wrong on the server.' },
  });
  expect(raw).not.toContain('hunter2');
  expect(raw).not.toMatch(/Error|\bat .*:\d+/);
}

describe('an internal failure', () => {
  it('is answered with a generic JSON 500; the details go to the log only', async () => {
    server = await startTestServer({ registry: brokenRegistry() });
    await expectGenericFailure(await fetch(`${server.url}${API_PATHS.models}`));
    await expectGenericFailure(await postChat(server, { prompt: 'Hi' }));
    expect(await activeStreams(server)).toBe(0);

    const failures = server.logs.filter(({ msg }) => msg === 'request failed');
    expect(failures).toHaveLength(2);
    for (const failure of failures) {
      expect(failure).toMatchObject({ level: 'error', err: { message: SECRET } });
      expect(String((failure.err as { stack: string }).stack)).toMatch(/\bat .*:\d+/);
    }
  });
});

describe('a client mistake', () => {
  /** The request's log lines, once its response has closed. */
  async function logsOf(path: string) {
    await expect
      .poll(() => server.logs.filter(({ req }) => (req as { url?: string })?.url === path).length)
      .toBeGreaterThan(0);
    return server.logs.filter(({ req }) => (req as { url?: string })?.url === path);
  }

  function expectWarnedWithoutStack(lines: Record<string, unknown>[], status: number) {
    expect(lines.every(({ level }) => level === 'warn')).toBe(true);
    expect(lines).toContainEqual(expect.objectContaining({ res: { statusCode: status } }));
    expect(JSON.stringify(lines)).not.toMatch(/"stack"|\bat .*:\d+/);
  }

  it('answers a malformed escape in the path with 400 and a JSON error, logged as a warning', async () => {
    server = await startTestServer();
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(`${server.url}${API_PATHS.chat}/%ZZ`, { method });
      expect(response.status).toBe(400);
      expect(ApiErrorBodySchema.parse(await response.json()).error.code).toBe('invalid_request');
    }
    expectWarnedWithoutStack(await logsOf(`${API_PATHS.chat}/%ZZ`), 400);
  });

  it('answers a corrupt gzip body with 400 and a JSON error, logged as a warning', async () => {
    server = await startTestServer();
    const corrupt = Buffer.concat([
      gzipSync(JSON.stringify({ prompt: 'Hi' })).subarray(0, 12),
      Buffer.from('not gzip at all'),
    ]);
    const response = await fetch(`${server.url}${API_PATHS.chat}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      body: corrupt,
    });
    expect(response.status).toBe(400);
    expect(ApiErrorBodySchema.parse(await response.json()).error.code).toBe('invalid_request');
    expectWarnedWithoutStack(await logsOf(API_PATHS.chat), 400);
    expect(await activeStreams(server)).toBe(0);
  });

  it('does not log a request cut by bad chunked framing as answered', async () => {
    server = await startTestServer();
    const answer = await exchangeRaw(
      server.port,
      `POST ${API_PATHS.chat} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"pro\r\nZZ\r\nmpt"}\r\n0\r\n\r\n`,
    );
    expect(answer).not.toMatch(/^HTTP\/1\.1 200/);
    const [line, ...rest] = await logsOf(API_PATHS.chat);
    expect(rest).toEqual([]);
    expect(line).toMatchObject({
      level: 'warn',
      msg: `POST ${API_PATHS.chat} closed before it was answered`,
    });
    expect(line?.res).not.toEqual({ statusCode: 200 });
  });
});
