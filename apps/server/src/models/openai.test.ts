import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';
import { API_PATHS, chatStreamPath, type StreamEvent } from '@gpt-stream/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../config/config.ts';
import {
  type FakeBehaviour,
  type FakeOpenAI,
  type FakeReasoningDialect,
  refusedBaseURL,
  startFakeOpenAI,
} from '../test-support/openai-fake-server.ts';
import {
  activeStreams,
  postChat,
  readStream,
  readUntilFirst,
  readUntilFirstDelta,
  startTestServer,
  type TestServer,
  textOf,
  thinkingOf,
} from '../test-support/server.ts';
import type { Model } from './model.ts';
import { createOpenAIModels } from './openai.ts';
import { createModels } from './registry.ts';

const KEY = 'sk-test-never-shown-4f9a';
const ANSWER = [
  'Hello',
  ',',
  ' wörld',
  ' 你好',
  ' 👩‍👩‍👧',
  '\n\n',
  'data: x\n\nevent: done',
  ' 🇩🇪.',
];

let fake: FakeOpenAI | undefined;
let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  await fake?.close();
  server = undefined;
  fake = undefined;
  vi.restoreAllMocks();
});

/** The real app, its models built from configuration that points at a fake upstream. */
async function serveUpstream(
  script: Record<string, FakeBehaviour>,
  env: Record<string, string> = {},
): Promise<{ server: TestServer; fake: FakeOpenAI }> {
  fake = await startFakeOpenAI(script);
  const [first = 'unused', ...rest] = Object.keys(script);
  const config = loadConfig({
    MOCK_DELAY_MS: '0',
    OPENAI_BASE_URL: fake.baseURL,
    OPENAI_MODEL: first,
    OPENAI_EXTRA_MODELS: rest.join(','),
    ...env,
  });
  server = await startTestServer({
    registry: createModels(config),
    config: { systemPrompt: config.systemPrompt },
  });
  return { server, fake };
}

async function ask(model: string, extra: Record<string, unknown> = {}) {
  const response = await postChat(server as TestServer, { prompt: 'Say hello', model, ...extra });
  expect(response.status).toBe(200);
  return readStream(response);
}

function terminal(events: { event: StreamEvent }[]): StreamEvent | undefined {
  const ends = events.filter(({ event }) => event.type === 'done' || event.type === 'error');
  expect(ends).toHaveLength(1);
  expect(events.at(-1)?.event).toBe(ends[0]?.event);
  return ends[0]?.event;
}

