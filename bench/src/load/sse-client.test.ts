import { createServer, type Server as HttpServer } from 'node:http';
import {
  type AddressInfo,
  createServer as createNetServer,
  type Server,
  type Socket,
} from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  EVENT_STREAM_TYPE,
  encodeEvent,
  JSON_TYPE,
  STREAM_RESPONSE_HEADERS,
  type StreamEvent,
} from '@gpt-stream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createRawServer } from '../baseline/raw-baseline.ts';
import { runStream, type StreamTarget } from './sse-client.ts';
import { answerFor, type StreamRequest } from './workload.ts';

let server: Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function listen(created: Server): Promise<StreamTarget> {
  server = created;
  await new Promise<void>((resolve) => created.listen(0, '127.0.0.1', resolve));
  return { host: '127.0.0.1', port: (created.address() as AddressInfo).port };
}

/** A server that sends exactly these events, whatever it is asked. */
function scripted(events: Array<[StreamEvent, string]>, end = true): HttpServer {
  return createServer((req, res) => {
    req.resume();
    res.writeHead(200, STREAM_RESPONSE_HEADERS);
    for (const [event, id] of events) res.write(encodeEvent(event, id));
    if (end) res.end();
  });
}

const start = (streamId = 's'): [StreamEvent, string] => [
  { type: 'start', data: { streamId, model: 'echo' } },
  `${streamId}:0`,
];
const delta = (text: string, id: string): [StreamEvent, string] => [
  { type: 'delta', data: { text } },
  id,
];
const done = (id: string): [StreamEvent, string] => [
  { type: 'done', data: { finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 1 } } },
  id,
];

/** The bytes of a 200 event stream, its chunked framing cut every `chunkSize` bytes. */
function chunkedStream(events: Array<[StreamEvent, string]>, chunkSize: number): Buffer {
  const body = Buffer.from(events.map(([event, id]) => encodeEvent(event, id)).join(''));
  const parts = [
    `HTTP/1.1 200 OK\r\nContent-Type: ${EVENT_STREAM_TYPE}\r\nTransfer-Encoding: chunked\r\n\r\n`,
  ];
  for (let at = 0; at < body.length; at += chunkSize) {
    const chunk = body.subarray(at, at + chunkSize);
    parts.push(`${chunk.length.toString(16)};n=${at}\r\n${chunk.toString('latin1')}\r\n`);
  }
  parts.push('0\r\nX-Trailer: t\r\n\r\n');
  return Buffer.from(parts.join(''), 'latin1');
}

/** A raw TCP server that reads the whole request, then lets `respond` write what it likes. */
function rawServer(respond: (socket: Socket) => void): Server {
  return createNetServer((socket) => {
    socket.setNoDelay(true);
    let received = Buffer.alloc(0);
    socket.on('data', (data) => {
      const wasComplete = isCompleteRequest(received);
      received = Buffer.concat([received, data]);
      if (!wasComplete && isCompleteRequest(received)) respond(socket);
    });
  });
}

function isCompleteRequest(received: Buffer): boolean {
  const headEnd = received.indexOf('\r\n\r\n');
  if (headEnd < 0) return false;
  const length = /content-length: (\d+)/i.exec(received.toString('latin1', 0, headEnd));
  return received.length - headEnd - 4 >= Number(length?.[1] ?? 0);
}

/**
 * Writes one byte per write(), each on its own TCP segment. Client and server share this event
 * loop: yielding a turn between writes lets the client read each byte before the next is sent.
 */
async function writeByteByByte(socket: Socket, bytes: Buffer): Promise<void> {
  for (let at = 0; at < bytes.length && !socket.destroyed; at++) {
    await new Promise((resolve) => socket.write(bytes.subarray(at, at + 1), resolve));
    await nextTurn();
  }
}

const run = (target: StreamTarget, expected: string, hooks = {}) =>
  runStream(target, { prompt: 'p', model: 'echo' }, expected, new AbortController().signal, hooks);

