/**
 * A stream id is a capability: whoever has it can read the stream and stop it. Logs keep its
 * first 8 hex digits, enough to tell streams apart and follow one through the log, and far too
 * few to guess the other 90 random bits.
 */
const STREAM_ID = /\b([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

export function redactStreamId(streamId: string): string {
  return `${streamId.slice(0, 8)}…`;
}

/** `text` with every stream id in it (a path, a query, an error message) cut to its prefix. */
export function redactStreamIds(text: string): string {
  return text.replace(STREAM_ID, '$1…');
}
