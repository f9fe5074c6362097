import { writeMockAnswer } from './mock-answer.ts';
import { writeMockThinking } from './mock-thinking.ts';
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

/**
 * `mock`, after a stretch of thinking: it thinks aloud about the conversation, then gives the same
 * answer `mock` would, both on the same pace.
 */
export function createMockReasoningModel({ delayMs }: { delayMs: number }): Model {
  return {
    id: 'mock-reasoning',
    description: 'A deterministic stand-in reasoning model: it thinks aloud, then answers.',
    generate({ messages, maxTokens, signal }) {
      return streamTokens(() => tokensOf(writeMockAnswer(messages)), {
        thinking: () => tokensOf(writeMockThinking(messages)),
        promptTokens: () => countConversationTokens(messages),
        delayMs,
        maxTokens,
        signal,
      });
    },
  };
}
