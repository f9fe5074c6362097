import { describe, expect, it } from 'vitest';
import {
  type ClientFailure,
  DEFAULT_RETRY_POLICY,
  isRetryable,
  parseRetryAfter,
  retryDelayMs,
} from './retry-policy.ts';

const http = (status: number, retryAfterMs?: number): ClientFailure => ({
  kind: 'http',
  status,
  code: null,
  message: `${status}`,
  ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
});

describe('isRetryable', () => {
  it.each([
    ['a network failure', { kind: 'network', message: '' }, true],
    ['a 500', http(500), true],
    ['a 502', http(502), true],
    ['a 503', http(503), true],
    ['a 503 that asks for a short wait', http(503, 2000), true],
    ['a 503 that asks for a long wait', http(503, 60_000), false],
    ['a 400', http(400), false],
    ['a 404', http(404), false],
    ['a 429', http(429), false],
    ['invalid input', { kind: 'invalid', message: '' }, false],
    ['an unreadable answer', { kind: 'protocol', message: '' }, false],
  ] satisfies [string, ClientFailure, boolean][])('%s: %s', (_name, failure, expected) => {
    expect(isRetryable(failure, false)).toBe(expected);
    expect(isRetryable(failure, true)).toBe(expected);
  });

  it('retries a cut stream only when it can be resumed by id', () => {
    const cut: ClientFailure = { kind: 'cut', message: '' };
    expect(isRetryable(cut, true)).toBe(true);
    expect(isRetryable(cut, false)).toBe(false);
  });
});

describe('retryDelayMs', () => {
  const network: ClientFailure = { kind: 'network', message: '' };

  it('doubles from the base delay up to the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((retry) =>
      retryDelayMs(DEFAULT_RETRY_POLICY, retry, network, () => 1),
    );
    expect(delays).toEqual([500, 1000, 2000, 4000, 4000, 4000]);
  });

  it('spreads readers over the second half of each interval', () => {
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 2, network, () => 0)).toBe(500);
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 2, network, () => 0.5)).toBe(750);
  });

  it("never retries before the server's Retry-After", () => {
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 1, http(503, 3000), () => 1)).toBe(3000);
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 3, http(503, 1000), () => 1)).toBe(2000);
  });

  it('keeps the whole default budget to a few seconds', () => {
    let total = 0;
    for (let retry = 1; retry <= DEFAULT_RETRY_POLICY.maxRetries; retry++) {
      total += retryDelayMs(DEFAULT_RETRY_POLICY, retry, network, () => 1);
    }
    expect(total).toBeLessThanOrEqual(4000);
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['3', 3000],
    [' 0 ', 0],
    ['120', 120_000],
  ])('reads %j seconds', (header, expected) => {
    expect(parseRetryAfter(header)).toBe(expected);
  });

  it.each([null, '', 'soon', '1.5', '-1', 'Wed, 21 Oct 2026 07:28:00 GMT'])(
    'ignores %j',
    (header) => {
      expect(parseRetryAfter(header)).toBeUndefined();
    },
  );
});
