import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeEvent, STREAM_RESPONSE_HEADERS, type StreamEvent } from '@gpt-stream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createRawServer } from './raw-baseline.ts';
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
function scripted(events: Array<[StreamEvent, string]>, end = true): Server {
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

const run = (target: StreamTarget, expected: string, hooks = {}) =>
  runStream(target, { prompt: 'p', model: 'echo' }, expected, new AbortController().signal, hooks);

describe('runStream against the raw baseline', () => {
  it('reads a paced mock answer exactly, with a gap between each two deltas', async () => {
    const target = await listen(createRawServer(2));
    const request: StreamRequest = { prompt: 'Why stream?', model: 'mock', maxTokens: 30 };
    const gaps: number[] = [];
    const outcome = await runStream(
      target,
      request,
      answerFor(request).tokens.join(''),
      new AbortController().signal,
      { onGap: (ms) => gaps.push(ms) },
    );
    expect(outcome).toMatchObject({ ok: true, events: 32 });
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
    const target = await listen(scripted([start()], false));
    const abort = new AbortController();
    const outcome = runStream(target, { prompt: 'p', model: 'echo' }, 'a', abort.signal, {
      onStart: () => abort.abort(),
    });
    expect(await outcome).toMatchObject({ ok: false, reason: 'aborted' });
    server?.closeAllConnections();
  });
});
