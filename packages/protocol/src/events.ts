import { z } from 'zod/mini';
import { ErrorInfoSchema } from './errors.ts';

/** `content_filter`: the model's provider withheld the rest of the answer. */
export const FinishReasonSchema = z.enum(['stop', 'length', 'content_filter']);
export type FinishReason = z.infer<typeof FinishReasonSchema>;

export const UsageSchema = z.object({
  promptTokens: z.int().check(z.nonnegative()),
  /** Every generated token, thinking included (OpenAI's `completion_tokens`). */
  completionTokens: z.int().check(z.nonnegative()),
  /**
   * The part of `completionTokens` spent thinking, when the model reports it (OpenAI's
   * `completion_tokens_details.reasoning_tokens`); absent when it does not.
   */
  reasoningTokens: z.optional(z.int().check(z.nonnegative())),
});
export type Usage = z.infer<typeof UsageSchema>;

/**
 * The data of each event type. Objects are not strict: a page keeps working when a newer server
 * adds a field.
 */
export const streamEventDataSchemas = {
  start: z.object({
    streamId: z.string().check(z.minLength(1)),
    model: z.string().check(z.minLength(1)),
  }),
  /**
   * A piece of the model's thinking, apart from its answer. Numbered and replayed on resume like
   * `delta`. A page that does not know an event type skips it (see `isStreamEventType`).
   */
  reasoning: z.object({ text: z.string() }),
  delta: z.object({ text: z.string() }),
  done: z.object({ finishReason: FinishReasonSchema, usage: UsageSchema }),
  error: z.extend(ErrorInfoSchema, { retryable: z.boolean() }),
} as const;

export type StreamEventType = keyof typeof streamEventDataSchemas;
export type StreamEventData<T extends StreamEventType> = z.infer<
  (typeof streamEventDataSchemas)[T]
>;

/**
 * One event of a stream. Every stream is `start`, any number of `reasoning` and `delta` (thinking
 * usually first, but in any order), then one `done` or `error`.
 */
export type StreamEvent = {
  [T in StreamEventType]: { type: T; data: StreamEventData<T> };
}[StreamEventType];

export type TerminalEvent = Extract<StreamEvent, { type: 'done' | 'error' }>;

export function isTerminalEvent(event: StreamEvent): event is TerminalEvent {
  return event.type === 'done' || event.type === 'error';
}

export type DecodeResult = { ok: true; event: StreamEvent } | { ok: false; reason: string };

/**
 * Whether this version knows the event type. A reader skips, rather than fails on, a type it does
 * not know: that is how a page keeps working when a newer server adds one. (Pages from before the
 * `reasoning` event treated any unknown type as a broken stream.)
 */
export function isStreamEventType(type: string): type is StreamEventType {
  return Object.hasOwn(streamEventDataSchemas, type);
}

/** Turns an SSE event name and data line back into a typed event, never throwing. */
export function decodeStreamEvent(type: string, data: string): DecodeResult {
  if (!isStreamEventType(type)) return { ok: false, reason: `unknown event type "${type}"` };
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { ok: false, reason: `"${type}" event data is not JSON` };
  }
  // Deltas and reasoning are nearly every event of a stream: their one-field shape is checked by
  // hand, with the same result as the schema (which keeps `text` and drops any other key).
  if ((type === 'delta' || type === 'reasoning') && isTextData(json))
    return { ok: true, event: { type, data: { text: json.text } } };
  const result = streamEventDataSchemas[type].safeParse(json);
  if (!result.success) return { ok: false, reason: `"${type}" event data has the wrong shape` };
  return { ok: true, event: { type, data: result.data } as StreamEvent };
}

function isTextData(json: unknown): json is { text: string } {
  return (
    typeof json === 'object' &&
    json !== null &&
    typeof (json as { text?: unknown }).text === 'string'
  );
}
