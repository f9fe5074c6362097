import { writeMockAnswer } from './mock-answer.ts';
import type { Model } from './model.ts';
import { streamTokens } from './token-stream.ts';
import { countConversationTokens, tokensOf } from './tokenize.ts';

/**
 * A stand-in for a real model: it answers the last user message in Markdown, and the same
 * conversation always gets the same answer.
 */
export function createMockModel({ delayMs }: { delayMs: number }): Model {
  return {
    id: 'mock',
    description: 'A deterministic stand-in model: realistic Markdown answers, no API key needed.',
    generate({ messages, maxTokens, signal }) {
      return streamTokens(() => tokensOf(writeMockAnswer(messages)), {
        promptTokens: () => countConversationTokens(messages),
        delayMs,
        maxTokens,
        signal,
      });
    },
  };
}