describe('runStream against the raw baseline', () => {
  it('reads a paced mock answer exactly, with a gap between each two deltas', async () => {
    const target = await listen(createRawServer(2));
    const request: StreamRequest = { prompt: 'Why stream?', model: 'mock', maxTokens: 30 };
    const gaps: number[] = [];
    let firstDeltas = 0;
    const outcome = await runStream(
      target,
      request,
      answerFor(request).tokens.join(''),
      new AbortController().signal,
      {
        onFirstDelta: () => {
          expect(gaps).toHaveLength(0);
          firstDeltas++;
        },
        onGap: (ms) => gaps.push(ms),
      },
    );
    expect(outcome).toMatchObject({ ok: true, events: 32 });
    expect(firstDeltas).toBe(1);
    expect(gaps).toHaveLength(29);
  });

  it('reads adversarial echo text exactly', async () => {
    const target = await listen(createRawServer(0));
    const prompt = '\uFEFFdata: x\n\nevent: done\r\n  lead\ttab 😀 你好\r';
    const outcome = await runStream(
      target,
      { prompt, model: 'echo' },
      prompt,
      new AbortController().signal,
    );
    expect(outcome.ok).toBe(true);
  });
});

describe('runStream catches a stream that is wrong', () => {
  it('when the text differs', async () => {
    const target = await listen(scripted([start(), delta('hellO', 's:1'), done('s:2')]));
    expect(await run(target, 'hello')).toMatchObject({ ok: false, reason: /text differs/ });
  });

  it('when an id is skipped', async () => {
    const target = await listen(scripted([start(), delta('a', 's:2'), done('s:3')]));
    expect(await run(target, 'a')).toMatchObject({ ok: false, reason: /id "s:2"/ });
  });

  it('when the stream ends without done', async () => {
    const target = await listen(scripted([start(), delta('a', 's:1')]));
    expect(await run(target, 'a')).toMatchObject({ ok: false, reason: /without "done"/ });
  });

  it('when an event follows done', async () => {
    const target = await listen(
      scripted([start(), delta('a', 's:1'), done('s:2'), delta('b', 's:3')]),
    );
    expect(await run(target, 'a')).toMatchObject({ ok: false, reason: /after the terminal/ });
  });

  it('when the stream does not begin with start', async () => {
    const target = await listen(scripted([delta('a', 's:0'), done('s:1')]));
    expect(await run(target, 'a')).toMatchObject({ ok: false, reason: /not "start"/ });
  });

  it('when the answer is not an event stream', async () => {
    const target = await listen(
      createServer((req, res) => req.resume() && res.writeHead(400).end()),
    );
    expect(await run(target, 'a')).toMatchObject({ ok: false, reason: /answered 400/ });
  });

  it('when it is aborted while the stream stays open', async () => {
    const open = scripted([start()], false);
    const target = await listen(open);
    const abort = new AbortController();
    const outcome = runStream(target, { prompt: 'p', model: 'echo' }, 'a', abort.signal, {
      onStart: () => abort.abort(),
    });
    expect(await outcome).toMatchObject({ ok: false, reason: 'aborted' });
    open.closeAllConnections();
  });
});

