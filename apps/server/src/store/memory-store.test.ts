import { ApiErrorBodySchema, chatStreamPath } from '@gpt-stream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createEchoModel } from '../models/echo.ts';
import { postChat, startTestServer, type TestServer } from '../test-support/server.ts';
import { EventLog } from './event-log.ts';
import { MemoryStore, type MemoryStoreOptions } from './memory-store.ts';
import type { EventBatches, StoredEvent } from './stream-store.ts';

let clock = 0;
const stores: MemoryStore[] = [];

function store(options: Partial<MemoryStoreOptions> = {}): MemoryStore {
  const created = new MemoryStore({
    retentionMs: 1000,
    maxStreams: 100,
    maxBytes: 1024 * 1024,
    now: () => clock,
    ...options,
  });
  stores.push(created);
  return created;
}

function finishedLog(streamId: string, texts: string[] = ['Hel', 'lo']): EventLog {
  const log = new EventLog(streamId, 'echo');
  for (const text of texts) log.pushText(text);
  log.end({
    type: 'done',
    data: { finishReason: 'stop', usage: { promptTokens: 1, completionTokens: texts.length } },
  });
  return log;
}

async function keep(into: MemoryStore, log: EventLog): Promise<boolean> {
  if (!into.add(log)) return false;
  into.appended(log);
  await into.ended(log);
  return true;
}

async function collect(batches: EventBatches | undefined): Promise<StoredEvent[] | undefined> {
  if (!batches) return undefined;
  const events: StoredEvent[] = [];
  for await (const batch of batches) events.push(...batch);
  return events;
}

afterEach(async () => {
  clock = 0;
  for (const created of stores.splice(0)) await created.close();
});

describe('MemoryStore', () => {
  it('replays a finished stream after any position, the terminal event last', async () => {
    const memory = store();
    await keep(memory, finishedLog('a'));
    const all = await collect(await memory.read('a', -1));
    expect(all?.map(({ seq, event }) => [seq, event.type])).toEqual([
      [0, 'start'],
      [1, 'delta'],
      [2, 'delta'],
      [3, 'done'],
    ]);
    expect((await collect(await memory.read('a', 1)))?.map(({ seq }) => seq)).toEqual([2, 3]);
    // A reader that has everything, or claims more, still gets its one terminal event.
    expect((await collect(await memory.read('a', 3)))?.map(({ seq }) => seq)).toEqual([3]);
    expect((await collect(await memory.read('a', 99)))?.map(({ seq }) => seq)).toEqual([3]);
  });

  it('replays a long stream in bounded batches', async () => {
    const memory = store();
    await keep(
      memory,
      finishedLog(
        'long',
        Array.from({ length: 2000 }, (_, index) => `${index} `),
      ),
    );
    const batches: number[] = [];
    for await (const batch of (await memory.read('long', -1)) ?? []) batches.push(batch.length);
    expect(batches.reduce((sum, size) => sum + size, 0)).toBe(2002);
    expect(Math.max(...batches)).toBeLessThanOrEqual(512);
  });

  it('does not know streams it never had', async () => {
    expect(await store().read('nope', -1)).toBeUndefined();
    expect(await store().requestStop('nope')).toBe(false);
  });

  it('forgets a finished stream once the retention time has passed, not before', async () => {
    const memory = store({ retentionMs: 1000 });
    clock = 5000;
    await keep(memory, finishedLog('a'));
    clock = 5999;
    expect(await memory.read('a', -1)).toBeDefined();
    expect(await memory.requestStop('a')).toBe(true);
    clock = 6000;
    expect(await memory.read('a', -1)).toBeUndefined();
    expect(memory.size).toBe(0);
    expect(memory.bytes).toBe(0);
  });

  it('counts retention from the end of a stream, never expiring a running one', async () => {
    const memory = store({ retentionMs: 1000 });
    const running = new EventLog('running', 'echo');
    memory.add(running);
    clock = 10_000;
    expect(memory.add(new EventLog('other', 'echo'))).toBe(true);
    expect(memory.size).toBe(2);
    running.end({
      type: 'error',
      data: { code: 'stream_stopped', message: 'Stopped.', retryable: false },
    });
    await memory.ended(running);
    clock = 10_999;
    expect((await collect(await memory.read('running', -1)))?.at(-1)?.event.type).toBe('error');
  });

  it('makes room for a new stream by dropping the oldest finished one first', async () => {
    const memory = store({ maxStreams: 3 });
    await keep(memory, finishedLog('first'));
    await keep(memory, finishedLog('second'));
    const running = new EventLog('running', 'echo');
    expect(memory.add(running)).toBe(true);

    expect(memory.add(new EventLog('new', 'echo'))).toBe(true);
    expect(await memory.read('first', -1)).toBeUndefined();
    expect(await memory.read('second', -1)).toBeDefined();
    expect(memory.size).toBe(3);
  });

  it('refuses a new stream when running streams alone fill it, and takes one again when one ends', async () => {
    const memory = store({ maxStreams: 2 });
    const one = new EventLog('one', 'echo');
    expect(memory.add(one)).toBe(true);
    expect(memory.add(new EventLog('two', 'echo'))).toBe(true);
    expect(memory.add(new EventLog('three', 'echo'))).toBe(false);
    expect(memory.size).toBe(2);

    one.end({
      type: 'done',
      data: { finishReason: 'stop', usage: { promptTokens: 0, completionTokens: 0 } },
    });
    await memory.ended(one);
    expect(memory.add(new EventLog('three', 'echo'))).toBe(true);
    expect(await memory.read('one', -1)).toBeUndefined();
  });

  it('keeps its bytes under the bound by dropping finished streams as running ones grow', async () => {
    const memory = store({ maxBytes: 4096 });
    await keep(memory, finishedLog('old', ['x'.repeat(1000)]));
    const growing = new EventLog('growing', 'echo');
    expect(memory.add(growing)).toBe(true);
    const before = memory.bytes;
    growing.pushText('y'.repeat(500));
    memory.appended(growing);
    expect(memory.bytes).toBeGreaterThan(before);
    expect(await memory.read('old', -1)).toBeDefined();

    growing.pushText('z'.repeat(500));
    memory.appended(growing);
    expect(await memory.read('old', -1)).toBeUndefined();
    expect(memory.bytes).toBe(growing.bytes);
    // Running streams are never cut short, even past the bound.
    growing.pushText('w'.repeat(2000));
    memory.appended(growing);
    expect(memory.bytes).toBe(growing.bytes);
    expect(memory.bytes).toBeGreaterThan(4096);
    expect(memory.add(new EventLog('refused', 'echo'))).toBe(false);
  });
});

