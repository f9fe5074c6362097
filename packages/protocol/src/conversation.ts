import { z } from 'zod/mini';
import { unrecognizedKeys } from './schema-messages.ts';

/** OpenAI's roles. Tools and function calls are not part of this starter's contract. */
export const CHAT_ROLES = ['system', 'user', 'assistant'] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];

/**
 * The hard ceiling on a conversation's length that no configuration can lift; `MAX_MESSAGES` on
 * the server sets the working limit below it.
 */
export const MAX_MESSAGES_LIMIT = 10_000;

const roleList = CHAT_ROLES.map((role) => JSON.stringify(role)).join(', ');

/** One turn, exactly OpenAI's `{ role, content }`; content is kept byte for byte, never trimmed. */
export const ChatMessageSchema = z.strictObject(
  {
    role: z.enum(CHAT_ROLES, { error: `role must be one of ${roleList}` }),
    content: z.string({ error: 'content must be a string' }),
  },
  {
    error: (issue) => {
      if (issue.code === 'invalid_type') return 'a message must be a { role, content } object';
      if (issue.code === 'unrecognized_keys') return unrecognizedKeys(issue.keys);
      return undefined;
    },
  },
);
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

/**
 * The order rules of a conversation: a `system` message only first, the last one from the user,
 * and that last one not blank (it is what the model answers). Assistant turns may be empty: an
 * answer stopped before its first token is still a turn of the thread.
 */
function checkOrder(messages: ChatMessage[], ctx: z.core.$RefinementCtx<ChatMessage[]>): void {
  messages.forEach((message, index) => {
    if (message.role === 'system' && index > 0) {
      ctx.addIssue({
        code: 'custom',
        path: [index, 'role'],
        message: 'a "system" message may only come first',
        input: message.role,
      });
    }
  });
  const last = messages.at(-1);
  if (!last) return;
  const index = messages.length - 1;
  if (last.role !== 'user') {
    ctx.addIssue({
      code: 'custom',
      path: [index, 'role'],
      message: 'the last message must be from the user',
      input: last.role,
    });
  } else if (last.content.trim().length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: [index, 'content'],
      message: 'the last message must not be blank',
      input: last.content,
    });
  }
}

export const ConversationSchema = z
  .array(ChatMessageSchema, { error: 'messages must be an array of { role, content } objects' })
  .check(
    z.minLength(1, 'messages must hold at least one message'),
    z.maxLength(MAX_MESSAGES_LIMIT, `messages must hold at most ${MAX_MESSAGES_LIMIT} messages`),
    z.superRefine(checkOrder),
  );

/** Total characters of a conversation, the figure `MAX_PROMPT_CHARS` bounds. */
export function conversationChars(messages: readonly ChatMessage[]): number {
  let chars = 0;
  for (const message of messages) chars += message.content.length;
  return chars;
}

/** The last user message: what a model answers. A valid conversation always ends with one. */
export function lastUserMessage(messages: readonly ChatMessage[]): string {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index] as ChatMessage;
    if (message.role === 'user') return message.content;
  }
  return '';
}
