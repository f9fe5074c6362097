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
      reasoningTokens: 0,
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
      reasoningTokens: 0,
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
      reasoningTokens: 0,
    });
  });

  it('counts thinking apart from the answer, which alone makes the first token and the speed', () => {
    const clock = fakeClock();
    const metrics = createStreamMetrics(clock.now);
    metrics.start();
    for (let i = 0; i < 30; i++) {
      clock.advance(10);
      metrics.recordReasoningToken();
    }
    clock.advance(10);
    for (let i = 0; i < 3; i++) {
      metrics.recordToken();
      clock.advance(100);
    }

    expect(metrics.snapshot()).toEqual({
      timeToFirstTokenMs: 310,
      tokens: 3,
      tokensPerSecond: 10,
      reasoningTokens: 30,
    });
  });

  it("splits the server's count when it says how much of it was thinking", () => {
    const metrics = createStreamMetrics(fakeClock().now);
    metrics.start();
    metrics.recordReasoningToken();
    metrics.recordToken();
    metrics.finish(120, 100);

    expect(metrics.snapshot()).toMatchObject({ tokens: 20, reasoningTokens: 100 });
  });

  it('keeps its own counts when the server thought without saying how much', () => {
    const metrics = createStreamMetrics(fakeClock().now);
    metrics.start();
    metrics.recordReasoningToken();
    metrics.recordReasoningToken();
    metrics.recordToken();
    metrics.finish(50);

    expect(metrics.snapshot()).toMatchObject({ tokens: 1, reasoningTokens: 2 });
  });
});

describe('formatMetrics', () => {
  it('shows each figure with its unit', () => {
    expect(
      formatMetrics({
        timeToFirstTokenMs: 123.4,
        tokens: 42,
        tokensPerSecond: 17.26,
        reasoningTokens: 0,
      }),
    ).toBe('First token 123 ms · 42 tokens · 17.3 tokens/s');
  });

  it('adds the thinking tokens when the model thought', () => {
    expect(
      formatMetrics({
        timeToFirstTokenMs: 900,
        tokens: 4,
        tokensPerSecond: 3,
        reasoningTokens: 57,
      }),
    ).toBe('First token 900 ms · 4 tokens · 3.0 tokens/s · 57 thinking tokens');
  });

  it('shows a dash for what is not known yet', () => {
    expect(
      formatMetrics({
        timeToFirstTokenMs: null,
        tokens: 0,
        tokensPerSecond: null,
        reasoningTokens: 0,
      }),
    ).toBe('First token – · 0 tokens · – tokens/s');
  });

  it('says token for one token', () => {
    expect(
      formatMetrics({
        timeToFirstTokenMs: 5,
        tokens: 1,
        tokensPerSecond: null,
        reasoningTokens: 0,
      }),
    ).toContain('1 token ·');
  });
});
