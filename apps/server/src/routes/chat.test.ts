import {
  API_PATHS,
  ApiErrorBodySchema,
  type ChatMessage,
  EVENT_STREAM_TYPE,
  hasMediaType,
} from '@gpt-stream/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  activeStreams,
  postChat,
  readStream,
  startTestServer,
  type TestServer,
  textOf,
} from '../test-support/server.ts';

let server: TestServer;

const user = (content: string): ChatMessage => ({ role: 'user', content });
const assistant = (content: string): ChatMessage => ({ role: 'assistant', content });

/** `count` messages, user and assistant in turn, ending with the user's: `filler` in each. */
function thread(count: number, filler = 'x'): ChatMessage[] {
  return Array.from({ length: count }, (_, index) =>
    (count - 1 - index) % 2 === 0 ? user(filler) : assistant(filler),
  );
}

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  await server.close();
});

describe('POST /api/chat, a stream', () => {
  it('is an event stream that proxies and caches leave alone', async () => {
    const response = await postChat(server, { prompt: 'Hello' });
    expect(response.status).toBe(200);
    expect(hasMediaType(response.headers.get('content-type'), EVENT_STREAM_TYPE)).toBe(true);
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    await readStream(response);
  });

  it('is start, deltas, then exactly one done, numbered in order under one stream id', async () => {
    const { events } = await readStream(await postChat(server, { prompt: 'Explain SSE' }));
    const types = events.map(({ event }) => event.type);
    expect(types[0]).toBe('start');
    expect(types.at(-1)).toBe('done');
    expect(types.slice(1, -1).every((type) => type === 'delta')).toBe(true);
    expect(types.length).toBeGreaterThan(50);
    const start = events[0]?.event;
    if (start?.type !== 'start') throw new Error('no start event');
    const { streamId, model } = start.data;
    expect(model).toBe('mock');
    expect(events.map(({ id }) => id)).toEqual(events.map((_, index) => `${streamId}:${index}`));
  });

  it('reports usage and a natural finish in done', async () => {
    const { events } = await readStream(await postChat(server, { prompt: 'Hi there' }));
    const deltas = events.filter(({ event }) => event.type === 'delta').length;
    expect(events.at(-1)?.event).toEqual({
      type: 'done',
      data: { finishReason: 'stop', usage: { promptTokens: 2, completionTokens: deltas } },
    });
  });

  it('gives the same prompt the same multi-paragraph answer, and another prompt another', async () => {
    const first = textOf(await readStream(await postChat(server, { prompt: 'What is SSE?' })));
    const again = textOf(await readStream(await postChat(server, { prompt: 'What is SSE?' })));
    const other = textOf(await readStream(await postChat(server, { prompt: 'What is HTTP/2?' })));
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect(first.split('\n\n').length).toBeGreaterThanOrEqual(4);
  });

  it('stops at maxTokens and says so', async () => {
    const { events } = await readStream(await postChat(server, { prompt: 'Hi', maxTokens: 7 }));
    expect(events.filter(({ event }) => event.type === 'delta')).toHaveLength(7);
    expect(events.at(-1)?.event).toMatchObject({
      type: 'done',
      data: { finishReason: 'length', usage: { completionTokens: 7 } },
    });
  });

  it('echoes any prompt back exactly, in several pieces', async () => {
    const prompt =
      '\uFEFF  leading spaces\r\nCRLF\rCR\n\n你好，世界 👩‍👩‍👧 🇩🇪\tTab\ndata: x\n\nevent: done\n: not a comment\n';
    const received = await readStream(await postChat(server, { prompt, model: 'echo' }));
    expect(textOf(received)).toBe(prompt);
    expect(received.events.length).toBeGreaterThan(10);
  });

  it('sends heartbeat comments while the model is quiet', async () => {
    await server.close();
    server = await startTestServer({ config: { heartbeatMs: 20, mockDelayMs: 150 } });
    const { comments, events } = await readStream(
      await postChat(server, { prompt: 'Hi', maxTokens: 2 }),
    );
    expect(comments.filter((comment) => comment.trim() === 'ping').length).toBeGreaterThanOrEqual(
      3,
    );
    expect(events.at(-1)?.event.type).toBe('done');
  });
});

