export interface MetricsSnapshot {
  /** From sending the request to the first non-empty delta; null until it arrives. */
  timeToFirstTokenMs: number | null;
  /** The answer's tokens; thinking is counted apart. */
  tokens: number;
  /** Generation speed of the answer once tokens flow; null until two tokens are apart in time. */
  tokensPerSecond: number | null;
  /** The model's thinking (`reasoning` events), apart from the answer. */
  reasoningTokens: number;
}

export interface StreamMetrics {
  /** Call when the request is sent; the clock for time to first token starts here. */
  start(): void;
  /** Call for each non-empty delta, as it arrives. */
  recordToken(): void;
  /** Call for each non-empty reasoning event, as it arrives. */
  recordReasoningToken(): void;
  /**
   * Call when the stream ends. The server's own counts win when it has them: an upstream model may
   * put several tokens in one event. Its `completionTokens` include the thinking, so they are
   * split only when it says how much was thinking (`reasoningTokens`); a server that thought
   * without saying so keeps the page's own counts.
   */
  finish(completionTokens?: number, reasoningTokens?: number): void;
  snapshot(): MetricsSnapshot;
}

export function createStreamMetrics(now: () => number = () => performance.now()): StreamMetrics {
  let startedAt = 0;
  let firstTokenAt: number | null = null;
  let lastTokenAt: number | null = null;
  let counted = 0;
  let reported: number | null = null;
  let countedReasoning = 0;
  let reportedReasoning: number | null = null;

  return {
    start() {
      startedAt = now();
      firstTokenAt = null;
      lastTokenAt = null;
      counted = 0;
      reported = null;
      countedReasoning = 0;
      reportedReasoning = null;
    },
    recordToken() {
      const at = now();
      firstTokenAt ??= at;
      lastTokenAt = at;
      counted += 1;
    },
    recordReasoningToken() {
      countedReasoning += 1;
    },
    finish(completionTokens, reasoningTokens) {
      // 0 from a server that cannot count (some upstreams omit usage) must not hide what arrived.
      if (completionTokens === undefined || completionTokens <= 0) return;
      if (reasoningTokens !== undefined) {
        reportedReasoning = reasoningTokens;
        reported = Math.max(0, completionTokens - reasoningTokens);
      } else if (countedReasoning === 0) {
        reported = completionTokens;
      }
    },
    snapshot() {
      const tokens = reported ?? counted;
      return {
        timeToFirstTokenMs: firstTokenAt === null ? null : firstTokenAt - startedAt,
        tokens,
        tokensPerSecond: tokensPerSecond(tokens, firstTokenAt, lastTokenAt),
        reasoningTokens: reportedReasoning ?? countedReasoning,
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
  const line = `First token ${ttft} · ${snapshot.tokens} ${noun} · ${rate} tokens/s`;
  if (snapshot.reasoningTokens === 0) return line;
  const thinking = snapshot.reasoningTokens === 1 ? 'thinking token' : 'thinking tokens';
  return `${line} · ${snapshot.reasoningTokens} ${thinking}`;
}
