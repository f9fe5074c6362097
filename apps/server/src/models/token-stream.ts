import { type Pacer, sharedPacer } from '../pacer.ts';
import type { Completion } from './model.ts';

export interface TokenStreamOptions {
  /** Counted when the stream finishes, for the usage in `done`. */
  promptTokens: number | (() => number);
  delayMs: number;
  maxTokens?: number | undefined;
  signal: AbortSignal;
  /** Where the pauses come from; every stream shares one timer by default. */
  pacer?: Pacer;
}

/**
 * Plays tokens back at a model's pace: token n is due n × `delayMs` after the first, however busy
 * the process is. Tokens that fell due while the process could not serve the stream are handed
 * over together, as one chunk, the way an upstream's buffered chunks arrive: a stream that fell
 * behind catches up in one write instead of falling further behind with a write per token.
 *
 * A function as `tokens` is called only once the first token is due, so a stream that is still
 * waiting holds none of its answer. The pause honours the signal, so a reader that leaves stops
 * the stream within the current token.
 */
export async function* streamTokens(
  tokens: Iterable<string> | (() => Iterable<string>),
  { promptTokens, delayMs, maxTokens, signal, pacer = sharedPacer }: TokenStreamOptions,
): AsyncGenerator<string, Completion, undefined> {
  const limit = maxTokens ?? Number.POSITIVE_INFINITY;
  const finish = (finishReason: Completion['finishReason'], completionTokens: number) => ({
    finishReason,
    usage: {
      promptTokens: typeof promptTokens === 'function' ? promptTokens() : promptTokens,
      completionTokens,
    },
  });
  const paced = delayMs > 0;
  let due = limit > 0 && paced ? await pacer.wait(delayMs, signal) : 0;
  const iterator = (typeof tokens === 'function' ? tokens() : tokens)[Symbol.iterator]();
  let sent = 0;
  // The next token is looked at before the pause, so `done` follows the last token at once.
  let next = iterator.next();
  while (!next.done) {
    if (sent === limit) return finish('length', sent);
    let chunk = next.value;
    sent++;
    next = iterator.next();
    if (paced) {
      const now = pacer.now();
      for (; !next.done && sent < limit && due + delayMs <= now; next = iterator.next()) {
        chunk += next.value;
        sent++;
        due += delayMs;
      }
    }
    signal.throwIfAborted();
    yield chunk;
    if (paced && !next.done && sent < limit) due = await pacer.wait(delayMs, signal, due);
  }
  return finish('stop', sent);
}
