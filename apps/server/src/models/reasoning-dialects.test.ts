import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reasoningOf } from './reasoning-dialects.ts';

describe('reasoningOf', () => {
  it.each([
    ['DeepSeek and llama.cpp', { role: 'assistant', content: null, reasoning_content: 'Hmm,' }],
    ['vLLM, Ollama and LM Studio', { content: '', reasoning: 'Hmm,' }],
    [
      'OpenRouter, which repeats reasoning in its details',
      {
        content: '',
        reasoning: 'Hmm,',
        reasoning_details: [
          { type: 'reasoning.text', text: 'Hmm,', signature: null, format: 'unknown', index: 0 },
        ],
      },
    ],
    [
      'OpenRouter details alone',
      {
        content: '',
        reasoning: null,
        reasoning_details: [{ type: 'reasoning.text', text: 'Hmm,', format: 'unknown', index: 0 }],
      },
    ],
    [
      'OpenRouter summaries',
      { reasoning_details: [{ type: 'reasoning.summary', summary: 'Hmm,' }] },
    ],
    ['a server mirroring both string fields', { reasoning_content: 'Hmm,', reasoning: 'Hmm,' }],
  ])('reads the thinking of %s, once', (_name, delta) => {
    expect(reasoningOf(delta)).toBe('Hmm,');
  });

  it.each([
    ['an answer chunk', { content: 'Hello' }],
    ['null fields', { content: 'Hi', reasoning: null, reasoning_content: null }],
    ['empty fields', { reasoning: '', reasoning_content: '' }],
    ['encrypted details only', { reasoning_details: [{ type: 'reasoning.encrypted', data: 'x' }] }],
    ['details of the wrong shape', { reasoning_details: [null, 3, { type: 'reasoning.text' }] }],
    ['a field of the wrong type', { reasoning: 42, reasoning_content: ['a'] }],
    ['no delta at all', undefined],
    ['a delta that is not an object', 'reasoning'],
  ])('finds none in %s', (_name, delta) => {
    expect(reasoningOf(delta)).toBe('');
  });

  it('keeps every character of the thinking, whatever it holds', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1 }), (text) => {
        expect(reasoningOf({ reasoning_content: text })).toBe(text);
        expect(reasoningOf({ reasoning: text })).toBe(text);
        expect(
          reasoningOf({ reasoning: text, reasoning_details: [{ type: 'reasoning.text', text }] }),
        ).toBe(text);
        expect(reasoningOf({ reasoning_details: [{ type: 'reasoning.text', text }] })).toBe(text);
      }),
    );
  });
});
