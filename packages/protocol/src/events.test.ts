import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeStreamEvent,
  isStreamEventType,
  isTerminalEvent,
  streamEventDataSchemas,
} from './events.ts';

describe('decodeStreamEvent', () => {
  it.each([
    ['start', '{"streamId":"s1","model":"mock"}', { streamId: 's1', model: 'mock' }],
    ['delta', '{"text":"Hello"}', { text: 'Hello' }],
    ['reasoning', '{"text":"Let me think."}', { text: 'Let me think.' }],
    [
      'done',
      '{"finishReason":"stop","usage":{"promptTokens":3,"completionTokens":9,"reasoningTokens":6}}',
      { finishReason: 'stop', usage: { promptTokens: 3, completionTokens: 9, reasoningTokens: 6 } },
    ],
    [
      'done',
      '{"finishReason":"length","usage":{"promptTokens":3,"completionTokens":9}}',
      { finishReason: 'length', usage: { promptTokens: 3, completionTokens: 9 } },
    ],
    [
      'done',
      '{"finishReason":"content_filter","usage":{"promptTokens":3,"completionTokens":1}}',
      { finishReason: 'content_filter', usage: { promptTokens: 3, completionTokens: 1 } },
    ],
    [
      'error',
      '{"code":"model_failed","message":"The model stopped.","retryable":true}',
      { code: 'model_failed', message: 'The model stopped.', retryable: true },
    ],
  ])('decodes a %s event', (type, data, expected) => {
    expect(decodeStreamEvent(type, data)).toEqual({ ok: true, event: { type, data: expected } });
  });

  it('keeps working when a newer server adds fields', () => {
    expect(decodeStreamEvent('delta', '{"text":"a","logprob":-0.1}')).toEqual({
      ok: true,
      event: { type: 'delta', data: { text: 'a' } },
    });
  });

  it('accepts error codes it does not know, so their message still reaches the reader', () => {
    const result = decodeStreamEvent(
      'error',
      '{"code":"new_code","message":"m","retryable":false}',
    );
    expect(result.ok).toBe(true);
  });

  it.each([
    ['an unknown type', 'message', '{"text":"a"}', 'unknown event type "message"'],
    ['a prototype key as type', 'constructor', '{}', 'unknown event type "constructor"'],
    ['data that is not JSON', 'delta', 'Hello', '"delta" event data is not JSON'],
    ['empty data', 'delta', '', '"delta" event data is not JSON'],
    ['the wrong shape', 'delta', '{"text":42}', '"delta" event data has the wrong shape'],
    ['reasoning without text', 'reasoning', '{}', '"reasoning" event data has the wrong shape'],
    [
      'negative reasoning tokens',
      'done',
      '{"finishReason":"stop","usage":{"promptTokens":1,"completionTokens":1,"reasoningTokens":-1}}',
      '"done" event data has the wrong shape',
    ],
    ['an unknown finish reason', 'done', '{"finishReason":"x","usage":{}}', 'wrong shape'],
    ['JSON null', 'start', 'null', '"start" event data has the wrong shape'],
  ])('reports %s without throwing', (_name, type, data, reason) => {
    const result = decodeStreamEvent(type, data);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });
});

describe('isStreamEventType', () => {
  it('knows every event type, and nothing from the prototype', () => {
    for (const type of ['start', 'reasoning', 'delta', 'done', 'error']) {
      expect(isStreamEventType(type)).toBe(true);
    }
    for (const type of ['message', 'toString', '__proto__', '']) {
      expect(isStreamEventType(type)).toBe(false);
    }
  });
});

describe('isTerminalEvent', () => {
  it('is true for done and error only', () => {
    const usage = { promptTokens: 0, completionTokens: 0 };
    expect(isTerminalEvent({ type: 'done', data: { finishReason: 'stop', usage } })).toBe(true);
    expect(
      isTerminalEvent({ type: 'error', data: { code: 'x', message: 'y', retryable: false } }),
    ).toBe(true);
    expect(isTerminalEvent({ type: 'delta', data: { text: '' } })).toBe(false);
    expect(isTerminalEvent({ type: 'reasoning', data: { text: '' } })).toBe(false);
    expect(isTerminalEvent({ type: 'start', data: { streamId: 's', model: 'm' } })).toBe(false);
  });
});

describe.each(['delta', 'reasoning'] as const)('decodeStreamEvent for %s', (type) => {
  it(`agrees with the ${type} schema on any JSON document`, () => {
    const documents = fc.oneof(
      fc.jsonValue(),
      fc.record({ text: fc.jsonValue() }, { requiredKeys: [] }),
      fc.record({ text: fc.string(), extra: fc.jsonValue() }),
    );
    fc.assert(
      fc.property(documents, (document) => {
        const schema = streamEventDataSchemas[type].safeParse(document);
        const decoded = decodeStreamEvent(type, JSON.stringify(document));
        expect(decoded).toEqual(
          schema.success
            ? { ok: true, event: { type, data: schema.data } }
            : { ok: false, reason: `"${type}" event data has the wrong shape` },
        );
      }),
      { numRuns: 2000 },
    );
  });
});
