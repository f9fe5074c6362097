/** Routes, media types and header names shared by the server, the page and the tests. */

export const API_PATHS = {
  chat: '/api/chat',
  /** One stream by id, as an Express route: `GET` resumes it, `DELETE` stops it. */
  chatStream: '/api/chat/:streamId',
  health: '/api/health',
  models: '/api/models',
} as const;

/** The query parameter of a resume: the id of the last event the reader already has. */
export const RESUME_AFTER_PARAM = 'after';

/**
 * The URL of one stream (`API_PATHS.chatStream` filled in). With `after`, a `GET` replays only the
 * events that follow that event id; without it, the whole stream from its start.
 */
export function chatStreamPath(streamId: string, after?: string): string {
  const path = `${API_PATHS.chat}/${encodeURIComponent(streamId)}`;
  if (after === undefined) return path;
  return `${path}?${new URLSearchParams({ [RESUME_AFTER_PARAM]: after })}`;
}

export const EVENT_STREAM_TYPE = 'text/event-stream';
export const JSON_TYPE = 'application/json';

/**
 * Response headers of every stream. `no-transform` and `X-Accel-Buffering: no` stop compression
 * middleware and nginx-style proxies from holding events back.
 */
export const STREAM_RESPONSE_HEADERS = {
  'Content-Type': `${EVENT_STREAM_TYPE}; charset=utf-8`,
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
} as const;

export const LAST_EVENT_ID_HEADER = 'Last-Event-ID';

/** Servers may append `; charset=utf-8`: compare the media type alone, never the whole header. */
export function hasMediaType(contentType: string | null | undefined, mediaType: string): boolean {
  const [essence = ''] = (contentType ?? '').split(';', 1);
  return essence.trim().toLowerCase() === mediaType;
}