describe('the memory store behind the API', () => {
  let server: TestServer | undefined;
  const open: AbortController[] = [];
  const held: Response[] = [];
  afterEach(async () => {
    for (const controller of open.splice(0)) controller.abort();
    held.length = 0;
    await server?.close();
  });

  it('counts running streams against MEMORY_STORE_MAX_BYTES and refuses starts beyond it', async () => {
    server = await startTestServer({
      models: [createEchoModel({ delayMs: 60_000 })],
      config: { maxPromptChars: 32_000, memoryStoreMaxBytes: 1024 * 1024 },
    });
    const start = async () => {
      const controller = new AbortController();
      open.push(controller);
      const response = await postChat(
        server as TestServer,
        { prompt: 'x'.repeat(32_000) },
        { signal: controller.signal },
      );
      held.push(response);
      return response;
    };
    const statuses: number[] = [];
    for (let index = 0; index < 40; index++) statuses.push((await start()).status);

    // Each holds its 32,000-character prompt (64 KB as UTF-16), whatever it has sent so far.
    const accepted = statuses.filter((status) => status === 200).length;
    expect(accepted).toBeGreaterThan(0);
    expect(accepted * 64_000).toBeLessThanOrEqual(1024 * 1024);
    expect(statuses).toEqual([...Array(accepted).fill(200), ...Array(40 - accepted).fill(503)]);
    const refused = await start();
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(ApiErrorBodySchema.parse(await refused.json()).error.code).toBe('server_busy');

    // A stream that ends makes room: finished streams are the first to go.
    const first = held[0] as Response;
    const streamId = JSON.parse(
      /data: (.*)/.exec(
        new TextDecoder().decode((await first.body?.getReader().read())?.value),
      )?.[1] ?? '{}',
    ).streamId;
    expect(
      (await fetch(`${server.url}${chatStreamPath(streamId)}`, { method: 'DELETE' })).status,
    ).toBe(204);
    expect((await start()).status).toBe(200);
  });
});
