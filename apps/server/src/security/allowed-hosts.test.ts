import { API_PATHS, ApiErrorBodySchema } from '@gpt-stream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { exchangeRaw, rawRequest } from '../test-support/raw-http.ts';
import { startTestServer, type TestServer } from '../test-support/server.ts';

let server: TestServer;

afterEach(async () => {
  await server.close();
});

/** Sends `path` with `Host: host` over a real socket; the status and the body. */
async function askAs(host: string, path: string = API_PATHS.models, method = 'GET') {
  const answer = await exchangeRaw(
    server.port,
    rawRequest({ method, path, host, headers: { Connection: 'close' } }),
  );
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
  const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
  return { status, body };
}

const HOSTILE = [
  'evil.example',
  'evil.example:8080',
  '127.0.0.1.nip.io',
  'localhost.evil.example',
  'rebind.127.0.0.1.example',
  '192.168.1.20',
];

describe('the Host check of a server bound to loopback', () => {
  it('answers only loopback names, on any port', async () => {
    server = await startTestServer();
    for (const host of [
      'localhost',
      'localhost:5173',
      '127.0.0.1',
      `127.0.0.1:${server.port}`,
      '[::1]:8080',
      'app.localhost',
    ]) {
      expect({ host, status: (await askAs(host)).status }).toEqual({ host, status: 200 });
    }
  });

  it('refuses any other name with 403 and a JSON error, before any route runs', async () => {
    server = await startTestServer();
    for (const host of HOSTILE) {
      for (const [method, path] of [
        ['GET', API_PATHS.models],
        ['GET', '/metrics'],
        ['POST', API_PATHS.chat],
        ['DELETE', `${API_PATHS.chat}/6c0e1b52-6a4e-4a62-9c61-1f0f6f5b2f00`],
      ] as const) {
        const { status, body } = await askAs(host, path, method);
        expect({ host, path, status }).toEqual({ host, path, status: 403 });
        expect(ApiErrorBodySchema.parse(JSON.parse(body)).error.code).toBe('host_not_allowed');
      }
    }
    expect(server.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', res: { statusCode: 403 } }),
    );
  });

  it('answers the names ALLOWED_HOSTS lists, a leading dot for a domain and its subdomains', async () => {
    server = await startTestServer({
      config: { allowedHosts: ['chat.example.com', '.corp.example'] },
    });
    for (const host of [
      'chat.example.com',
      'CHAT.example.com:443',
      'corp.example',
      'a.b.corp.example',
      'localhost',
    ]) {
      expect({ host, status: (await askAs(host)).status }).toEqual({ host, status: 200 });
    }
    for (const host of [...HOSTILE, 'example.com', 'xcorp.example']) {
      expect({ host, status: (await askAs(host)).status }).toEqual({ host, status: 403 });
    }
  });

  it('answers any Host with ALLOWED_HOSTS=*', async () => {
    server = await startTestServer({ config: { allowedHosts: ['*'] } });
    for (const host of HOSTILE) {
      expect({ host, status: (await askAs(host)).status }).toEqual({ host, status: 200 });
    }
  });
});

describe('the Host check of a server bound to the network', () => {
  it('answers IP addresses and loopback names, and other names only from ALLOWED_HOSTS', async () => {
    server = await startTestServer({ config: { host: '0.0.0.0' } });
    for (const host of ['192.168.1.20:8080', '[2001:db8::1]', '127.0.0.1', 'localhost']) {
      expect({ host, status: (await askAs(host)).status }).toEqual({ host, status: 200 });
    }
    for (const host of ['evil.example', '127.0.0.1.nip.io', 'chat.example.com']) {
      expect({ host, status: (await askAs(host)).status }).toEqual({ host, status: 403 });
    }
  });
});
