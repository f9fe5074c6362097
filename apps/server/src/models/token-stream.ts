import { type Pacer, sharedPacer } from '../pacer.ts';
import type { Completion } from './model.ts';

export interface TokenStreamOptions {
  promptTokens: number;
  delayMs: number;
  maxTokens?: number | undefined;
  signal: AbortSignal;
  /** Where the pauses come from; every stream shares one timer by default. */
  pacer?: Pacer;
}

/**
 * Plays prepared tokens back at a model's pace. The pause honours the signal, so a reader that
 * leaves stops the stream within the current token.
 */
export async function* streamTokens(
  tokens: readonly string[],
  { promptTokens, delayMs, maxTokens, signal, pacer = sharedPacer }: TokenStreamOptions,
): AsyncGenerator<string, Completion, undefined> {
  const limit = Math.min(tokens.length, maxTokens ?? Number.POSITIVE_INFINITY);
  for (let index = 0; index < limit; index++) {
    if (delayMs > 0) await pacer.wait(delayMs, signal);
    signal.throwIfAborted();
    yield tokens[index] as string;
  }
  return {
    finishReason: limit < tokens.length ? 'length' : 'stop',
    usage: { promptTokens, completionTokens: limit },
  };
}
