import { describe, expect, it } from 'vitest';
import { MAX_TOKENS_LIMIT, parseChatRequest } from './chat-request.ts';

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
