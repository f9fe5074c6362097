import { APIError, AuthenticationError, RateLimitError } from 'openai';
import { describe, expect, it } from 'vitest';
import { ModelError } from './model.ts';
import { toUpstreamError } from './upstream-errors.ts';

const KEY = 'sk-unit-secret-77';

function rateLimit(headers: Record<string, string>) {
  return new RateLimitError(429, { message: 'slow down' }, undefined, new Headers(headers));
}

describe('toUpstreamError', () => {
  it.each([
    [{ 'retry-after-ms': '2500' }, 'try again in 3 s'],
    [{ 'retry-after': '20' }, 'try again in 20 s'],
    [{ 'retry-after': new Date(Date.now() + 61_000).toUTCString() }, /try again in 6[01] s/],
    [{}, 'try again shortly'],
  ])('says when to retry a rate limit from %j', (headers, message) => {
    const error = toUpstreamError(rateLimit(headers), { model: 'm' });
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({ code: 'upstream_rate_limited', retryable: true });
    expect(error.message).toMatch(message);
  });

  it('keeps what the upstream said for the log, with the key blanked out', () => {
    const upstream = new AuthenticationError(
      401,
      { message: `Incorrect API key provided: ${KEY}` },
      undefined,
      new Headers(),
    );
    const error = toUpstreamError(upstream, { model: 'm', apiKey: KEY });
    expect(error.message).not.toContain(KEY);
    expect(String(error.cause)).toContain('Incorrect API key provided: [redacted key]');
    expect(String(error.cause)).not.toContain(KEY);
  });

  it('treats an in-stream error without a status code as worth retrying', () => {
    const error = toUpstreamError(
      new APIError(undefined, { message: 'oops' }, undefined, undefined),
      {
        model: 'm',
      },
    );
    expect(error).toMatchObject({ code: 'upstream_error', retryable: true });
  });
});
