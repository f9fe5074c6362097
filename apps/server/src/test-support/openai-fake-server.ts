/**
 * Test support: an OpenAI-compatible server on loopback that speaks the real chat-completions
 * streaming wire format, cuts its bytes at arbitrary points, and fails in the ways real upstreams
 * do. What it answers is scripted per model name.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Where a reasoning model's server puts the thinking in each delta. */
export type FakeReasoningDialect = 'reasoning_content' | 'reasoning' | 'openrouter';

export type FakeBehaviour =
  | {
      kind: 'answer';
      /** The content deltas, one chunk each; `max_tokens` in the request keeps the first n. */
      pieces: string[];
      /**
       * Thinking deltas, one chunk each, sent before the content in the dialect's field (default
       * `reasoning_content`). `stallAfter`, `dropAfter` and `errorAfter` count them with the
       * content pieces, thinking first.
       */
      reasoning?: string[];
      dialect?: FakeReasoningDialect;
      /** Pause between two thinking or content chunks, in ms; none by default. */
      gapMs?: number;
      /** Defaults to `stop`, or `length` when `max_tokens` cut the pieces; null sends none. */
      finishReason?: string | null;
      /** What the usage chunk reports; null leaves it out, as servers that ignore `include_usage` do. */
      usage?: {
        prompt_tokens: number;
        completion_tokens: number;
        completion_tokens_details?: { reasoning_tokens: number };
      } | null;
      /** Bytes per write: a number, or random sizes from 1 to 7 (the default). */
      cutBytes?: number | 'random';
      /** Sends this many content deltas, then nothing more, keeping the connection open. */
      stallAfter?: number;
      /** Sends this many content deltas, then destroys the connection. */
      dropAfter?: number;
      /** Sends this many content deltas, then an error object inside the stream (vLLM, llama.cpp). */
      errorAfter?: { pieces: number; error: Record<string, unknown> };
    }
  | { kind: 'status'; status: number; body: unknown; headers?: Record<string, string> }
  /** Reads the request and never answers, not even headers. */
  | { kind: 'silent' };

export interface FakeRequest {
  body: Record<string, unknown>;
  /** The conversation as it arrived, parsed from the JSON body and nothing else done to it. */
  messages: unknown;
  authorization: string | undefined;
  /** Set when the connection closed before the fake finished its answer. */
  closedEarlyAt: number | undefined;
}

export interface FakeOpenAI {
  /** Ends with `/v1`, as OPENAI_BASE_URL does. */
  baseURL: string;
  requests: FakeRequest[];
  close(): Promise<void>;
}

