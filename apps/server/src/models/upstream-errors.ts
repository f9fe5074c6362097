import { ERROR_CODES } from '@gpt-stream/protocol';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  AuthenticationError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from 'openai';
import { ModelError } from './model.ts';

export interface UpstreamContext {
  /** The upstream's model name, which the reader chose and may name. */
  model: string;
  /** Never sent and never logged: replaced wherever an upstream echoes it back. */
  apiKey?: string | undefined;
}

/** The upstream stayed silent for longer than `UPSTREAM_IDLE_TIMEOUT_MS`. */
export function upstreamTimeout(model: string, idleTimeoutMs: number): ModelError {
  return new ModelError({
    code: ERROR_CODES.upstreamTimeout,
    message: `The model server stopped sending the answer for "${model}" (nothing for ${formatSeconds(idleTimeoutMs)}).`,
    retryable: true,
  });
}

/** The upstream closed its answer without a finish reason: the text may be cut short. */
export function upstreamCut(model: string): ModelError {
  return new ModelError({
    code: ERROR_CODES.upstreamError,
    message: `The model server ended the answer for "${model}" without finishing it.`,
    retryable: true,
  });
}

/**
 * Turns whatever the OpenAI SDK threw into an error the reader can act on. The message names the
 * model and the setting to check, never the key, the upstream's URL or its raw message; those go to
 * the server log through `cause`, with the key blanked out.
 */
export function toUpstreamError(error: unknown, { model, apiKey }: UpstreamContext): ModelError {
  const fail = (code: Parameters<typeof newError>[0], message: string, retryable: boolean) =>
    newError(code, message, retryable, describe(error, apiKey));

  if (error instanceof APIConnectionTimeoutError) {
    return fail(
      ERROR_CODES.upstreamTimeout,
      `The model server did not answer in time for "${model}".`,
      true,
    );
  }
  if (error instanceof APIConnectionError) {
    return fail(
      ERROR_CODES.upstreamUnreachable,
      `Could not reach the model server for "${model}": check that it is running and that OPENAI_BASE_URL points at it.`,
      true,
    );
  }
  if (error instanceof AuthenticationError || error instanceof PermissionDeniedError) {
    return fail(
      ERROR_CODES.upstreamAuth,
      `The model server refused this server's credentials for "${model}" (HTTP ${error.status}): check OPENAI_API_KEY.`,
      false,
    );
  }
  if (error instanceof NotFoundError) {
    return fail(
      ERROR_CODES.upstreamModelNotFound,
      `The model server has no model "${model}" (HTTP 404): check OPENAI_MODEL, and that OPENAI_BASE_URL ends with the API version, such as /v1.`,
      false,
    );
  }
  if (error instanceof RateLimitError) {
    if (upstreamCode(error) === 'insufficient_quota') {
      return fail(
        ERROR_CODES.upstreamRateLimited,
        `The model server's account has run out of quota for "${model}".`,
        false,
      );
    }
    const wait = retryAfterMs(error.headers);
    return fail(
      ERROR_CODES.upstreamRateLimited,
      `The model server is rate limiting requests for "${model}"; try again ${wait === undefined ? 'shortly' : `in ${formatSeconds(wait)}`}.`,
      true,
    );
  }
  if (error instanceof APIError && error.status !== undefined) {
    const transient = error.status === 408 || error.status === 409 || error.status >= 500;
    return fail(
      ERROR_CODES.upstreamError,
      transient
        ? `The model server failed to answer for "${model}" (HTTP ${error.status}).`
        : `The model server rejected the request for "${model}" (HTTP ${error.status}).`,
      transient,
    );
  }
  if (error instanceof APIError) {
    // An error object inside the stream (vLLM, llama.cpp): its `code` is often an HTTP status.
    const code = upstreamCode(error);
    const clientFault =
      typeof code === 'number' && code >= 400 && code < 500 && code !== 408 && code !== 429;
    return fail(
      ERROR_CODES.upstreamError,
      `The model server reported an error partway through the answer for "${model}".`,
      !clientFault,
    );
  }
  if (error instanceof SyntaxError) {
    return fail(
      ERROR_CODES.upstreamError,
      `The model server sent an event this server could not read, for "${model}".`,
      true,
    );
  }
  return fail(
    ERROR_CODES.upstreamUnreachable,
    `The connection to the model server broke during the answer for "${model}".`,
    true,
  );
}

function newError(
  code: ModelError['code'],
  message: string,
  retryable: boolean,
  cause: string,
): ModelError {
  return new ModelError({ code, message, retryable }, { cause });
}

function upstreamCode(error: APIError): unknown {
  const body = error.error;
  return typeof body === 'object' && body !== null && 'code' in body ? body.code : undefined;
}

/** `retry-after-ms` (OpenAI's own), else `retry-after` in seconds or as an HTTP date. */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  const millis = Number(headers?.get('retry-after-ms'));
  if (Number.isFinite(millis) && millis > 0) return millis;
  const raw = headers?.get('retry-after');
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function formatSeconds(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))} s`;
}

/** One line for the log: what the upstream said, with the key blanked out wherever it appears. */
function describe(error: unknown, apiKey: string | undefined): string {
  const parts: string[] = [];
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    parts.push(`${current.name}: ${current.message}`);
    if (parts.length === 4) break;
  }
  const text = parts.length > 0 ? parts.join(' <- ') : String(error);
  return apiKey ? text.replaceAll(apiKey, '[redacted key]') : text;
}
