import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SseResponse } from './sse-response.ts';

let server: Server | undefined;
const clients: Socket[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A server whose every request becomes an SseResponse handed to `respond`. */
async function serve(respond: (out: SseResponse, res: ServerResponse) => void): Promise<number> {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    respond(new SseResponse(res), res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Sends a raw request and collects every byte of the answer until the server closes. */
async function rawExchange(port: number, request: string): Promise<Buffer> {
  const client = connect(port, '127.0.0.1');
  clients.push(client);
  client.write(request);
  const parts: Buffer[] = [];
  client.on('data', (part: Buffer) => parts.push(part));
  await once(client, 'end');
  return Buffer.concat(parts);
}

function splitHead(raw: Buffer): { head: string; body: Buffer } {
  const end = raw.indexOf('\r\n\r\n');
  return { head: raw.subarray(0, end).toString('latin1'), body: raw.subarray(end + 4) };
}

/** Undoes chunked framing, checking that every size line tells the chunk's length in bytes. */
function unchunk(body: Buffer): { chunks: string[]; rest: Buffer } {
  const chunks: string[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    const size = Number.parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (size === 0) return { chunks, rest: body.subarray(lineEnd + 2) };
    const data = body.subarray(lineEnd + 2, lineEnd + 2 + size);
    expect(body.subarray(lineEnd + 2 + size, lineEnd + 4 + size).toString('latin1')).toBe('\r\n');
    chunks.push(data.toString('utf8'));
    at = lineEnd + 4 + size;
  }
}

const TEXTS = ['data: plain\n\n', 'data: "é😀你好"\n\n', `data: ${'x'.repeat(70_000)}\n\n`];

describe('SseResponse', () => {
  it('sends each write as one chunk, sized in bytes, and ends the body properly', async () => {
    const port = await serve((out) => {
      for (const text of TEXTS) out.write(text);
      out.end();
    });
    const raw = await rawExchange(
      port,
      'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    );
    const { head, body } = splitHead(raw);
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head).toMatch(/\r\nTransfer-Encoding: chunked(\r\n|$)/i);
    expect(head).toMatch(/\r\nContent-Type: text\/event-stream; charset=utf-8(\r\n|$)/i);
    const { chunks, rest } = unchunk(body);
    expect(chunks).toEqual(TEXTS);
    expect(rest.toString('latin1')).toBe('\r\n');
  });

  it('ends with a last chunk of data in the same response', async () => {
    const port = await serve((out) => {
      out.write('data: first\n\n');
      out.end('data: last\n\n');
    });
    const raw = await rawExchange(
      port,
      'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    );
    const { chunks, rest } = unchunk(splitHead(raw).body);
    expect(chunks).toEqual(['data: first\n\n', 'data: last\n\n']);
    expect(rest.toString('latin1')).toBe('\r\n');
  });

  it('keeps the connection usable for the next request, pipelined or not', async () => {
    let served = 0;
    const port = await serve((out) => {
      out.write(`data: ${++served}\n\n`);
      out.end();
    });
    const raw = await rawExchange(
      port,
      'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' +
        'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    );
    const answers = raw.toString('utf8').split(/(?=HTTP\/1\.1 200 OK)/);
    expect(answers).toHaveLength(2);
    expect(answers.map((answer) => unchunk(splitHead(Buffer.from(answer)).body).chunks)).toEqual([
      ['data: 1\n\n'],
      ['data: 2\n\n'],
    ]);
  });

  it('goes through res.write when something has wrapped it, such as a compressor', async () => {
    const through: string[] = [];
    server = createServer((req, res) => {
      req.resume();
      const write = res.write.bind(res) as (chunk: string) => boolean;
      res.write = ((chunk: string) => {
        through.push(chunk);
        return write(chunk);
      }) as typeof res.write;
      const out = new SseResponse(res);
      for (const text of TEXTS) out.write(text);
      out.end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const raw = await rawExchange(
      (server.address() as AddressInfo).port,
      'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    );
    expect(through).toEqual(TEXTS);
    expect(unchunk(splitHead(raw).body).chunks).toEqual(TEXTS);
  });

  it('sends an HTTP/1.0 reader the events unframed, as that reader cannot take chunks', async () => {
    const port = await serve((out) => {
      for (const text of TEXTS) out.write(text);
      out.end();
    });
    const { head, body } = splitHead(await rawExchange(port, 'GET / HTTP/1.0\r\n\r\n'));
    expect(head).not.toMatch(/transfer-encoding/i);
    expect(body.toString('utf8')).toBe(TEXTS.join(''));
  });

  it('says when the socket is full, and tells once it has room again', async () => {
    let drained = false;
    let full: boolean | undefined;
    const frame = `data: ${'y'.repeat(64 * 1024)}\n\n`;
    const port = await serve((out) => {
      // Bounded: loopback buffers hold a few MiB, far below 4,000 frames of 64 KiB.
      for (let index = 0; index < 4000; index++) {
        if (!out.write(frame)) {
          full = true;
          break;
        }
      }
      out.onceDrained(() => {
        drained = true;
        out.end();
      });
    });
    const client = connect(port, '127.0.0.1');
    clients.push(client);
    client.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    client.pause();
    await expect.poll(() => full, { timeout: 5000 }).toBe(true);
    expect(drained).toBe(false);

    let received = 0;
    client.on('data', (part: Buffer) => {
      received += part.length;
    });
    client.resume();
    await once(client, 'end');
    expect(drained).toBe(true);
    expect(received).toBeGreaterThan(64 * 1024);
  });

  it('writes nothing once the reader has gone, and says so', async () => {
    let afterClose: boolean | undefined;
    const port = await serve((out, res) => {
      res.on('close', () => {
        afterClose = out.write('data: late\n\n');
      });
    });
    const client = connect(port, '127.0.0.1');
    clients.push(client);
    client.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await once(client, 'data');
    client.destroy();
    await expect.poll(() => afterClose, { timeout: 5000 }).toBe(false);
  });
});
