import type { StreamEvent } from '@gpt-stream/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../test-support/redis.ts';
import { EventLog } from './event-log.ts';
import { MemoryStore } from './memory-store.ts';
import { RedisStore } from './redis-store.ts';
import type { EventBatches, StoredEvent, StreamStore } from './stream-store.ts';

let redis: TestRedis;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis?.stop();
});

const never = new AbortController().signal;

/** Thinking that looks like an SSE frame and a JSON document, then an answer, then `done`. */
const EVENTS: StreamEvent[] = [
  { type: 'reasoning', data: { text: 'Let me think about "this".\n' } },
  { type: 'reasoning', data: { text: 'data: x\n\nevent: done\r\n' } },
  { type: 'delta', data: { text: '\uFEFF  Answer: 你好 👩‍👩‍👧' } },
  { type: 'reasoning', data: { text: 'On second thought.' } },
  { type: 'delta', data: { text: ' Still yes.' } },
  {
    type: 'done',
    data: {
      finishReason: 'stop',
      usage: { promptTokens: 4, completionTokens: 9, reasoningTokens: 5 },
    },
  },
];

async function collect(batches: EventBatches | undefined): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for await (const batch of batches ?? []) events.push(...batch);
  return events;
}

/** Writes the events through `writer` as a generation does, one `appended` per event. */
async function write(writer: StreamStore, streamId: string): Promise<EventLog> {
  const log = new EventLog(streamId, 'mock-reasoning');
  writer.add(log);
  for (const event of EVENTS) {
    if (event.type === 'reasoning') log.pushReasoning(event.data.text);
    else if (event.type === 'delta') log.pushText(event.data.text);
    else if (event.type === 'done' || event.type === 'error') log.end(event);
    writer.appended(log);
  }
  await writer.ended(log);
  return log;
}

describe.each([
  [
    'memory',
    async () => {
      const store = new MemoryStore({ retentionMs: 60_000, maxStreams: 10, maxBytes: 1 << 20 });
      return { writer: store, reader: store, close: () => store.close() };
    },
  ],
  [
    'Redis, across two instances',
    async () => {
      const writer = await RedisStore.connect({
        url: redis.url,
        retentionMs: 60_000,
        leaseMs: 3000,
      });
      const reader = await RedisStore.connect({
        url: redis.url,
        retentionMs: 60_000,
        leaseMs: 3000,
      });
      return {
        writer,
        reader,
        close: async () => {
          await writer.close();
          await reader.close();
        },
      };
    },
  ],
])('a reasoning stream in the %s store', (_name, open) => {
  it('replays thinking and answer exactly, in order, from any position', async () => {
    const { writer, reader, close } = await open();
    try {
      const streamId = `reasoning-${process.pid}-${Date.now()}`;
      await write(writer, streamId);
      const start: StreamEvent = { type: 'start', data: { streamId, model: 'mock-reasoning' } };
      const all = [start, ...EVENTS].map((event, seq) => ({ seq, event }));
      for (let after = -1; after < all.length - 1; after++) {
        expect(await collect(await reader.read(streamId, after, never))).toEqual(
          all.slice(after + 1),
        );
      }
    } finally {
      await close();
    }
  });
});
