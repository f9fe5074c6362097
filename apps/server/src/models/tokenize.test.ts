import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countTokens, tokenize } from './tokenize.ts';

describe('tokenize', () => {
  it('cuts words with their leading space, punctuation and newline runs', () => {
    expect(tokenize('Hello, world!\n\nNext line.')).toEqual([
      'Hello',
      ',',
      ' world',
      '!',
      '\n\n',
      'Next',
      ' line',
      '.',
    ]);
  });

  it('cuts long words and unspaced scripts into pieces', () => {
    expect(tokenize(' internationalisation')).toEqual([
      ' int',
      'erna',
      'tion',
      'alis',
      'atio',
      'n',
    ]);
    expect(tokenize('你好世界你好世界你好世界')).toEqual(['你好世界', '你好世界', '你好世界']);
  });

  it('never splits a code point', () => {
    const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    expect(tokenize('😀😀😀😀😀😀😀😀😀😀😀').some((token) => loneSurrogate.test(token))).toBe(
      false,
    );
  });

  it('returns nothing for nothing', () => {
    expect(tokenize('')).toEqual([]);
  });

  it('loses nothing: the tokens join back into the text, for any text', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })),
        (text) => {
          const tokens = tokenize(text);
          expect(tokens.join('')).toBe(text);
          expect(tokens.every((token) => token.length > 0)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('counts the tokens it would cut', () => {
    expect(countTokens('Hello, world!\n\nNext line.')).toBe(8);
    expect(countTokens(' internationalisation')).toBe(6);
    expect(countTokens('')).toBe(0);
  });
});
