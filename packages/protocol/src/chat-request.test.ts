import { describe, expect, it } from 'vitest';
import { conversationOf, MAX_TOKENS_LIMIT, parseChatRequest } from './chat-request.ts';

describe('parseChatRequest', () => {
  it('accepts a prompt alone', () => {
    expect(parseChatRequest({ prompt: 'Hi' })).toEqual({ ok: true, value: { prompt: 'Hi' } });
  });

  it('accepts a model and maxTokens', () => {
    expect(parseChatRequest({ prompt: 'Hi', model: 'echo', maxTokens: 5 })).toEqual({
      ok: true,
      value: { prompt: 'Hi', model: 'echo', maxTokens: 5 },
    });
  });

  it('keeps the prompt exactly as sent, surrounding whitespace included', () => {
    const prompt = '  \n\tindented\r\n  ';
    expect(parseChatRequest({ prompt })).toEqual({ ok: true, value: { prompt } });
  });

  it.each([
    ['no body', undefined, 'the request body must be a JSON object'],
    ['an array', [], 'the request body must be a JSON object'],
    ['a string', 'Hi', 'the request body must be a JSON object'],
    ['neither prompt nor messages', {}, 'send "messages" (the conversation) or "prompt"'],
    [
      'both prompt and messages',
      { prompt: 'Hi', messages: [{ role: 'user', content: 'Hi' }] },
      'send "messages" or "prompt", not both',
    ],
    ['a numeric prompt', { prompt: 5 }, 'prompt must be a string'],
    ['an empty prompt', { prompt: '' }, 'prompt must not be blank'],
    ['a blank prompt', { prompt: ' \n\t ' }, 'prompt must not be blank'],
    ['a numeric model', { prompt: 'Hi', model: 1 }, 'model must be a string'],
    ['an empty model', { prompt: 'Hi', model: '' }, 'model must not be empty'],
    [
      'a fractional maxTokens',
      { prompt: 'Hi', maxTokens: 1.5 },
      'maxTokens must be a whole number',
    ],
    ['a zero maxTokens', { prompt: 'Hi', maxTokens: 0 }, 'maxTokens must be at least 1'],
    ['a string maxTokens', { prompt: 'Hi', maxTokens: '5' }, 'maxTokens must be a number'],
    [
      'a huge maxTokens',
      { prompt: 'Hi', maxTokens: MAX_TOKENS_LIMIT + 1 },
      `maxTokens must be at most ${MAX_TOKENS_LIMIT}`,
    ],
    ['a misspelt key', { promt: 'Hi' }, 'Unrecognized key: "promt"'],
    ['two unknown keys', { prompt: 'Hi', a: 1, b: 2 }, 'Unrecognized keys: "a", "b"'],
  ])('rejects %s with a readable message', (_name, body, message) => {
    const result = parseChatRequest(body);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.message).toContain(message);
  });

  it('lists every problem at once', () => {
    const result = parseChatRequest({ prompt: '', maxTokens: 0 });
    expect(result.ok ? '' : result.message).toBe(
      'prompt must not be blank; maxTokens must be at least 1',
    );
  });
});

const user = (content: string) => ({ role: 'user', content });
const assistant = (content: string) => ({ role: 'assistant', content });

describe('parseChatRequest with messages', () => {
  it('accepts a conversation with the same options as a prompt', () => {
    const messages = [
      { role: 'system', content: 'Answer in French.' },
      user('Hi'),
      assistant('Bonjour !'),
      user('How are you?'),
    ];
    expect(parseChatRequest({ messages, model: 'echo', maxTokens: 9, resumable: false })).toEqual({
      ok: true,
      value: { messages, model: 'echo', maxTokens: 9, resumable: false },
    });
  });

  it.each([
    [
      'messages that are not an array',
      { messages: 'Hi' },
      'messages must be an array of { role, content } objects',
    ],
    [
      'messages that are an object',
      { messages: user('Hi') },
      'messages must be an array of { role, content } objects',
    ],
    ['null messages', { messages: null }, 'messages must be an array of { role, content } objects'],
    ['an empty conversation', { messages: [] }, 'messages must hold at least one message'],
    [
      'a message that is not an object',
      { messages: [user('Hi'), 'Hello', user('Hi')] },
      'messages[1]: a message must be a { role, content } object',
    ],
    [
      'a wrong role',
      { messages: [user('Hi'), { role: 'model', content: 'x' }, user('Hi')] },
      'messages[1]: role must be one of "system", "user", "assistant"',
    ],
    [
      'a missing role',
      { messages: [{ content: 'Hi' }] },
      'messages[0]: role must be one of "system", "user", "assistant"',
    ],
    [
      'a system message that is not first',
      { messages: [user('Hi'), assistant('Hello'), { role: 'system', content: 'x' }, user('Hi')] },
      'messages[2]: a "system" message may only come first',
    ],
    [
      'non-string content',
      { messages: [user('Hi'), { role: 'assistant', content: 7 }, user('Hi')] },
      'messages[1]: content must be a string',
    ],
    ['missing content', { messages: [{ role: 'user' }] }, 'messages[0]: content must be a string'],
    [
      'an unknown key in a message',
      { messages: [user('Hi'), { ...assistant('x'), name: 'bot' }, user('Hi')] },
      'messages[1]: Unrecognized key: "name"',
    ],
    [
      'an assistant message last',
      { messages: [user('Hi'), assistant('Hello')] },
      'messages[1]: the last message must be from the user',
    ],
    [
      'a system message alone',
      { messages: [{ role: 'system', content: 'Be brief.' }] },
      'messages[0]: the last message must be from the user',
    ],
    [
      'a blank last message',
      { messages: [user('Hi'), assistant('Hello'), user(' \r\n\t')] },
      'messages[2]: the last message must not be blank',
    ],
    [
      'messages and a prompt',
      { messages: [user('Hi')], prompt: 'Hi' },
      'send "messages" or "prompt", not both',
    ],
    [
      'neither messages nor a prompt, only options',
      { model: 'echo', maxTokens: 5 },
      'send "messages" (the conversation) or "prompt" (one user message)',
    ],
  ])('rejects %s, saying which message is at fault', (_name, body, message) => {
    const result = parseChatRequest(body);
    expect(result).toEqual({ ok: false, message });
  });

  it('names every broken message at once', () => {
    const result = parseChatRequest({
      messages: [user('Hi'), { role: 'bot', content: 'x' }, { role: 'user', content: 1 }],
    });
    expect(result).toEqual({
      ok: false,
      message:
        'messages[1]: role must be one of "system", "user", "assistant"; messages[2]: content must be a string',
    });
  });
});

describe('conversationOf', () => {
  it('turns the prompt shorthand into one user message, exactly', () => {
    const prompt = '  Hi\r\n';
    expect(conversationOf({ prompt })).toEqual([{ role: 'user', content: prompt }]);
  });

  it('gives the messages of a conversation as they were sent', () => {
    const messages = [user('Hi'), assistant('Hello'), user('Again')] as const;
    const parsed = parseChatRequest({ messages });
    if (!parsed.ok) throw new Error(parsed.message);
    expect(conversationOf(parsed.value)).toEqual(messages);
  });
});