describe('POST /api/chat, a conversation', () => {
  const history = [
    { role: 'system', content: 'Be brief.' },
    user('  What is SSE?\r\n'),
    assistant('## SSE\n\nOne long response. 👍\n'),
  ] satisfies ChatMessage[];
  const question = '\uFEFF  And behind nginx?\r\nCR\rtab\t你好 👩‍👩‍👧\ndata: x\n\nevent: done\n';

  const answer = async (messages: ChatMessage[], model?: string) => {
    const received = await readStream(await postChat(server, { messages, model }));
    expect(received.events.at(-1)?.event.type).toBe('done');
    return textOf(received);
  };

  it('with echo, streams the last user message back exactly', async () => {
    expect(await answer([...history, user(question)], 'echo')).toBe(question);
  });

  it('counts every message of the conversation in promptTokens', async () => {
    const { events } = await readStream(
      await postChat(server, {
        messages: [user('one two'), assistant('three four five'), user('six')],
        model: 'echo',
      }),
    );
    expect(events.at(-1)?.event).toEqual({
      type: 'done',
      data: { finishReason: 'stop', usage: { promptTokens: 6, completionTokens: 1 } },
    });
  });

  it('with mock, gives the same conversation the same answer, and another history another', async () => {
    const conversation = [...history, user('And behind nginx?')];
    const first = await answer(conversation);
    expect(await answer(structuredClone(conversation))).toBe(first);
    const otherAnswer = [...history.slice(0, 2), assistant('## SSE\n\nOne long response.\n')];
    const others = await Promise.all([
      answer([...otherAnswer, user('And behind nginx?')]),
      answer([user('And behind nginx?')]),
      answer(history.slice(1).concat(user('And behind nginx?'))),
    ]);
    for (const other of others) expect(other).not.toBe(first);
    expect(new Set(others).size).toBe(others.length);
  });

  it('with mock, answers in Markdown about the last question', async () => {
    const text = await answer([...history, user('And behind nginx?')]);
    expect(text).toContain('"And behind nginx?", following on from "What is SSE?"');
    expect(text).toMatch(/^#{2,3} \S/m);
    expect(text).toMatch(/^(- |1\. )\S/m);
    expect(text.split('\n\n').length).toBeGreaterThanOrEqual(6);
  });

  describe('at the limits, whatever the JSON costs in bytes', () => {
    // Every character escaped to six bytes, every message pretty-printed: the largest body a
    // conversation within both limits can be. Its limits, not the body's size, must decide.
    const worstCase = (chars: number) => {
      const messages = thread(1000, '\u0001');
      const last = messages.at(-1) as ChatMessage;
      last.content = `q${'\u0001'.repeat(chars - 1000)}`;
      return JSON.stringify({ messages, model: 'echo', maxTokens: 1 }, null, 8);
    };
    const send = (body: string) =>
      fetch(`${server.url}${API_PATHS.chat}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
      });

    it('streams a conversation of MAX_MESSAGES messages and MAX_PROMPT_CHARS characters', async () => {
      const response = await send(worstCase(1000));
      expect(response.status).toBe(200);
      expect((await readStream(response)).events.at(-1)?.event.type).toBe('done');
    });

    it('refuses one character more by counting characters, not bytes', async () => {
      const response = await send(worstCase(1001));
      expect(response.status).toBe(413);
      expect(ApiErrorBodySchema.parse(await response.json()).error.message).toBe(
        'The conversation is 1001 characters long; the limit is 1000.',
      );
    });
  });
});

describe('POST /api/chat, bad input', () => {
  const huge = 'x'.repeat(1001);

  it.each([
    [
      'no JSON content type',
      { body: 'Hello', headers: { 'Content-Type': 'text/plain' } },
      415,
      'unsupported_media_type',
      'application/json',
    ],
    ['no body at all', { headers: {} }, 415, 'unsupported_media_type', 'application/json'],
    ['broken JSON', { body: '{"prompt": "Hi"' }, 400, 'invalid_json', 'not valid JSON'],
    ['a JSON string', { body: '"Hello"' }, 400, 'invalid_request', 'must be a JSON object'],
    [
      'neither messages nor a prompt',
      { body: '{}' },
      400,
      'invalid_request',
      'send "messages" (the conversation) or "prompt"',
    ],
    [
      'both messages and a prompt',
      { body: JSON.stringify({ prompt: 'Hi', messages: [user('Hi')] }) },
      400,
      'invalid_request',
      'send "messages" or "prompt", not both',
    ],
    [
      'messages that are not an array',
      { body: '{"messages":"Hi"}' },
      400,
      'invalid_request',
      'messages must be an array of { role, content } objects',
    ],
    [
      'an empty conversation',
      { body: '{"messages":[]}' },
      400,
      'invalid_request',
      'messages must hold at least one message',
    ],
    [
      'a message that is not an object',
      { body: JSON.stringify({ messages: [user('Hi'), 7, user('Hi')] }) },
      400,
      'invalid_request',
      'messages[1]: a message must be a { role, content } object',
    ],
    [
      'a wrong role',
      {
        body: JSON.stringify({ messages: [user('Hi'), { role: 'bot', content: 'x' }, user('?')] }),
      },
      400,
      'invalid_request',
      'messages[1]: role must be one of "system", "user", "assistant"',
    ],
    [
      'a system message that is not first',
      {
        body: JSON.stringify({
          messages: [user('Hi'), { role: 'system', content: 'x' }, user('?')],
        }),
      },
      400,
      'invalid_request',
      'messages[1]: a "system" message may only come first',
    ],
    [
      'non-string content',
      {
        body: JSON.stringify({
          messages: [user('Hi'), { role: 'assistant', content: [] }, user('?')],
        }),
      },
      400,
      'invalid_request',
      'messages[1]: content must be a string',
    ],
    [
      'an unknown key in a message',
      {
        body: JSON.stringify({
          messages: [user('Hi'), { ...assistant('x'), name: 'a' }, user('?')],
        }),
      },
      400,
      'invalid_request',
      'messages[1]: Unrecognized key: "name"',
    ],
    [
      'an assistant message last',
      { body: JSON.stringify({ messages: [user('Hi'), assistant('Hello')] }) },
      400,
      'invalid_request',
      'messages[1]: the last message must be from the user',
    ],
    [
      'a blank last message',
      { body: JSON.stringify({ messages: [user('Hi'), assistant('Hello'), user('\r\n ')] }) },
      400,
      'invalid_request',
      'messages[2]: the last message must not be blank',
    ],
    [
      'a blank prompt',
      { body: '{"prompt":"  \\n "}' },
      400,
      'invalid_request',
      'prompt must not be blank',
    ],
    ['a misspelt field', { body: '{"promt":"Hi"}' }, 400, 'invalid_request', 'promt'],
    [
      'a bad maxTokens',
      { body: '{"prompt":"Hi","maxTokens":-1}' },
      400,
      'invalid_request',
      'maxTokens',
    ],
    [
      'an unknown model',
      { body: '{"prompt":"Hi","model":"gpt-9"}' },
      400,
      'unknown_model',
      'mock, mock-reasoning, echo',
    ],
    [
      'a prompt over MAX_PROMPT_CHARS',
      { body: JSON.stringify({ prompt: huge }) },
      413,
      'payload_too_large',
      'The prompt is 1001 characters long; the limit is 1000.',
    ],
    [
      'a conversation over MAX_PROMPT_CHARS in all, though no message is',
      {
        body: JSON.stringify({
          messages: [user('x'.repeat(400)), assistant('y'.repeat(400)), user('z'.repeat(201))],
        }),
      },
      413,
      'payload_too_large',
      'The conversation is 1001 characters long; the limit is 1000.',
    ],
    [
      'a conversation over MAX_MESSAGES',
      { body: JSON.stringify({ messages: thread(1001) }) },
      413,
      'payload_too_large',
      'The conversation has 1001 messages; the limit is 1000.',
    ],
    [
      'a body over the byte limit',
      { body: JSON.stringify({ prompt: 'Hi', pad: 'x'.repeat(1_000_000) }) },
      413,
      'payload_too_large',
      'larger than the limit',
    ],
    [
      'an unsupported charset',
      { body: '{"prompt":"Hi"}', headers: { 'Content-Type': 'application/json; charset=latin9' } },
      415,
      'unsupported_media_type',
      'UTF-8',
    ],
  ])(
    'answers %s with a JSON error before any stream starts',
    async (_name, init, status, code, message) => {
      const response = await fetch(`${server.url}${API_PATHS.chat}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        ...init,
      });
      expect(response.status).toBe(status);
      const raw = await response.text();
      const body = ApiErrorBodySchema.parse(JSON.parse(raw));
      expect(body.error.code).toBe(code);
      expect(body.error.message).toContain(message);
      expect(raw).not.toMatch(/\bat .*\.(ts|js):\d+/);
      expect(await activeStreams(server)).toBe(0);
    },
  );

  it('keeps serving after bad input', async () => {
    await postChat(server, 'not an object');
    const { events } = await readStream(await postChat(server, { prompt: 'Hi', maxTokens: 2 }));
    expect(events.at(-1)?.event.type).toBe('done');
  });
});

describe('other routes', () => {
  it('lists the models and the default', async () => {
    const response = await fetch(`${server.url}${API_PATHS.models}`);
    expect(await response.json()).toEqual({
      defaultModel: 'mock',
      models: [
        { id: 'mock', description: expect.any(String) },
        { id: 'mock-reasoning', description: expect.any(String) },
        { id: 'echo', description: expect.any(String) },
      ],
    });
  });

  it('answers health with the number of open streams', async () => {
    const response = await fetch(`${server.url}${API_PATHS.health}`);
    expect(await response.json()).toEqual({
      status: 'ok',
      activeStreams: 0,
      store: { kind: 'memory', reachable: true },
    });
  });

  it('answers unknown API paths with a JSON 404', async () => {
    const response = await fetch(`${server.url}/api/nope`);
    expect(response.status).toBe(404);
    expect(ApiErrorBodySchema.parse(await response.json()).error.code).toBe('not_found');
  });

  it('does not serve GET on the chat endpoint', async () => {
    const response = await fetch(`${server.url}${API_PATHS.chat}`);
    expect(response.status).toBe(404);
  });
});
