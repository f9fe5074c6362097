import { writeMockAnswer } from './mock-answer.ts';
import type { Model } from './model.ts';
import { streamTokens } from './token-stream.ts';
import { countTokens, tokensOf } from './tokenize.ts';

/** A stand-in for a real model: the same prompt always gets the same multi-paragraph answer. */
export function createMockModel({ delayMs }: { delayMs: number }): Model {
  return {
    id: 'mock',
    description: 'A deterministic stand-in model: realistic text, no API key needed.',
    generate({ prompt, maxTokens, signal }) {
      return streamTokens(() => tokensOf(writeMockAnswer(prompt)), {
        promptTokens: () => countTokens(prompt),
        delayMs,
        maxTokens,
        signal,
      });
    },
  };
}
