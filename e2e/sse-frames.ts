import { decodeStreamEvent, type StreamEvent } from '@gpt-stream/protocol';

export interface ReceivedFrame {
  id: string;
  event: StreamEvent;
}

/** The whole frames of an event-stream text; a frame not yet ended by a blank line is left out. */
export function parseFrames(text: string): ReceivedFrame[] {
  const frames: ReceivedFrame[] = [];
  const blocks = text.split('\n\n');
  for (const block of blocks.slice(0, -1)) {
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
    frames.push({ id: fields.get('id') ?? '', event: decoded.event });
  }
  return frames;
}

/** Reads a stream until `count` events have arrived, then drops the connection, as a network would. */
export async function readEventsThenCut(
  response: Response,
  count: number,
): Promise<ReceivedFrame[]> {
  const reader = response.body?.getReader();
  if (!reader) throw new Error('the stream has no body');
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`the stream ended after ${parseFrames(text).length} events`);
    text += decoder.decode(value, { stream: true });
    const frames = parseFrames(text);
    if (frames.length >= count) {
      await reader.cancel();
      return frames.slice(0, count);
    }
  }
}

export function textOf(frames: readonly ReceivedFrame[]): string {
  return frames.map(({ event }) => (event.type === 'delta' ? event.data.text : '')).join('');
}