describe('runStream reads raw HTTP/1.1 off its socket', () => {
  const text = ['héllo ', '😀 ', '你好', ' — done'];
  const events: Array<[StreamEvent, string]> = [
    start(),
    ...text.map((piece, index) => delta(piece, `s:${index + 1}`)),
    done(`s:${text.length + 1}`),
  ];

  it('reads a stream whose chunk framing and characters arrive one byte per TCP write', async () => {
    const target = await listen(
      rawServer((socket) =>
        writeByteByByte(socket, chunkedStream(events, 7)).then(() => socket.end()),
      ),
    );
    expect(await run(target, text.join(''))).toMatchObject({ ok: true, events: events.length });
  });

  it('fails a stream whose server closes the connection inside the body', async () => {
    const response = chunkedStream(events, 7);
    const target = await listen(
      rawServer((socket) => socket.end(response.subarray(0, response.indexOf('\r\n0\r\n') - 3))),
    );
    expect(await run(target, text.join(''))).toMatchObject({
      ok: false,
      reason: /connection closed inside the chunked body after \d+ events/,
    });
  });

  it('fails a stream whose server resets the connection', async () => {
    const response = chunkedStream(events, 1000);
    const target = await listen(
      rawServer((socket) => {
        socket.write(response.subarray(0, response.indexOf('\r\n0\r\n')), () =>
          socket.resetAndDestroy(),
        );
      }),
    );
    expect(await run(target, text.join(''))).toMatchObject({
      ok: false,
      reason: /connection failed: .*ECONNRESET/,
    });
  });

  it('fails a stream whose framing is broken', async () => {
    const response = chunkedStream(events, 7);
    // Chunk data one byte longer than its size line says.
    const broken = response.toString('latin1').replace('\r\n7;n=7\r\n', '\r\n6;n=7\r\n');
    const target = await listen(rawServer((socket) => socket.end(Buffer.from(broken, 'latin1'))));
    expect(await run(target, text.join(''))).toMatchObject({
      ok: false,
      reason: /bad response after \d+ events: missing CRLF after chunk data/,
    });
  });

  it('fails a 400 with a JSON body, naming status and type', async () => {
    const target = await listen(
      createServer((req, res) => {
        req.resume();
        res.writeHead(400, { 'content-type': JSON_TYPE }).end('{"error":{"code":"bad_request"}}');
      }),
    );
    expect(await run(target, 'a')).toMatchObject({
      ok: false,
      reason: `answered 400 ${JSON_TYPE}`,
    });
  });

  it('fails a 200 that is not an event stream', async () => {
    const target = await listen(
      createServer((req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'text/html' }).end('<p>hello</p>');
      }),
    );
    expect(await run(target, 'a')).toMatchObject({ ok: false, reason: 'answered 200 text/html' });
  });

  it('fails a connection nobody listens on', async () => {
    const target = await listen(rawServer(() => {}));
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
    expect(await run(target, 'a')).toMatchObject({
      ok: false,
      reason: /connection failed: .*ECONNREFUSED/,
    });
  });

  it('holds the last body byte back until the gate opens', async () => {
    let received = Buffer.alloc(0);
    let released = false;
    let completeBeforeRelease: boolean | undefined;
    const gated = createNetServer((socket) => {
      socket.on('data', (data) => {
        received = Buffer.concat([received, data]);
        if (!isCompleteRequest(received)) return;
        completeBeforeRelease = !released;
        socket.end(chunkedStream(events, 64));
      });
    });
    const target = await listen(gated);
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let connected = 0;
    const outcome = runStream(
      target,
      { prompt: 'p', model: 'echo' },
      text.join(''),
      new AbortController().signal,
      { gate, onConnect: () => connected++ },
    );
    const headEnd = () => received.indexOf('\r\n\r\n');
    await expect.poll(() => headEnd() >= 0 && connected === 1).toBe(true);
    const head = received.toString('latin1', 0, headEnd());
    expect(head).toMatch(/^POST \/api\/chat HTTP\/1\.1\r\n/);
    expect(head).toMatch(/\r\ncontent-type: application\/json\r\n/i);
    const declared = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1]);
    const payload = JSON.stringify({ prompt: 'p', model: 'echo' });
    expect(declared).toBe(Buffer.byteLength(payload));
    await expect.poll(() => received.length - headEnd() - 4).toBe(declared - 1);
    expect(received.toString('utf8', headEnd() + 4)).toBe(payload.slice(0, -1));
    released = true;
    release();
    expect(await outcome).toMatchObject({ ok: true, events: events.length });
    expect(completeBeforeRelease).toBe(false);
  });
});
