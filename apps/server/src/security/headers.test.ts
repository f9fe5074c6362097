import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_PATHS, chatStreamPath } from '@gpt-stream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  postChat,
  readStream,
  startTestServer,
  streamIdOf,
  type TestServer,
} from '../test-support/server.ts';

let server: TestServer;
let webDir: string | undefined;

afterEach(async () => {
  await server.close();
  if (webDir) await rm(webDir, { recursive: true });
  webDir = undefined;
});

/** The directives of a Content-Security-Policy header, by name. */
function directives(header: string | null): Map<string, string> {
  return new Map(
    (header ?? '').split(';').map((directive) => {
      const [name = '', ...values] = directive.trim().split(/\s+/);
      return [name, values.join(' ')] as const;
    }),
  );
}

describe('security headers', () => {
  it('serve the page with a CSP that allows only its own files and no inline code', async () => {
    webDir = await mkdtemp(join(tmpdir(), 'gpt-stream-web-'));
    await writeFile(join(webDir, 'index.html'), '<!doctype html><title>gpt-stream</title>');
    server = await startTestServer({ config: { webDir } });
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    const csp = directives(page.headers.get('content-security-policy'));
    expect(csp.get('default-src')).toBe("'self'");
    expect(csp.get('script-src')).toBe("'self'");
    expect(csp.get('style-src')).toBe("'self'");
    expect(csp.get('connect-src')).toBe("'self'");
    expect(csp.get('object-src')).toBe("'none'");
    expect(csp.get('frame-ancestors')).toBe("'none'");
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe');
    expect(csp.has('upgrade-insecure-requests')).toBe(false);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('x-powered-by')).toBeNull();
  });

  it('leave the stream headers that keep proxies from buffering as they were', async () => {
    server = await startTestServer();
    const response = await postChat(server, { prompt: 'Hi', maxTokens: 2 });
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect((await readStream(response)).events.at(-1)?.event.type).toBe('done');
  });

  it('keep on an event stream what a fetched resource needs, and drop what only a page uses', async () => {
    server = await startTestServer();
    const started = await postChat(server, { prompt: 'Hi', maxTokens: 2 });
    const streamId = streamIdOf(await readStream(started));
    const resumed = await fetch(`${server.url}${chatStreamPath(streamId)}`);
    for (const response of [started, resumed]) {
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('cross-origin-resource-policy')).toBe('same-origin');
      expect(response.headers.get('content-security-policy')).toBeNull();
      expect(response.headers.get('x-frame-options')).toBeNull();
      expect(response.headers.get('strict-transport-security')).toBeNull();
    }
    await resumed.body?.cancel();
  });

  it('are on API errors too', async () => {
    server = await startTestServer();
    const response = await fetch(`${server.url}${API_PATHS.chat}`, { method: 'POST' });
    expect(response.status).toBe(415);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });
});
