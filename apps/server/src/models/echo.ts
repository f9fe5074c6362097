import { lastUserMessage } from '@gpt-stream/protocol';
import type { Model } from './model.ts';
import { streamTokens } from './token-stream.ts';
import { countConversationTokens, tokensOf } from './tokenize.ts';

/**
 * Streams the last user message back, exactly, in small pieces: the quickest check of the whole
 * path. The earlier turns count as read (in `promptTokens`) but are not repeated.
 */
export function createEchoModel({ delayMs }: { delayMs: number }): Model {
  return {
    id: 'echo',
    description: 'Streams your last message back exactly, token by token.',
    generate({ messages, maxTokens, signal }) {
      return streamTokens(() => tokensOf(lastUserMessage(messages)), {
        promptTokens: () => countConversationTokens(messages),
        delayMs,
        maxTokens,
        signal,
      });
    },
  };
}
