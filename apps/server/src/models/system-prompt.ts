import type { ChatMessage } from '@gpt-stream/protocol';

/**
 * The conversation a model is given: the operator's `SYSTEM_PROMPT` first, unless the
 * conversation brings a system message of its own, which then stands alone (two sets of
 * instructions would contradict each other, and the caller's is the more specific).
 */
export function withSystemPrompt(
  messages: readonly ChatMessage[],
  systemPrompt: string | undefined,
): readonly ChatMessage[] {
  if (systemPrompt === undefined || messages[0]?.role === 'system') return messages;
  return [{ role: 'system', content: systemPrompt }, ...messages];
}
