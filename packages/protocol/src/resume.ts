import { API_PATHS } from './http.ts';
import { parseEventId } from './sse-encoder.ts';

/**
 * What a stream id may be: the server makes UUIDs, and anything that fits this pattern is safe in
 * a URL path, in an event id (no `:`) and in a storage key.
 */
const STREAM_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

export function isStreamId(value: string): boolean {
  return STREAM_ID_PATTERN.test(value);
}

/** Query parameter of `GET /api/chat/:streamId`: the event id after which to resume. */
export const RESUME_AFTER_PARAM = 'after';

/**
 * Path of one stream: `GET` replays it (only the events after `after`, an event id, when given)
 * and then follows it to its end; `DELETE` stops it.
 */
export function chatStreamPath(streamId: string, after?: string): string {
  const path = API_PATHS.chatStream.replace(':streamId', encodeURIComponent(streamId));
  return after === undefined ? path : `${path}?${RESUME_AFTER_PARAM}=${encodeURIComponent(after)}`;
}

export interface ResumePosition {
  streamId: string;
  /** The last event the reader has; the resume starts with the one after it. */
  sequence: number;
}

/** Reads a `Last-Event-ID` or `after` value; null when it is not an event id of a stream. */
export function parseResumePosition(eventId: string): ResumePosition | null {
  const parsed = parseEventId(eventId);
  return parsed && isStreamId(parsed.streamId) ? parsed : null;
}
