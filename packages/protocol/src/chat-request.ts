import { z } from 'zod/mini';

/** Upper bound for `maxTokens`; the server may enforce a lower one per model. */
export const MAX_TOKENS_LIMIT = 100_000;

const prompt = z
  .string({
    error: (issue) =>
      issue.input === undefined ? 'prompt is required' : 'prompt must be a string',
  })
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

/** Body of `POST /api/chat`. Unknown keys are rejected so that a typo is an error, not a default. */
export const ChatRequestSchema = z.strictObject(
  {
    prompt,
    model: z.optional(model),
    maxTokens: z.optional(maxTokens),
    resumable: z.optional(resumable),
  },
  { error: bodyMessage },
);

/**
 * Spelled out rather than left to zod's locale: zod/mini (which keeps the page small) loads no
 * messages of its own, and the page and the server must say the same thing.
 */
function bodyMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'invalid_type') return 'the request body must be a JSON object';
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => JSON.stringify(key)).join(', ');
    return `Unrecognized key${issue.keys.length > 1 ? 's' : ''}: ${keys}`;
  }
  return undefined;
}

export type ChatRequest = z.infer<typeof ChatRequestSchema>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** Validates an already JSON-parsed body; the message is fit to show to the person who sent it. */
export function parseChatRequest(body: unknown): ParseResult<ChatRequest> {
  const result = ChatRequestSchema.safeParse(body);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, message: result.error.issues.map((issue) => issue.message).join('; ') };
}
