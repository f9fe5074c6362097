import { z } from 'zod/mini';

/**
 * Machine-readable error codes, for HTTP error bodies and `error` events alike. Decoders accept any
 * string so that a page older than its server still shows the message of a code it does not know.
 */
export const ERROR_CODES = {
  invalidRequest: 'invalid_request',
  invalidJson: 'invalid_json',
  unknownModel: 'unknown_model',
  payloadTooLarge: 'payload_too_large',
  unsupportedMediaType: 'unsupported_media_type',
  notFound: 'not_found',
  internal: 'internal_error',
  modelFailed: 'model_failed',
  serverShutdown: 'server_shutdown',
  upstreamAuth: 'upstream_auth',
  upstreamModelNotFound: 'upstream_model_not_found',
  upstreamRateLimited: 'upstream_rate_limited',
  upstreamError: 'upstream_error',
  upstreamUnreachable: 'upstream_unreachable',
  upstreamTimeout: 'upstream_timeout',
  rateLimited: 'rate_limited',
  streamNotFound: 'stream_not_found',
  streamStopped: 'stream_stopped',
  streamAbandoned: 'stream_abandoned',
  serverBusy: 'server_busy',
  /** The request's `Host` is not a name this server answers to (a DNS rebinding attempt, say). */
  hostNotAllowed: 'host_not_allowed',
  /** The instance generating the stream stopped answering (its lease in the shared store ran out). */
  instanceLost: 'instance_lost',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export const ErrorInfoSchema = z.object({
  code: z.string().check(z.minLength(1)),
  message: z.string(),
});

/** Body of every 4xx/5xx JSON response: `{ "error": { "code", "message" } }`. */
export const ApiErrorBodySchema = z.object({ error: ErrorInfoSchema });

export type ApiErrorBody = z.infer<typeof ApiErrorBodySchema>;

export function apiErrorBody(code: ErrorCode, message: string): ApiErrorBody {
  return { error: { code, message } };
}
