import { z } from 'zod/mini';
import { type ChatMessage, ConversationSchema } from './conversation.ts';
import { unrecognizedKeys } from './schema-messages.ts';

/** Upper bound for `maxTokens`; the server may enforce a lower one per model. */
export const MAX_TOKENS_LIMIT = 100_000;

const prompt = z
  .string({ error: 'prompt must be a string' })
  .check(z.refine((value) => value.trim().length > 0, 'prompt must not be blank'));

const model = z
  .string({ error: 'model must be a string' })
  .check(
    z.minLength(1, 'model must not be empty'),
    z.maxLength(100, 'model must be at most 100 characters'),
  );

const maxTokens = z
  .number({ error: 'maxTokens must be a number' })
  .check(
    z.int('maxTokens must be a whole number'),
    z.minimum(1, 'maxTokens must be at least 1'),
    z.maximum(MAX_TOKENS_LIMIT, `maxTokens must be at most ${MAX_TOKENS_LIMIT}`),
  );

/**
 * `false` cancels generation the moment the reader leaves and keeps nothing for a resume: for
 * scripts and server-to-server callers. The default keeps the stream resumable.
 */
const resumable = z.boolean({ error: 'resumable must be true or false' });

/**
 * Body of `POST /api/chat`: a conversation (`messages`, OpenAI's shape) or its shorthand, one
 * `prompt` for a single user message; exactly one of the two. Unknown keys are rejected so that a
 * typo is an error, not a default.
 */
export const ChatRequestSchema = z
  .strictObject(
    {
      messages: z.optional(ConversationSchema),
      prompt: z.optional(prompt),
      model: z.optional(model),
      maxTokens: z.optional(maxTokens),
      resumable: z.optional(resumable),
    },
    { error: bodyMessage },
  )
  .check(
    z.superRefine((body, ctx) => {
      const has = { messages: body.messages !== undefined, prompt: body.prompt !== undefined };
      if (has.messages === has.prompt) {
        ctx.addIssue({
          code: 'custom',
          path: [],
          message: has.messages
            ? 'send "messages" or "prompt", not both'
            : 'send "messages" (the conversation) or "prompt" (one user message)',
          input: body,
        });
      }
    }),
  );

/**
 * Spelled out rather than left to zod's locale: zod/mini (which keeps the page small) loads no
 * messages of its own, and the page and the server must say the same thing.
 */
function bodyMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'invalid_type') return 'the request body must be a JSON object';
  if (issue.code === 'unrecognized_keys') return unrecognizedKeys(issue.keys);
  return undefined;
}

interface ChatRequestOptions {
  model?: string;
  maxTokens?: number;
  resumable?: boolean;
}

/** A valid body: the conversation, or the one-message shorthand, never both. */
export type ChatRequest = ChatRequestOptions &
  ({ messages: ChatMessage[]; prompt?: never } | { prompt: string; messages?: never });

/** The conversation a request asks to continue; `prompt` is one user message. */
export function conversationOf(request: ChatRequest): ChatMessage[] {
  return request.messages ?? [{ role: 'user', content: request.prompt }];
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** Validates an already JSON-parsed body; the message is fit to show to the person who sent it. */
export function parseChatRequest(body: unknown): ParseResult<ChatRequest> {
  const result = ChatRequestSchema.safeParse(body);
  if (result.success) return { ok: true, value: result.data as ChatRequest };
  return { ok: false, message: result.error.issues.map(describeIssue).join('; ') };
}

/**
 * A problem inside one message names it by its index (`messages[2]: ...`), so that whoever built
 * a long conversation can find the turn at fault.
 */
function describeIssue({ path, message }: z.core.$ZodIssue): string {
  const [field, index] = path;
  if (field === 'messages' && typeof index === 'number') return `messages[${index}]: ${message}`;
  return message;
}
