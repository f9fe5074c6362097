import { describe, expect, it } from 'vitest';
import { tokenize } from '../../../apps/server/src/models/tokenize.ts';
import { answerFor, realisticPrompt } from './workload.ts';

describe('realisticPrompt', () => {
  it('echoes back as exactly the asked number of tokens', () => {
    for (const count of [1, 50, 2000]) expect(tokenize(realisticPrompt(count))).toHaveLength(count);
  });
});

describe('answerFor', () => {
  it('cuts at maxTokens and says so, like the built-in models', () => {
    const full = answerFor({ prompt: 'a b c', model: 'echo' });
    expect(full).toEqual({ tokens: ['a', ' b', ' c'], finishReason: 'stop' });
    expect(answerFor({ prompt: 'a b c', model: 'echo', maxTokens: 2 })).toEqual({
      tokens: ['a', ' b'],
      finishReason: 'length',
    });
  });
});
