export interface MetricsSnapshot {
  /** From sending the request to the first non-empty delta; null until it arrives. */
  timeToFirstTokenMs: number | null;
  tokens: number;
  /** Generation speed once tokens flow; null until two tokens are apart in time. */
  tokensPerSecond: number | null;
}

export interface StreamMetrics {
  /** Call when the request is sent; the clock for time to first token starts here. */
  start(): void;
  /** Call for each non-empty delta, as it arrives. */
  recordToken(): void;
  /**
   * Call when the stream ends. The server's own count wins when it has one: an upstream model may
   * put several tokens in one delta.
   */
  finish(completionTokens?: number): void;
  snapshot(): MetricsSnapshot;
}

export function createStreamMetrics(now: () => number = () => performance.now()): StreamMetrics {
  let startedAt = 0;
  let firstTokenAt: number | null = null;
  let lastTokenAt: number | null = null;
  let counted = 0;
  let reported: number | null = null;

  return {
    start() {
      startedAt = now();
      firstTokenAt = null;
      lastTokenAt = null;
      counted = 0;
      reported = null;
    },
    recordToken() {
      const at = now();
      firstTokenAt ??= at;
      lastTokenAt = at;
      counted += 1;
    },
    finish(completionTokens) {
      // 0 from a server that cannot count (some upstreams omit usage) must not hide what arrived.
      if (completionTokens !== undefined && completionTokens > 0) reported = completionTokens;
    },
    snapshot() {
      const tokens = reported ?? counted;
      return {
        timeToFirstTokenMs: firstTokenAt === null ? null : firstTokenAt - startedAt,
        tokens,
        tokensPerSecond: tokensPerSecond(tokens, firstTokenAt, lastTokenAt),
      };
    },
  };
}

/**
 * Measured between the first and the last token, so that the wait for the first token (shown on
 * its own) does not drag the speed down, and n tokens span n - 1 intervals.
 */
function tokensPerSecond(tokens: number, first: number | null, last: number | null): number | null {
  if (first === null || last === null || tokens < 2 || last <= first) return null;
  return ((tokens - 1) * 1000) / (last - first);
}

const NONE = '–';

export function formatMetrics(snapshot: MetricsSnapshot): string {
  const ttft =
    snapshot.timeToFirstTokenMs === null ? NONE : `${Math.round(snapshot.timeToFirstTokenMs)} ms`;
  const rate = snapshot.tokensPerSecond === null ? NONE : snapshot.tokensPerSecond.toFixed(1);
  const noun = snapshot.tokens === 1 ? 'token' : 'tokens';
  return `First token ${ttft} · ${snapshot.tokens} ${noun} · ${rate} tokens/s`;
}
