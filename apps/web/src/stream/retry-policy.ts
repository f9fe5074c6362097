/** Why one request of a stream failed on this side of the wire (not an `error` event). */
export type ClientFailure =
  /** Refused by the page before anything was sent. */
  | { kind: 'invalid'; message: string }
  /** The server answered with an error status instead of a stream. */
  | { kind: 'http'; status: number; code: string | null; message: string; retryAfterMs?: number }
  /** No answer at all: the server is down, unreachable, or the connection was refused. */
  | { kind: 'network'; message: string }
  /** A stream that had started broke, or ended, before its `done` or `error` event. */
  | { kind: 'cut'; message: string }
  /** The server answered with something the page cannot decode. */
  | { kind: 'protocol'; message: string };

export interface RetryPolicy {
  /** Retries after a failure that made no progress; the count starts over once events arrive. */
  maxRetries: number;
  /** Wait before the first retry; it doubles for each retry after that. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Four requests over about 3.5 s at most: a restarting server is back, a dead one is reported. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 4000,
};

/** A `Retry-After` longer than this is not waited for: the reader is told instead. */
const LONGEST_RETRY_AFTER_MS = 10_000;

/**
 * Whether a failed request is worth another one. Never a 4xx or anything the page refused (the
 * same request gets the same answer), never an unreadable answer. A stream that broke is retried
 * only when it can be resumed by id, since sending the prompt again would generate a second answer.
 */
export function isRetryable(failure: ClientFailure, resumable: boolean): boolean {
  switch (failure.kind) {
    case 'network':
      return true;
    case 'http':
      return failure.status >= 500 && (failure.retryAfterMs ?? 0) <= LONGEST_RETRY_AFTER_MS;
    case 'cut':
      return resumable;
    case 'invalid':
    case 'protocol':
      return false;
  }
}

/**
 * Exponential backoff with jitter, so that the readers of a server that restarts do not all come
 * back in the same millisecond. `retry` counts from 1. A server's `Retry-After` is a floor.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  retry: number,
  failure: ClientFailure,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  const backoff = Math.round(ceiling * (0.5 + random() / 2));
  const floor = failure.kind === 'http' ? (failure.retryAfterMs ?? 0) : 0;
  return Math.max(backoff, floor);
}

/** `Retry-After` in seconds (the HTTP-date form is for far longer waits than a reader has). */
export function parseRetryAfter(header: string | null): number | undefined {
  if (header === null || !/^\s*\d+\s*$/.test(header)) return undefined;
  return Number(header) * 1000;
}