export async function startFakeOpenAI(script: Record<string, FakeBehaviour>): Promise<FakeOpenAI> {
  const requests: FakeRequest[] = [];
  const server = createServer((req, res) => {
    handle(req, res, script, requests).catch(() => res.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A base URL where nothing listens: connecting to it is refused. */
export async function refusedBaseURL(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/v1`;
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  script: Record<string, FakeBehaviour>,
  requests: FakeRequest[],
): Promise<void> {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
    return sendJson(res, 404, openAIError('Unknown request URL', 'invalid_request_error', null));
  }
  const body = JSON.parse(raw) as Record<string, unknown>;
  const record: FakeRequest = {
    body,
    messages: body.messages,
    authorization: req.headers.authorization,
    closedEarlyAt: undefined,
  };
  requests.push(record);
  res.on('close', () => {
    if (!res.writableFinished) record.closedEarlyAt = Date.now();
  });

  const model = String(body.model);
  const behaviour = script[model];
  if (!behaviour) {
    return sendJson(
      res,
      404,
      openAIError(
        `The model \`${model}\` does not exist or you do not have access to it.`,
        'invalid_request_error',
        'model_not_found',
      ),
    );
  }
  if (behaviour.kind === 'silent') return;
  if (behaviour.kind === 'status') {
    return sendJson(res, behaviour.status, behaviour.body, behaviour.headers);
  }
  await streamAnswer(res, behaviour, body);
}

async function streamAnswer(
  res: ServerResponse,
  behaviour: Extract<FakeBehaviour, { kind: 'answer' }>,
  body: Record<string, unknown>,
): Promise<void> {
  const model = String(body.model);
  const withUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage;
  const limit = (body.max_tokens ?? body.max_completion_tokens) as number | undefined;
  const pieces = behaviour.pieces.slice(0, limit ?? behaviour.pieces.length);
  const cut = pieces.length < behaviour.pieces.length;

  const chunk = (choices: unknown[], usage?: unknown) =>
    data({
      id: 'chatcmpl-fake',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model,
      system_fingerprint: 'fp_fake',
      choices,
      ...(withUsage && behaviour.usage !== null ? { usage: usage ?? null } : {}),
    });
  const choice = (delta: unknown, finishReason: string | null = null) => ({
    index: 0,
    delta,
    logprobs: null,
    finish_reason: finishReason,
  });

  const frames = [chunk([choice({ role: 'assistant', content: '', refusal: null })])];
  const dialect = behaviour.dialect ?? 'reasoning_content';
  const deltas = [
    ...(behaviour.reasoning ?? []).map((piece) => reasoningDelta(dialect, piece)),
    // OpenRouter names the field in every chunk, null once the thinking is over.
    ...pieces.map((piece) =>
      dialect === 'openrouter' ? { content: piece, reasoning: null } : { content: piece },
    ),
  ];
  const stopAt = behaviour.stallAfter ?? behaviour.dropAfter ?? behaviour.errorAfter?.pieces;
  for (const delta of deltas.slice(0, stopAt)) frames.push(chunk([choice(delta)]));

  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8' });
  const cutBytes = behaviour.cutBytes ?? 'random';
  const gapMs = behaviour.gapMs ?? 0;
  const write = async (text: string) => {
    if (gapMs === 0) return writeCut(res, text, cutBytes);
    // Paced: the first frame (the role) at once, then one frame per gap.
    const [first = '', ...rest] = text.split(/(?<=\n\n)/);
    await writeCut(res, first, cutBytes);
    for (const frame of rest) {
      await new Promise((resolve) => setTimeout(resolve, gapMs));
      if (res.destroyed) return;
      await writeCut(res, frame, cutBytes);
    }
  };

  if (behaviour.stallAfter !== undefined) {
    await write(frames.join(''));
    return;
  }
  if (behaviour.dropAfter !== undefined) {
    await write(frames.join(''));
    res.destroy();
    return;
  }
  if (behaviour.errorAfter) {
    await write(frames.join('') + data({ error: behaviour.errorAfter.error }) + DONE);
    res.end();
    return;
  }
  const finishReason =
    behaviour.finishReason === undefined ? (cut ? 'length' : 'stop') : behaviour.finishReason;
  if (finishReason !== null) frames.push(chunk([choice({}, finishReason)]));
  if (withUsage && behaviour.usage !== null) {
    const thought = behaviour.reasoning?.length ?? 0;
    const usage = behaviour.usage ?? {
      prompt_tokens: 9,
      completion_tokens: thought + pieces.length,
      ...(thought > 0 ? { completion_tokens_details: { reasoning_tokens: thought } } : {}),
    };
    frames.push(
      chunk([], { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens }),
    );
  }
  frames.push(DONE);
  await write(frames.join(''));
  res.end();
}

const DONE = 'data: [DONE]\n\n';

function reasoningDelta(dialect: FakeReasoningDialect, piece: string): Record<string, unknown> {
  if (dialect === 'reasoning_content') return { content: null, reasoning_content: piece };
  if (dialect === 'reasoning') return { content: '', reasoning: piece };
  // OpenRouter repeats the text in typed details.
  return {
    content: '',
    reasoning: piece,
    reasoning_details: [{ type: 'reasoning.text', text: piece, format: 'unknown', index: 0 }],
  };
}

function data(json: unknown): string {
  return `data: ${JSON.stringify(json)}\n\n`;
}

function openAIError(message: string, type: string, code: string | null) {
  return { error: { message, type, param: null, code } };
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * Writes the UTF-8 bytes in small pieces, each flushed before the next, so frames, lines and
 * multi-byte characters arrive split wherever the cut falls.
 */
async function writeCut(
  res: ServerResponse,
  text: string,
  cutBytes: number | 'random',
): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  let seed = 0x2545f491;
  const nextSize = () => {
    if (cutBytes !== 'random') return cutBytes;
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return 1 + ((seed >>> 0) % 7);
  };
  for (let start = 0; start < bytes.length; ) {
    if (res.destroyed) return;
    const end = Math.min(bytes.length, start + nextSize());
    await new Promise<void>((resolve) => {
      res.write(bytes.subarray(start, end), () => resolve());
    });
    await new Promise((resolve) => setImmediate(resolve));
    start = end;
  }
}
