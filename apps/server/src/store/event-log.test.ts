import type { TerminalEvent } from '@gpt-stream/protocol';
import { describe, expect, it } from 'vitest';
import { EventLog } from './event-log.ts';
import { replayLog } from './replay.ts';
import { INSTANCE_LOST, INSTANCE_LOST_SEQ, type StoredEvent } from './stream-store.ts';

const LOST: TerminalEvent = { type: 'error', data: INSTANCE_LOST };

function logOf(...texts: string[]): EventLog {
  const log = new EventLog('stream', 'echo');
  for (const text of texts) log.pushText(text);
  return log;
}

async function replayed(log: EventLog, afterSeq: number): Promise<number[]> {
  const seqs: number[] = [];
  for await (const batch of replayLog(log, afterSeq)) seqs.push(...batch.map(({ seq }) => seq));
  return seqs;
}

describe('EventLog', () => {
  it('numbers start, deltas and the terminal event by position', async () => {
    const log = logOf('a', 'b');
    expect(log.end(LOST)).toBe(3);
    expect(log.length).toBe(4);
    expect(await replayed(log, -1)).toEqual([0, 1, 2, 3]);
  });

  it('ends a lost stream at INSTANCE_LOST_SEQ, with nothing in the numbers it skips', async () => {
    const log = logOf('a', 'b');
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
    expect(() => logOf('a', 'b').end(LOST, 2)).toThrow(RangeError);
    expect(() => logOf('a').end(LOST, 2.5)).toThrow(RangeError);
  });
});
