import type { ChatMessage } from '@gpt-stream/protocol';
import type { Turn } from './thread.ts';

/** What the reader asks for next; each replaces a different tail of the thread. */
export type NextAnswer =
  | { type: 'send'; prompt: string }
  | { type: 'regenerate' }
  | { type: 'edit'; prompt: string };

export interface HistoryRequest {
  /** How many turns of the thread stay; the ones after them are replaced by this exchange. */
  keep: number;
  /** The conversation to send: the kept turns, exactly as they are, then the prompt if any. */
  messages: ChatMessage[];
}

/**
 * Whether an answer's thinking goes back with it as history. Off: OpenAI-compatible servers reject
 * or ignore thinking in earlier turns (DeepSeek answers 400 to `reasoning_content` in its input;
 * chat templates drop old thinking), and it would cost its tokens again on every turn. On, it goes
 * inside the answer's content as a leading `<think>` block, the form every chat template knows.
 */
export const SEND_THINKING_AS_HISTORY = false;

/**
 * Every turn, as it is: an answer that was stopped or cut is history like a finished one, since
 * it is what the reader saw and answered to.
 */
export function toMessages(
  turns: readonly Turn[],
  { withThinking = SEND_THINKING_AS_HISTORY }: { withThinking?: boolean } = {},
): ChatMessage[] {
  return turns.map((turn) =>
    withThinking && turn.role === 'assistant' && turn.reasoning
      ? { role: 'assistant', content: `<think>\n${turn.reasoning}\n</think>\n\n${turn.content}` }
      : { role: turn.role, content: turn.content },
  );
}

/**
 * The request for the next answer. `send` continues the thread; `regenerate` asks again for the
 * last answer with the history that produced it; `edit` replaces the last prompt and its answer.
 * Null when there is nothing to regenerate or edit.
 */
export function historyRequest(turns: readonly Turn[], next: NextAnswer): HistoryRequest | null {
  switch (next.type) {
    case 'send':
      return withPrompt(turns, turns.length, next.prompt);
    case 'regenerate': {
      if (!canRegenerate(turns)) return null;
      const keep = turns.length - 1;
      return { keep, messages: toMessages(turns.slice(0, keep)) };
    }
    case 'edit': {
      const keep = lastUserIndex(turns);
      return keep === -1 ? null : withPrompt(turns, keep, next.prompt);
    }
  }
}

/** The thread ends with an answer to a prompt: that answer can be asked for again. */
export function canRegenerate(turns: readonly Turn[]): boolean {
  return turns.at(-1)?.role === 'assistant' && turns.at(-2)?.role === 'user';
}

export function lastUserIndex(turns: readonly Turn[]): number {
  return turns.findLastIndex((turn) => turn.role === 'user');
}

function withPrompt(turns: readonly Turn[], keep: number, prompt: string): HistoryRequest {
  const messages = toMessages(turns.slice(0, keep));
  messages.push({ role: 'user', content: prompt });
  return { keep, messages };
}
