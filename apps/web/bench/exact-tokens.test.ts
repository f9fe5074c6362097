import { describe, expect, it } from 'vitest';
import { textOfTokens } from './exact-tokens.ts';

/** apps/server/src/models/tokenize.ts's pattern, for words of at most ten letters. */
const TOKEN = /\r\n|\n+|\r|[ \t]?[\p{L}\p{M}\p{N}]+|[ \t]?[^\s\p{L}\p{M}\p{N}]|\s/gu;

describe('textOfTokens', () => {
  it.each([1, 11, 12, 48, 49, 50, 1000, 10_000])('is exactly %i tokens long', (count) => {
    expect(textOfTokens(count).match(TOKEN)).toHaveLength(count);
  });

  it('reads like paragraphs of sentences', () => {
    expect(textOfTokens(50)).toMatch(/^ stream token .*model\.\n\n token$/s);
  });
});
