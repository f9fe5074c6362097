import { z } from 'zod';

/** Upper bound for `maxTokens`; the server may enforce a lower one per model. */
export const MAX_TOKENS_LIMIT = 100_000;

const prompt = z
  .string({
    error: (issue) =>
      issue.input === undefined ? 'prompt is required' : 'prompt must be a string',
  })
  .refine((value) => value.trim().length > 0, 'prompt must not be blank');

const model = z
  .string({ error: 'model must be a string' })
  .min(1, 'model must not be empty')
  .max(100, 'model must be at most 100 characters');

const maxTokens = z
  .number({ error: 'maxTokens must be a number' })
  .int('maxTokens must be a whole number')
  .min(1, 'maxTokens must be at least 1')
  .max(MAX_TOKENS_LIMIT, `maxTokens must be at most ${MAX_TOKENS_LIMIT}`);

/**
 * `false` cancels generation the moment the reader leaves and keeps nothing for a resume: for
 * scripts and server-to-server callers. The default keeps the stream resumable.
 */
const resumable = z.boolean({ error: 'resumable must be true or false' });

/** Body of `POST /api/chat`. Unknown keys are rejected so that a typo is an error, not a default. */
export const ChatRequestSchema = z.strictObject(
  {
    prompt,
    model: model.optional(),
    maxTokens: maxTokens.optional(),
    resumable: resumable.optional(),
  },
  {
    error: (issue) =>
      issue.code === 'invalid_type' ? 'the request body must be a JSON object' : undefined,
  },
);

export type ChatRequest = z.infer<typeof ChatRequestSchema>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** Validates an already JSON-parsed body; the message is fit to show to the person who sent it. */
export function parseChatRequest(body: unknown): ParseResult<ChatRequest> {
  const result = ChatRequestSchema.safeParse(body);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, message: result.error.issues.map((issue) => issue.message).join('; ') };
}
