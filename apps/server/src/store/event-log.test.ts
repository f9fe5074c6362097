import type { StreamEvent, TerminalEvent } from '@gpt-stream/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventLog } from './event-log.ts';
import { replayLog } from './replay.ts';
import { INSTANCE_LOST, INSTANCE_LOST_SEQ, type StoredEvent } from './stream-store.ts';

type Text = { type: 'reasoning' | 'delta'; text: string };

function logOf(texts: readonly Text[]): EventLog {
  const log = new EventLog('s1', 'mock-reasoning');
  for (const { type, text } of texts) {
    if (type === 'reasoning') log.pushReasoning(text);
    else log.pushText(text);
  }
  return log;
}

const texts = fc.array(
  fc.record({ type: fc.constantFrom('reasoning', 'delta'), text: fc.string() }),
  { maxLength: 60 },
) as fc.Arbitrary<Text[]>;

describe('EventLog kinds', () => {
  it('gives back every reasoning and delta event in order, whatever the mix', () => {
    fc.assert(
      fc.property(texts, (pushed) => {
        const log = logOf(pushed);
        const expected: StreamEvent[] = [
          { type: 'start', data: { streamId: 's1', model: 'mock-reasoning' } },
          ...pushed.map(({ type, text }) => ({ type, data: { text } })),
        ];
        expect(Array.from({ length: log.length }, (_, seq) => log.eventAt(seq))).toEqual(expected);
        // The reader's fast path: the text of deltas only.
        for (let seq = 0; seq < log.length; seq++) {
          const event = expected[seq] as StreamEvent;
          expect(log.textAt(seq)).toBe(event.type === 'delta' ? event.data.text : undefined);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('numbers thinking, then the answer, then the terminal event', () => {
    const log = new EventLog('s1', 'mock-reasoning');
    expect(log.pushReasoning('Let me think.')).toBe(1);
    expect(log.pushReasoning(' Yes.')).toBe(2);
    expect(log.pushText('Hello')).toBe(3);
    const done = {
      type: 'done',
      data: { finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 3 } },
    } as const;
    expect(log.end(done)).toBe(4);
    expect(log.eventAt(2)).toEqual({ type: 'reasoning', data: { text: ' Yes.' } });
    expect(log.eventAt(4)).toEqual(done);
    expect(() => log.pushReasoning('late')).toThrow(/already ended/);
  });

  it('counts reasoning in its bytes like any text', () => {
    const thinking = new EventLog('s1', 'm');
    const answering = new EventLog('s1', 'm');
    thinking.pushReasoning('x'.repeat(100));
    answering.pushText('x'.repeat(100));
    expect(thinking.bytes).toBe(answering.bytes);
  });
});

const LOST: TerminalEvent = { type: 'error', data: INSTANCE_LOST };

function deltaLog(...texts: string[]): EventLog {
  const log = new EventLog('stream', 'echo');
  for (const text of texts) log.pushText(text);
  return log;
}

async function replayed(log: EventLog, afterSeq: number): Promise<number[]> {
  const seqs: number[] = [];
  for await (const batch of replayLog(log, afterSeq)) seqs.push(...batch.map(({ seq }) => seq));
  return seqs;
}

describe('EventLog numbering', () => {
  it('numbers start, deltas and the terminal event by position', async () => {
    const log = deltaLog('a', 'b');
    expect(log.end(LOST)).toBe(3);
    expect(log.length).toBe(4);
    expect(await replayed(log, -1)).toEqual([0, 1, 2, 3]);
  });

  it('ends a lost stream at INSTANCE_LOST_SEQ, with nothing in the numbers it skips', async () => {
    const log = deltaLog('a', 'b');
    expect(log.end(LOST, INSTANCE_LOST_SEQ)).toBe(INSTANCE_LOST_SEQ);
    expect(log.length).toBe(INSTANCE_LOST_SEQ + 1);
    expect(log.eventAt(INSTANCE_LOST_SEQ)).toBe(LOST);
    expect(() => log.eventAt(3)).toThrow(RangeError);
    expect(log.firstFrom(2)).toBe(2);
    expect(log.firstFrom(3)).toBe(INSTANCE_LOST_SEQ);
    expect(log.firstFrom(INSTANCE_LOST_SEQ + 1)).toBe(INSTANCE_LOST_SEQ + 1);
    // From anywhere before it, in the stream or past its last delta, a replay reaches it at once.
    expect(await replayed(log, 0)).toEqual([1, 2, INSTANCE_LOST_SEQ]);
    expect(await replayed(log, 40)).toEqual([INSTANCE_LOST_SEQ]);
    const last: StoredEvent[] = [];
    for await (const batch of replayLog(log, INSTANCE_LOST_SEQ)) last.push(...batch);
    expect(last).toEqual([{ seq: INSTANCE_LOST_SEQ, event: LOST }]);
  });

  it('refuses a terminal event numbered at or before a delta', () => {
    expect(() => deltaLog('a', 'b').end(LOST, 2)).toThrow(RangeError);
    expect(() => deltaLog('a').end(LOST, 2.5)).toThrow(RangeError);
  });
});
