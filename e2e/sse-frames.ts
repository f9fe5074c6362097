import { decodeStreamEvent, type StreamEvent } from '@gpt-stream/protocol';

export interface ReceivedFrame {
  id: string;
  event: StreamEvent;
  /** `Date.now()` when the frame had arrived whole. */
  at: number;
}

/** The whole frames of an event-stream text; a frame not yet ended by a blank line is left out. */
export function parseFrames(text: string, at = Date.now()): ReceivedFrame[] {
  const frames: ReceivedFrame[] = [];
  for (const block of text.split('\n\n').slice(0, -1)) {
    const fields = new Map<string, string>();
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      fields.set(line.slice(0, colon), line.slice(colon + 1).replace(/^ /, ''));
    }
    const type = fields.get('event');
    if (type === undefined) continue;
    const decoded = decodeStreamEvent(type, fields.get('data') ?? '');
    if (!decoded.ok) throw new Error(decoded.reason);
    frames.push({ id: fields.get('id') ?? '', event: decoded.event, at });
  }
  return frames;
}

/**
 * Reads an event stream to its end, or until `count` events have arrived and then drops the
 * connection, as a network would. A stream cut by the other side ends the read early too.
 */
export async function readFrames(response: Response, count = Infinity): Promise<ReceivedFrame[]> {
  const reader = response.body?.getReader();
  if (!reader) throw new Error('the stream has no body');
  const decoder = new TextDecoder();
  const frames: ReceivedFrame[] = [];
  let pending = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return frames;
      pending += decoder.decode(value, { stream: true });
      const end = pending.lastIndexOf('\n\n');
      if (end < 0) continue;
      frames.push(...parseFrames(pending.slice(0, end + 2)));
      pending = pending.slice(end + 2);
      if (frames.length >= count) {
        await reader.cancel();
        return frames.slice(0, count);
      }
    }
  } catch {
    // The connection broke: what arrived whole is what the reader has.
    return frames;
  }
}

export async function readEventsThenCut(
  response: Response,
  count: number,
): Promise<ReceivedFrame[]> {
  const frames = await readFrames(response, count);
  if (frames.length < count) throw new Error(`the stream ended after ${frames.length} events`);
  return frames;
}

export function textOf(frames: readonly ReceivedFrame[]): string {
  return frames.map(({ event }) => (event.type === 'delta' ? event.data.text : '')).join('');
}

/** The sequence numbers of the frames' ids. */
export function sequencesOf(frames: readonly ReceivedFrame[]): number[] {
  return frames.map(({ id }) => Number(id.slice(id.lastIndexOf(':') + 1)));
}
