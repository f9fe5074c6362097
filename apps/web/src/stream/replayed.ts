import { parseEventId } from '@gpt-stream/protocol';

/** Events the page already has: a resume may send them again, and those up to `sequence` go. */
export interface ReplayedThrough {
  streamId: string;
  sequence: number;
}

/** What a resume after `lastEventId` may send again, if that id is one of the stream's. */
export function replayedThrough(
  streamId: string,
  lastEventId: string | null,
): ReplayedThrough | null {
  const id = lastEventId ? parseEventId(lastEventId) : null;
  return id && id.streamId === streamId ? id : null;
}

/** An event a resume sent again: the reader must see each event exactly once. */
export function isReplayed(rawId: string, replayed: ReplayedThrough): boolean {
  const id = parseEventId(rawId);
  return id !== null && id.streamId === replayed.streamId && id.sequence <= replayed.sequence;
}
