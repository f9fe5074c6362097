import type { Model } from './model.ts';
import { streamTokens } from './token-stream.ts';
import { countTokens, tokensOf } from './tokenize.ts';

/** Streams the prompt back, exactly, in small pieces: the quickest check of the whole path. */
export function createEchoModel({ delayMs }: { delayMs: number }): Model {
  return {
    id: 'echo',
    description: 'Streams your prompt back exactly, token by token.',
    generate({ prompt, maxTokens, signal }) {
      return streamTokens(() => tokensOf(prompt), {
        promptTokens: () => countTokens(prompt),
        delayMs,
        maxTokens,
        signal,
      });
    },
  };
}
