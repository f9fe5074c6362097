import { isTerminalEvent } from '@gpt-stream/protocol';
import type { EventLog } from './event-log.ts';
import type { StoredEvent } from './stream-store.ts';

/** Big enough to make a replay a few writes, small enough to bound the string each one builds. */
export const REPLAY_BATCH_EVENTS = 512;

/**
 * The first sequence number a reader positioned after `afterSeq` gets: the next one, or the
 * terminal event again when it already has it (or claims a position past it), so that every
 * resume still ends with exactly one terminal event.
 */
export function firstSeqAfter(afterSeq: number, length: number, ended: boolean): number {
  return ended ? Math.min(afterSeq + 1, length - 1) : afterSeq + 1;
}

/** A finished log's events after `afterSeq`, in batches. */
export async function* replayLog(
  log: EventLog,
  afterSeq: number,
): AsyncGenerator<readonly StoredEvent[]> {
  const end = log.length;
  for (let seq = log.firstFrom(firstSeqAfter(afterSeq, end, true)); seq < end; ) {
    const batch: StoredEvent[] = [];
    for (; seq < end && batch.length < REPLAY_BATCH_EVENTS; seq = log.firstFrom(seq + 1)) {
      batch.push({ seq, event: log.eventAt(seq) });
    }
    yield batch;
  }
}

export function endsStream(batch: readonly StoredEvent[]): boolean {
  const last = batch.at(-1);
  return last !== undefined && isTerminalEvent(last.event);
}
