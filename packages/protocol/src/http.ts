/** Routes, media types and header names shared by the server, the page and the tests. */

export const API_PATHS = {
  chat: '/api/chat',
  /** Route pattern of one stream: `GET` resumes it, `DELETE` stops it. Build URLs with `chatStreamPath`. */
  chatStream: '/api/chat/:streamId',
  health: '/api/health',
  models: '/api/models',
} as const;

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
