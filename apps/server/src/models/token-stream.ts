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
 * Plays tokens back at a model's pace. A function as `tokens` is called only once the first token
 * is due, so a stream that is still waiting holds none of its answer. The pause honours the
 * signal, so a reader that leaves stops the stream within the current token.
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
  if (limit > 0 && delayMs > 0) await pacer.wait(delayMs, signal);
  const iterator = (typeof tokens === 'function' ? tokens() : tokens)[Symbol.iterator]();
  let sent = 0;
  // The next token is looked at before the pause, so `done` follows the last token at once.
  for (let next = iterator.next(); !next.done; next = iterator.next()) {
    if (sent === limit) return finish('length', sent);
    if (sent > 0 && delayMs > 0) await pacer.wait(delayMs, signal);
    signal.throwIfAborted();
    sent++;
    yield next.value;
  }
  return finish('stop', sent);
}
