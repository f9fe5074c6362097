import type { ChatMessage, ErrorCode, StreamEventData } from '@gpt-stream/protocol';

export interface GenerateInput {
  /**
   * The conversation, oldest first, exactly as sent: a valid one, so at most one `system` message,
   * first, and a user message last (the one to answer).
   */
  messages: readonly ChatMessage[];
  maxTokens?: number | undefined;
  /** Aborted when the reader leaves or the server shuts down: stop at once and free everything. */
  signal: AbortSignal;
}

/** What a finished generation reports; it becomes the `done` event. */
export type Completion = StreamEventData<'done'>;

/** A piece of the model's thinking, which becomes a `reasoning` event. */
export interface Reasoning {
  readonly reasoning: string;
}

/**
 * What a model yields: a string is answer text (a `delta`), as plain as it can be, since nearly
 * every chunk is one; thinking comes wrapped.
 */
export type Chunk = string | Reasoning;

/**
 * Chunks of answer and thinking, then how the generation finished. An async generator is one.
 * `return`, when there is one, is called if the stream is stopped early, to run the model's
 * cleanup.
 */
export type TextStream = AsyncIterableIterator<Chunk, Completion, undefined>;

/**
 * A source of text. `generate` yields chunks of text (and, for a model that thinks, of thinking)
 * and returns how it finished. It is pulled one chunk at a time, so a slow reader slows the model
 * down instead of growing a buffer.
 */
export interface Model {
  readonly id: string;
  readonly description: string;
  generate(input: GenerateInput): TextStream;
}

/**
 * A failure a model can explain: the stream session sends it as the terminal `error` event as it
 * is, so `message` must be fit for the reader (no keys, no internals; those go in `cause`, which
 * only the server's log sees).
 */
export class ModelError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(
    { code, message, retryable }: { code: ErrorCode; message: string; retryable: boolean },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ModelError';
    this.code = code;
    this.retryable = retryable;
  }
}
