import type { FinishReason, Usage } from '@gpt-stream/protocol';
import OpenAI from 'openai';
import type { Chunk, Completion, GenerateInput, Model } from './model.ts';
import { reasoningOf } from './reasoning-dialects.ts';
import { type SplitContent, type ThinkTagMode, ThinkTagSplitter } from './think-tags.ts';
import { countConversationTokens } from './tokenize.ts';
import { toUpstreamError, upstreamCut, upstreamTimeout } from './upstream-errors.ts';

/** An OpenAI-compatible server (OpenAI, Ollama, vLLM, llama.cpp, LM Studio) and the models to offer from it. */
export interface OpenAIUpstreamConfig {
  /** Up to and including the API version, e.g. `https://api.openai.com/v1`; no trailing slash. */
  baseURL: string;
  /** Sent as a bearer token; servers that need none get no Authorization header at all. */
  apiKey?: string;
  /** The upstream's own model names; the first is the page's default. */
  models: string[];
}

export interface OpenAIModelOptions {
  /** How long the upstream may stay silent, before its first byte or between two chunks. */
  idleTimeoutMs: number;
  /** How a `<think>` block in the content is told apart from the answer. */
  thinkTags: ThinkTagMode;
}

/** The upstream's finish reasons in the protocol's terms; tools are never requested here. */
const FINISH_REASONS: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
  content_filter: 'content_filter',
  tool_calls: 'stop',
  function_call: 'stop',
};

/**
 * One Model per configured upstream model, all sharing one client. Works with anything that speaks
 * OpenAI's chat completions API: OpenAI itself, Ollama, vLLM, llama.cpp's server, LM Studio.
 */
export function createOpenAIModels(
  upstream: OpenAIUpstreamConfig,
  { idleTimeoutMs, thinkTags }: OpenAIModelOptions,
): Model[] {
  const { apiKey } = upstream;
  const client = new OpenAI({
    baseURL: upstream.baseURL,
    // Local servers need no key; the SDK insists on one, so it gets a placeholder that is
    // never sent: a null Authorization header drops the header altogether.
    apiKey: apiKey ?? 'unused',
    ...(apiKey ? {} : { defaultHeaders: { Authorization: null } }),
    // Settings the SDK would otherwise pick up from the environment behind our back.
    adminAPIKey: null,
    organization: null,
    project: null,
    webhookSecret: null,
    // A retried stream would start a second generation; the reader decides whether to retry.
    maxRetries: 0,
    timeout: idleTimeoutMs,
  });
  const isOpenAI = new URL(upstream.baseURL).hostname === 'api.openai.com';

  return upstream.models.map((model) => ({
    id: model,
    description: isOpenAI
      ? `OpenAI's ${model}.`
      : `${model}, from the configured OpenAI-compatible server.`,
    generate: (input) =>
      streamCompletion(client, input, { model, apiKey, idleTimeoutMs, isOpenAI, thinkTags }),
  }));
}

interface CompletionOptions {
  model: string;
  apiKey: string | undefined;
  idleTimeoutMs: number;
  /** OpenAI's newer models refuse `max_tokens`; most other servers only know `max_tokens`. */
  isOpenAI: boolean;
  thinkTags: ThinkTagMode;
}

