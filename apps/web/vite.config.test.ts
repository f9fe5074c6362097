import { once } from 'node:events';
import {
  createServer as createHttpServer,
  type RequestListener,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { API_PATHS, encodeEvent, STREAM_RESPONSE_HEADERS } from '@gpt-stream/protocol';
import { createServer as createViteServer } from 'vite';
import { afterEach, describe, expect, it } from 'vitest';
import { apiProxyTarget } from './vite.config.ts';

describe('apiProxyTarget', () => {
  it('follows the PORT the API server reads', () => {
    expect(apiProxyTarget({ PORT: '9000' })).toBe('http://127.0.0.1:9000');
  });

  it('defaults to the API server default port', () => {
    expect(apiProxyTarget({})).toBe('http://127.0.0.1:8080');
  });

  it('lets API_PROXY_TARGET point anywhere', () => {
    expect(apiProxyTarget({ API_PROXY_TARGET: 'http://api.test:1234', PORT: '9000' })).toBe(
      'http://api.test:1234',
    );
  });
});

describe('the dev server proxy', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function address(server: Server): string {
    const { port } = server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Resolves to `fallback` if `promise` has not settled within `ms`, so a hang fails fast. */
  function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
    return Promise.race([
      promise,
      new Promise<T>((resolve) => {
        const timer = setTimeout(() => resolve(fallback), ms);
        cleanups.push(async () => clearTimeout(timer));
      }),
    ]);
  }

  /** An API server that starts a stream and then does whatever `then` says. */
  async function startUpstream(then: (res: ServerResponse) => void): Promise<Server> {
    const handler: RequestListener = (req, res) => {
      if (req.url !== API_PATHS.chat) return void res.writeHead(404).end();
      res.writeHead(200, STREAM_RESPONSE_HEADERS);
      res.write(encodeEvent({ type: 'start', data: { streamId: 's', model: 'mock' } }, 's:0'));
      then(res);
    };
    const upstream = createHttpServer(handler);
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    cleanups.push(async () => {
      upstream.closeAllConnections();
      await new Promise((resolve) => upstream.close(resolve));
    });
    return upstream;
  }

  /** The real vite.config.ts, pointed at `upstream` the way a developer would. */
  async function startVite(upstream: Server): Promise<string> {
    const saved = process.env.API_PROXY_TARGET;
    process.env.API_PROXY_TARGET = address(upstream);
    try {
      const vite = await createViteServer({
        configFile: fileURLToPath(new URL('./vite.config.ts', import.meta.url)),
        logLevel: 'silent',
        server: { host: '127.0.0.1', port: 0, watch: null },
        optimizeDeps: { noDiscovery: true, include: [] },
      });
      await vite.listen();
      cleanups.push(() => vite.close());
      return address(vite.httpServer as Server);
    } finally {
      if (saved === undefined) delete process.env.API_PROXY_TARGET;
      else process.env.API_PROXY_TARGET = saved;
    }
  }

  async function openStream(base: string, signal?: AbortSignal) {
    const response = await fetch(`${base}${API_PATHS.chat}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'Hi' }),
      ...(signal ? { signal } : {}),
    });
    expect(response.status).toBe(200);
    const reader = response.body?.getReader();
    if (!reader) throw new Error('no body');
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('event: start');
    return reader;
  }

  it('closes the upstream stream when the browser stops reading', { timeout: 15_000 }, async () => {
    let upstreamClosed: (finished: boolean) => void = () => {};
    const closed = new Promise<boolean>((resolve) => {
      upstreamClosed = resolve;
    });
    // A stream that never ends by itself, like a long generation.
    const upstream = await startUpstream((res) => {
      const timer = setInterval(() => {
        res.write(encodeEvent({ type: 'delta', data: { text: 'x' } }, 's:1'));
      }, 20);
      res.on('close', () => {
        clearInterval(timer);
        upstreamClosed(res.writableFinished);
      });
    });
    const browser = new AbortController();
    await openStream(await startVite(upstream), browser.signal);

    browser.abort();

    // false: torn down before it finished, so the API server saw the client leave.
    await expect(within<boolean | string>(closed, 5_000, 'still open')).resolves.toBe(false);
  });

  it('breaks the browser connection when the API server dies mid-stream', {
    timeout: 15_000,
  }, async () => {
    const upstream = await startUpstream((res) => {
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const base = await startVite(upstream);

    // node:http, not fetch: like a browser it tells a truncated chunked body from a complete one,
    // where Node's fetch accepts the truncation as the end on a `Connection: close` response.
    const ending = new Promise<string>((resolve, reject) => {
      const req = request(`${base}${API_PATHS.chat}`, { method: 'POST' }, (res) => {
        res.resume();
        res.on('close', () => resolve(res.complete ? 'ended as if complete' : 'broken'));
      });
      req.on('error', reject);
      req.setHeader('content-type', 'application/json');
      req.end(JSON.stringify({ prompt: 'Hi' }));
    });

    // Broken, as it would be without the proxy, so that the page reports a cut stream.
    await expect(within(ending, 5_000, 'still open')).resolves.toBe('broken');
  });
});
