import { describe, expect, it } from 'vitest';
import { createStreamMetrics, formatMetrics } from './metrics.ts';

/** A clock the test moves by hand, in milliseconds. */
function fakeClock(start = 1000) {
  let time = start;
  return {
    now: () => time,
    advance(ms: number) {
      time += ms;
    },
  };
}

describe('createStreamMetrics', () => {
  it('has no first token and no speed before any token', () => {
    const clock = fakeClock();
    const metrics = createStreamMetrics(clock.now);
    metrics.start();
    clock.advance(500);

    expect(metrics.snapshot()).toEqual({
      timeToFirstTokenMs: null,
      tokens: 0,
      tokensPerSecond: null,
    });
  });

  it('measures time to first token from the start', () => {
    const clock = fakeClock();
    const metrics = createStreamMetrics(clock.now);
    metrics.start();
    clock.advance(240);
    metrics.recordToken();
    clock.advance(100);
    metrics.recordToken();

    expect(metrics.snapshot().timeToFirstTokenMs).toBe(240);
  });

  it('measures speed between the first and the last token', () => {
    const clock = fakeClock();
    const metrics = createStreamMetrics(clock.now);
    metrics.start();
    clock.advance(2000); // a slow first token must not count against the speed
    for (let i = 0; i < 11; i++) {
      metrics.recordToken();
      clock.advance(50);
    }

    // 11 tokens, 10 intervals of 50 ms: 20 tokens per second.
    expect(metrics.snapshot()).toEqual({
      timeToFirstTokenMs: 2000,
      tokens: 11,
      tokensPerSecond: 20,
    });
  });

  it('has no speed for a single token', () => {
    const clock = fakeClock();
    const metrics = createStreamMetrics(clock.now);
    metrics.start();
    metrics.recordToken();
    clock.advance(1000);

    expect(metrics.snapshot().tokensPerSecond).toBeNull();
  });

  it("prefers the server's token count when the stream finishes", () => {
    const clock = fakeClock();
    const metrics = createStreamMetrics(clock.now);
    metrics.start();
    metrics.recordToken();
    clock.advance(1000);
    metrics.recordToken();
    metrics.finish(9);

    expect(metrics.snapshot()).toMatchObject({ tokens: 9, tokensPerSecond: 8 });
  });

  it('keeps its own count when the server reports none', () => {
    const metrics = createStreamMetrics(fakeClock().now);
    metrics.start();
    metrics.recordToken();
    metrics.finish(0);

    expect(metrics.snapshot().tokens).toBe(1);
  });

  it('starts afresh for each stream', () => {
    const clock = fakeClock();
    const metrics = createStreamMetrics(clock.now);
    metrics.start();
    metrics.recordToken();
    metrics.recordToken();
    metrics.finish(5);
    clock.advance(10_000);
    metrics.start();
    clock.advance(30);
    metrics.recordToken();

    expect(metrics.snapshot()).toEqual({
      timeToFirstTokenMs: 30,
      tokens: 1,
      tokensPerSecond: null,
    });
  });
});

describe('formatMetrics', () => {
  it('shows each figure with its unit', () => {
    expect(formatMetrics({ timeToFirstTokenMs: 123.4, tokens: 42, tokensPerSecond: 17.26 })).toBe(
      'First token 123 ms · 42 tokens · 17.3 tokens/s',
    );
  });

  it('shows a dash for what is not known yet', () => {
    expect(formatMetrics({ timeToFirstTokenMs: null, tokens: 0, tokensPerSecond: null })).toBe(
      'First token – · 0 tokens · – tokens/s',
    );
  });

  it('says token for one token', () => {
    expect(formatMetrics({ timeToFirstTokenMs: 5, tokens: 1, tokensPerSecond: null })).toContain(
      '1 token ·',
    );
  });
});