async function* streamCompletion(
  client: OpenAI,
  { messages, maxTokens, signal }: GenerateInput,
  { model, apiKey, idleTimeoutMs, isOpenAI, thinkTags }: CompletionOptions,
): AsyncGenerator<Chunk, Completion, undefined> {
  const idle = new IdleTimer(idleTimeoutMs);
  const requestSignal = AbortSignal.any([signal, idle.signal]);
  let chunks: AsyncIterator<OpenAI.ChatCompletionChunk> | undefined;
  let finishReason: FinishReason | undefined;
  let usage: Usage | undefined;
  const count = { answer: 0, reasoning: 0 };
  const splitter = new ThinkTagSplitter(thinkTags);
  try {
    idle.start();
    const stream = await untilAborted(
      client.chat.completions.create(
        {
          model,
          // Every message, in order and exactly as sent: nothing the SDK could take for a tool call.
          messages: messages.map(({ role, content }) => ({ role, content })),
          stream: true,
          stream_options: { include_usage: true },
          ...(maxTokens === undefined
            ? {}
            : isOpenAI
              ? { max_completion_tokens: maxTokens }
              : { max_tokens: maxTokens }),
        },
        { signal: requestSignal },
      ),
      requestSignal,
    );
    chunks = stream[Symbol.asyncIterator]();
    for (;;) {
      // Only time spent waiting on the upstream counts: a slow reader pauses the clock.
      idle.start();
      const step = await untilAborted(chunks.next(), requestSignal);
      idle.stop();
      if (step.done) break;
      const chunk = step.value;
      if (chunk.usage) usage = usageOf(chunk.usage);
      const choice = chunk.choices[0];
      if (choice?.finish_reason) finishReason = FINISH_REASONS[choice.finish_reason] ?? 'stop';
      // Every chunk, thinking or answer, was the upstream speaking: the idle clock restarted.
      const delta = choice?.delta;
      const reasoning = reasoningOf(delta);
      if (reasoning !== '') yield* emit({ reasoning, answer: '' }, count);
      const text = delta?.content;
      if (text) yield* emit(splitter.push(text), count);
    }
    // What the splitter still held: whitespace, or a tag that never finished.
    yield* emit(splitter.end(), count);
  } catch (error) {
    signal.throwIfAborted();
    if (idle.expired) throw upstreamTimeout(model, idleTimeoutMs);
    throw toUpstreamError(error, { model, apiKey });
  } finally {
    idle.stop();
    // Closes the upstream connection when the reader stopped pulling before the end. Not
    // awaited: a `next()` still pending would hold it up.
    chunks?.return?.().catch(() => undefined);
  }
  // The SDK ends its iteration quietly when aborted: that is not a finished answer.
  signal.throwIfAborted();
  if (idle.expired) throw upstreamTimeout(model, idleTimeoutMs);
  if (finishReason === undefined) throw upstreamCut(model);
  return {
    finishReason,
    // Servers that ignore `include_usage` get an estimate rather than no numbers at all.
    usage: usage ?? {
      promptTokens: countConversationTokens(messages),
      completionTokens: count.answer + count.reasoning,
      ...(count.reasoning > 0 ? { reasoningTokens: count.reasoning } : {}),
    },
  };
}

/** Thinking, then answer, each when there is some; counted, for an estimated usage. */
function* emit(
  { reasoning, answer }: SplitContent,
  count: { answer: number; reasoning: number },
): Generator<Chunk, void, undefined> {
  if (reasoning !== '') {
    count.reasoning++;
    yield { reasoning };
  }
  if (answer !== '') {
    count.answer++;
    yield answer;
  }
}

function usageOf(usage: OpenAI.CompletionUsage): Usage {
  const reasoningTokens = usage.completion_tokens_details?.reasoning_tokens;
  return {
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    // As reported: OpenAI says 0 for its models that do not think, most other servers nothing.
    ...(typeof reasoningTokens === 'number' ? { reasoningTokens } : {}),
  };
}

/** Aborts its signal once it has run for `ms` without being stopped. */
class IdleTimer {
  readonly #controller = new AbortController();
  readonly #ms: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(ms: number) {
    this.#ms = ms;
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get expired(): boolean {
    return this.#controller.signal.aborted;
  }

  start(): void {
    this.stop();
    this.#timer = setTimeout(() => this.#controller.abort(new Error('upstream idle')), this.#ms);
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}

/**
 * Rejects as soon as the signal aborts, whatever the SDK does with it: a promise that never
 * settles must not hold a stream open.
 */
function untilAborted<T>(promise: PromiseLike<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(promise).then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