describe('models from an OpenAI-compatible upstream', () => {
  it('are offered next to mock and echo, the first configured one as the default', async () => {
    await serveUpstream(
      {
        'llama3.2': { kind: 'answer', pieces: ['x'] },
        'qwen2.5': { kind: 'answer', pieces: ['y'] },
      },
      { OPENAI_API_KEY: KEY },
    );
    const response = await fetch(`${server?.url}${API_PATHS.models}`);
    const raw = await response.text();
    expect(JSON.parse(raw)).toEqual({
      defaultModel: 'llama3.2',
      models: [
        { id: 'llama3.2', description: expect.any(String) },
        { id: 'qwen2.5', description: expect.any(String) },
        { id: 'mock', description: expect.any(String) },
        { id: 'mock-reasoning', description: expect.any(String) },
        { id: 'echo', description: expect.any(String) },
      ],
    });
    expect(raw).not.toContain(KEY);
    expect(raw).not.toContain(fake?.baseURL);
  });

  it('stream the exact text, cut at arbitrary bytes, with usage and finish reason in done', async () => {
    await serveUpstream({
      'gpt-fake': {
        kind: 'answer',
        pieces: ANSWER,
        usage: { prompt_tokens: 11, completion_tokens: 8 },
      },
    });
    const received = await ask('gpt-fake');
    expect(received.events[0]?.event).toMatchObject({ type: 'start', data: { model: 'gpt-fake' } });
    expect(textOf(received)).toBe(ANSWER.join(''));
    expect(received.events.filter(({ event }) => event.type === 'delta')).toHaveLength(
      ANSWER.length,
    );
    expect(terminal(received.events)).toEqual({
      type: 'done',
      data: { finishReason: 'stop', usage: { promptTokens: 11, completionTokens: 8 } },
    });
  });

  it('keep every multi-byte character when the upstream writes one byte at a time', async () => {
    await serveUpstream({ 'gpt-fake': { kind: 'answer', pieces: ANSWER, cutBytes: 1 } });
    const received = await ask('gpt-fake');
    expect(textOf(received)).toBe(ANSWER.join(''));
    expect(terminal(received.events)?.type).toBe('done');
  });

  it('ask for a stream with usage, send the prompt, and no Authorization without a key', async () => {
    await serveUpstream({ 'gpt-fake': { kind: 'answer', pieces: ['ok'] } });
    await ask('gpt-fake');
    expect(fake?.requests).toHaveLength(1);
    expect(fake?.requests[0]?.body).toEqual({
      model: 'gpt-fake',
      messages: [{ role: 'user', content: 'Say hello' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(fake?.requests[0]?.authorization).toBeUndefined();
  });

  it('send the key as a bearer token, to the upstream only', async () => {
    await serveUpstream(
      { 'gpt-fake': { kind: 'answer', pieces: ['ok'] } },
      { OPENAI_API_KEY: KEY },
    );
    const response = await postChat(server as TestServer, { prompt: 'Hi', model: 'gpt-fake' });
    expect(await response.text()).not.toContain(KEY);
    expect(fake?.requests[0]?.authorization).toBe(`Bearer ${KEY}`);
  });

  it('pass maxTokens on as max_tokens and report the cut as length', async () => {
    await serveUpstream({ 'gpt-fake': { kind: 'answer', pieces: ANSWER } });
    const received = await ask('gpt-fake', { maxTokens: 3 });
    expect(fake?.requests[0]?.body.max_tokens).toBe(3);
    expect(textOf(received)).toBe(ANSWER.slice(0, 3).join(''));
    expect(terminal(received.events)).toMatchObject({
      type: 'done',
      data: { finishReason: 'length', usage: { completionTokens: 3 } },
    });
  });

  it('report a content filter stop as content_filter', async () => {
    await serveUpstream({
      'gpt-fake': { kind: 'answer', pieces: ['Part'], finishReason: 'content_filter' },
    });
    expect(terminal((await ask('gpt-fake')).events)).toMatchObject({
      type: 'done',
      data: { finishReason: 'content_filter' },
    });
  });

  it('estimate usage when the upstream sends none', async () => {
    await serveUpstream({ 'gpt-fake': { kind: 'answer', pieces: ['a', 'b', 'c'], usage: null } });
    expect(terminal((await ask('gpt-fake')).events)).toEqual({
      type: 'done',
      data: { finishReason: 'stop', usage: { promptTokens: 2, completionTokens: 3 } },
    });
  });

  it('call an answer without a finish reason cut, not done', async () => {
    await serveUpstream({ 'gpt-fake': { kind: 'answer', pieces: ['a', 'b'], finishReason: null } });
    const received = await ask('gpt-fake');
    expect(textOf(received)).toBe('ab');
    expect(terminal(received.events)).toMatchObject({
      type: 'error',
      data: { code: 'upstream_error', retryable: true },
    });
  });
});

/** Turns whose text a careless client would change on the way: each must arrive as it is. */
const THREAD = [
  { role: 'user', content: '  Hi,\r\nwho are you? 👋' },
  { role: 'assistant', content: 'I am a model.\n\n```ts\nconst a = 1;\n```\n' },
  { role: 'user', content: 'data: x\n\nevent: done' },
  { role: 'assistant', content: '' },
  { role: 'user', content: '你好 🇩🇪\tand a trailing space ' },
] as const;

describe('a conversation sent upstream', () => {
  async function sentMessages(body: Record<string, unknown>, env: Record<string, string> = {}) {
    await serveUpstream({ 'gpt-fake': { kind: 'answer', pieces: ['ok'] } }, env);
    const received = await readStream(await postChat(server as TestServer, body));
    expect(terminal(received.events)?.type).toBe('done');
    expect(fake?.requests).toHaveLength(1);
    return fake?.requests[0]?.messages;
  }

  it('carries every message, in order and exactly', async () => {
    expect(await sentMessages({ messages: THREAD, model: 'gpt-fake' })).toEqual(THREAD);
  });

  it('starts with SYSTEM_PROMPT when the conversation has no system message', async () => {
    const systemPrompt = ' Answer in French.\nBe brief. ';
    expect(
      await sentMessages({ messages: THREAD, model: 'gpt-fake' }, { SYSTEM_PROMPT: systemPrompt }),
    ).toEqual([{ role: 'system', content: systemPrompt }, ...THREAD]);
  });

  it('gives the prompt shorthand SYSTEM_PROMPT too', async () => {
    expect(
      await sentMessages({ prompt: 'Hi', model: 'gpt-fake' }, { SYSTEM_PROMPT: 'Be brief.' }),
    ).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
    ]);
  });

  it("keeps the conversation's own system message, and then sends no SYSTEM_PROMPT", async () => {
    const messages = [{ role: 'system', content: 'Answer like a pirate.' }, ...THREAD];
    expect(
      await sentMessages({ messages, model: 'gpt-fake' }, { SYSTEM_PROMPT: 'Answer in French.' }),
    ).toEqual(messages);
  });

  it('counts the whole conversation when the upstream reports no usage', async () => {
    await serveUpstream({ 'gpt-fake': { kind: 'answer', pieces: ['a', 'b'], usage: null } });
    const messages = [
      { role: 'user', content: 'one two' },
      { role: 'assistant', content: 'three' },
      { role: 'user', content: 'four' },
    ];
    const received = await readStream(
      await postChat(server as TestServer, { messages, model: 'gpt-fake' }),
    );
    expect(terminal(received.events)).toEqual({
      type: 'done',
      data: { finishReason: 'stop', usage: { promptTokens: 4, completionTokens: 2 } },
    });
  });
});

describe('upstream failures', () => {
  const cases: [
    string,
    FakeBehaviour | 'refused' | 'unknown model',
    Record<string, unknown>,
    string,
  ][] = [
    [
      'a bad key (401)',
      {
        kind: 'status',
        status: 401,
        body: {
          error: {
            message: `Incorrect API key provided: ${KEY}.`,
            type: 'invalid_request_error',
            code: 'invalid_api_key',
          },
        },
      },
      { code: 'upstream_auth', retryable: false },
      'OPENAI_API_KEY',
    ],
    [
      'an unknown model (404)',
      'unknown model',
      { code: 'upstream_model_not_found', retryable: false },
      'no model "gpt-fake"',
    ],
    [
      'a rate limit (429 with retry-after)',
      {
        kind: 'status',
        status: 429,
        headers: { 'retry-after': '7' },
        body: {
          error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' },
        },
      },
      { code: 'upstream_rate_limited', retryable: true },
      'try again in 7 s',
    ],
    [
      'an exhausted quota (429)',
      {
        kind: 'status',
        status: 429,
        body: {
          error: {
            message: 'You exceeded your current quota',
            type: 'insufficient_quota',
            code: 'insufficient_quota',
          },
        },
      },
      { code: 'upstream_rate_limited', retryable: false },
      'quota',
    ],
    [
      'a server error (500)',
      {
        kind: 'status',
        status: 500,
        body: { error: { message: 'CUDA out of memory at 0x7f', type: 'server_error' } },
      },
      { code: 'upstream_error', retryable: true },
      'HTTP 500',
    ],
    [
      'a rejected request (400)',
      {
        kind: 'status',
        status: 400,
        body: { error: { message: 'context length exceeded', type: 'invalid_request_error' } },
      },
      { code: 'upstream_error', retryable: false },
      'HTTP 400',
    ],
    [
      'an error object inside the stream (llama.cpp)',
      {
        kind: 'answer',
        pieces: ANSWER,
        errorAfter: {
          pieces: 2,
          error: { code: 500, message: 'slot unavailable', type: 'server_error' },
        },
      },
      { code: 'upstream_error', retryable: true },
      'partway through',
    ],
    [
      'a client error object inside the stream (vLLM)',
      {
        kind: 'answer',
        pieces: ANSWER,
        errorAfter: {
          pieces: 2,
          error: { object: 'error', message: 'bad logits', type: 'BadRequestError', code: 400 },
        },
      },
      { code: 'upstream_error', retryable: false },
      'partway through',
    ],
    [
      'a refused connection',
      'refused',
      { code: 'upstream_unreachable', retryable: true },
      'Could not reach',
    ],
    [
      'a dropped connection',
      { kind: 'answer', pieces: ANSWER, dropAfter: 2 },
      { code: 'upstream_unreachable', retryable: true },
      'broke',
    ],
    [
      'no answer at all',
      { kind: 'silent' },
      { code: 'upstream_timeout', retryable: true },
      'stopped sending',
    ],
    [
      'an upstream that stops sending',
      { kind: 'answer', pieces: ANSWER, stallAfter: 2 },
      { code: 'upstream_timeout', retryable: true },
      'stopped sending',
    ],
  ];

  it.each(cases)(
    '%s becomes one clear error event, with nothing leaked',
    async (_name, behaviour, data, message) => {
      const logged = [
        vi.spyOn(console, 'error'),
        vi.spyOn(console, 'warn'),
        vi.spyOn(console, 'log'),
      ].map((spy) => spy.mockImplementation(() => undefined));
      const script: Record<string, FakeBehaviour> =
        typeof behaviour === 'string' ? {} : { 'gpt-fake': behaviour };
      await serveUpstream(script, {
        OPENAI_MODEL: 'gpt-fake',
        OPENAI_API_KEY: KEY,
        UPSTREAM_IDLE_TIMEOUT_MS: '400',
        ...(behaviour === 'refused' ? { OPENAI_BASE_URL: await refusedBaseURL() } : {}),
      });
      const started = Date.now();
      const response = await postChat(server as TestServer, { prompt: 'Hi', model: 'gpt-fake' });
      const raw = await response.clone().text();
      const received = await readStream(response);
      expect(Date.now() - started).toBeLessThan(5000);

      const end = terminal(received.events);
      expect(end).toMatchObject({ type: 'error', data });
      expect(end?.type === 'error' && end.data.message).toContain(message);
      // Text that arrived before the failure is kept.
      if (typeof behaviour !== 'string' && behaviour.kind === 'answer') {
        expect(textOf(received)).toBe(ANSWER.slice(0, 2).join(''));
      }
      const everything =
        raw +
        logged
          .flatMap((spy) => spy.mock.calls.map((call) => inspect(call, { depth: 8 })))
          .join('\n');
      expect(everything).not.toContain(KEY);
      expect(raw).not.toMatch(/127\.0\.0\.1|CUDA|slot unavailable|\bat .*\.(ts|js):\d+/);
      expect(await activeStreams(server as TestServer)).toBe(0);
      // An upstream that went quiet is hung up on, not left holding a connection.
      if (data.code === 'upstream_timeout') {
        await expect.poll(() => fake?.requests[0]?.closedEarlyAt, { timeout: 2000 }).toBeDefined();
      }
    },
  );
});

describe('the idle timeout', () => {
  it('counts only the upstream: a reader slower than the timeout still gets the whole answer', async () => {
    fake = await startFakeOpenAI({ 'gpt-fake': { kind: 'answer', pieces: ANSWER } });
    const [model] = createOpenAIModels(
      { baseURL: fake.baseURL, models: ['gpt-fake'] },
      { idleTimeoutMs: 150, thinkTags: 'split' },
    );
    const generation = (model as Model).generate({
      messages: [{ role: 'user', content: 'Hi' }],
      signal: new AbortController().signal,
    });
    const pieces: string[] = [];
    for (;;) {
      const step = await generation.next();
      if (step.done) {
        expect(step.value.finishReason).toBe('stop');
        break;
      }
      if (typeof step.value === 'string') pieces.push(step.value);
      // The reader dawdles over the first piece for twice the timeout.
      if (pieces.length === 1) await sleep(300);
    }
    expect(pieces.join('')).toBe(ANSWER.join(''));
  });
});

describe('stopping an upstream stream', () => {
  it("closes the upstream connection within a second of a DELETE (the page's Stop)", async () => {
    await serveUpstream(
      { 'gpt-fake': { kind: 'answer', pieces: ANSWER, stallAfter: 1 } },
      { UPSTREAM_IDLE_TIMEOUT_MS: '60000' },
    );
    const response = await postChat(server as TestServer, { prompt: 'Hi', model: 'gpt-fake' });
    const reader = await readUntilFirstDelta(response);
    const streamId = (server as TestServer).streams.runningIds()[0] as string;
    expect(fake?.requests[0]?.closedEarlyAt).toBeUndefined();

    const stoppedAt = Date.now();
    const stop = await fetch(`${(server as TestServer).url}${chatStreamPath(streamId)}`, {
      method: 'DELETE',
    });
    expect(stop.status).toBe(204);
    await expect.poll(() => fake?.requests[0]?.closedEarlyAt, { timeout: 5000 }).toBeDefined();
    expect((fake?.requests[0]?.closedEarlyAt ?? Number.POSITIVE_INFINITY) - stoppedAt).toBeLessThan(
      1000,
    );
    await reader.cancel();
  });

  it('closes the upstream connection within a second when a non-resumable reader leaves', async () => {
    await serveUpstream(
      { 'gpt-fake': { kind: 'answer', pieces: ANSWER, stallAfter: 1 } },
      { UPSTREAM_IDLE_TIMEOUT_MS: '60000' },
    );
    const abort = new AbortController();
    const response = await postChat(
      server as TestServer,
      { prompt: 'Hi', model: 'gpt-fake', resumable: false },
      { signal: abort.signal },
    );
    await readUntilFirstDelta(response);
    expect(fake?.requests[0]?.closedEarlyAt).toBeUndefined();

    const leftAt = Date.now();
    abort.abort();
    await expect.poll(() => fake?.requests[0]?.closedEarlyAt, { timeout: 5000 }).toBeDefined();
    expect((fake?.requests[0]?.closedEarlyAt ?? Number.POSITIVE_INFINITY) - leftAt).toBeLessThan(
      1000,
    );
    await expect.poll(() => activeStreams(server as TestServer), { timeout: 5000 }).toBe(0);
  });
});

const THINKING = [
  'Let',
  ' me',
  ' think: "',
  'wörld"',
  ' is 你好?\n\n',
  'data: x\n\nevent: done',
  ' 👩‍👩‍👧.',
];

/** The events' types in order, each run of one type once: thinking first means `reasoning, delta`. */
function runsOf({ events }: { events: { event: StreamEvent }[] }): string[] {
  return events
    .map(({ event }) => event.type)
    .filter((type, index, types) => type !== types[index - 1]);
}

describe('reasoning from an upstream', () => {
  const dialects: FakeReasoningDialect[] = ['reasoning_content', 'reasoning', 'openrouter'];
  const cuts = [1, 2, 3, 5, 'random'] as const;

  it.each(dialects.flatMap((dialect) => cuts.map((cut) => [dialect, cut] as const)))(
    'arrives as reasoning events from %s, exactly once, with frames cut every %s bytes',
    async (dialect, cutBytes) => {
      await serveUpstream({
        'think-fake': {
          kind: 'answer',
          reasoning: THINKING,
          dialect,
          pieces: ANSWER,
          cutBytes,
          usage: {
            prompt_tokens: 5,
            completion_tokens: 15,
            completion_tokens_details: { reasoning_tokens: 7 },
          },
        },
      });
      const received = await ask('think-fake');
      expect(thinkingOf(received)).toBe(THINKING.join(''));
      expect(received.events.filter(({ event }) => event.type === 'reasoning')).toHaveLength(
        THINKING.length,
      );
      expect(textOf(received)).toBe(ANSWER.join(''));
      expect(runsOf(received)).toEqual(['start', 'reasoning', 'delta', 'done']);
      expect(terminal(received.events)).toEqual({
        type: 'done',
        data: {
          finishReason: 'stop',
          usage: { promptTokens: 5, completionTokens: 15, reasoningTokens: 7 },
        },
      });
    },
  );

  const TAGGED = ['<thi', 'nk>\nLet me', ' think. </', 'think', '>\n\nHel', 'lo <think>', '.'];

  it.each(cuts)(
    'is split from the content when it comes as a leading think block, cut every %s bytes',
    async (cutBytes) => {
      await serveUpstream({ 'qwen-fake': { kind: 'answer', pieces: TAGGED, cutBytes } });
      const received = await ask('qwen-fake');
      expect(thinkingOf(received)).toBe('Let me think.');
      expect(textOf(received)).toBe('Hello <think>.');
      expect(runsOf(received)).toEqual(['start', 'reasoning', 'delta', 'done']);
    },
  );

  it('is taken up to the closing tag with UPSTREAM_THINK_TAGS=open, when no opening tag comes', async () => {
    await serveUpstream(
      {
        'r1-fake': {
          kind: 'answer',
          pieces: ['Okay, so', ' a haiku.\n</th', 'ink>\n\n', 'Autumn'],
        },
      },
      { UPSTREAM_THINK_TAGS: 'open' },
    );
    const received = await ask('r1-fake');
    expect(thinkingOf(received)).toBe('Okay, so a haiku.');
    expect(textOf(received)).toBe('Autumn');
  });

  it('is left in the content, tags and all, with UPSTREAM_THINK_TAGS=off', async () => {
    await serveUpstream(
      { 'qwen-fake': { kind: 'answer', pieces: TAGGED } },
      { UPSTREAM_THINK_TAGS: 'off' },
    );
    const received = await ask('qwen-fake');
    expect(thinkingOf(received)).toBe('');
    expect(textOf(received)).toBe(TAGGED.join(''));
  });

  it('is counted in an estimated usage when the upstream sends none', async () => {
    await serveUpstream({
      'think-fake': { kind: 'answer', reasoning: ['a', 'b'], pieces: ['c'], usage: null },
    });
    expect(terminal((await ask('think-fake')).events)).toMatchObject({
      type: 'done',
      data: { usage: { completionTokens: 3, reasoningTokens: 2 } },
    });
  });

  it('keeps the stream alive: thinking longer than the idle timeout is not silence', async () => {
    await serveUpstream(
      {
        'think-fake': {
          kind: 'answer',
          reasoning: Array.from({ length: 10 }, (_, index) => `step ${index}. `),
          pieces: ['Done'],
          gapMs: 60,
        },
      },
      // Five times the gap, for a loaded machine; the thinking lasts twice the timeout.
      { UPSTREAM_IDLE_TIMEOUT_MS: '300' },
    );
    const received = await ask('think-fake');
    expect(thinkingOf(received)).toBe(
      Array.from({ length: 10 }, (_, index) => `step ${index}. `).join(''),
    );
    expect(terminal(received.events)?.type).toBe('done');
  });

  it('ends with upstream_timeout when the upstream goes quiet mid-thinking', async () => {
    await serveUpstream(
      { 'think-fake': { kind: 'answer', reasoning: THINKING, pieces: ANSWER, stallAfter: 2 } },
      { UPSTREAM_IDLE_TIMEOUT_MS: '150' },
    );
    const received = await ask('think-fake');
    expect(thinkingOf(received)).toBe(THINKING.slice(0, 2).join(''));
    expect(terminal(received.events)).toMatchObject({
      type: 'error',
      data: { code: 'upstream_timeout' },
    });
  });

  it('is stopped with the upstream connection by a DELETE while the model thinks', async () => {
    await serveUpstream(
      { 'think-fake': { kind: 'answer', reasoning: THINKING, pieces: ANSWER, stallAfter: 2 } },
      { UPSTREAM_IDLE_TIMEOUT_MS: '60000' },
    );
    const response = await postChat(server as TestServer, { prompt: 'Hi', model: 'think-fake' });
    const reader = await readUntilFirst(response, 'reasoning');
    const streamId = (server as TestServer).streams.runningIds()[0] as string;
    expect(fake?.requests[0]?.closedEarlyAt).toBeUndefined();
    const stop = await fetch(`${(server as TestServer).url}${chatStreamPath(streamId)}`, {
      method: 'DELETE',
    });
    expect(stop.status).toBe(204);
    await expect.poll(() => fake?.requests[0]?.closedEarlyAt, { timeout: 5000 }).toBeDefined();
    await reader.cancel();
  });
});
