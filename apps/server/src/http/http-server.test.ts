import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServer } from './http-server.ts';

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

describe('createHttpServer', () => {
  it('makes each request and response with the prototype Express would give it', async () => {
    const app = express();
    app.get('/echo', (req, res) => {
      res.json({ path: req.path, query: req.query, sameApp: req.app === app });
    });
    server = createHttpServer(app);
    const prototypes: unknown[] = [];
    // Runs before the app does: what the server made, before Express changed anything.
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      prototypes.push(Object.getPrototypeOf(req) === app.request);
      prototypes.push(Object.getPrototypeOf(res) === app.response);
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;

    const response = await fetch(`http://127.0.0.1:${port}/echo?x=1`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ path: '/echo', query: { x: '1' }, sameApp: true });
    expect(prototypes).toEqual([true, true]);
  });
});
