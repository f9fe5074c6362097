import type { Model } from './model.ts';
import { streamTokens } from './token-stream.ts';
import { tokenize } from './tokenize.ts';

/** Streams the prompt back, exactly, in small pieces: the quickest check of the whole path. */
export function createEchoModel({ delayMs }: { delayMs: number }): Model {
  return {
    id: 'echo',
    description: 'Streams your prompt back exactly, token by token.',
    generate({ prompt, maxTokens, signal }) {
      const tokens = tokenize(prompt);
      return streamTokens(tokens, { promptTokens: tokens.length, delayMs, maxTokens, signal });
    },
  };
}
