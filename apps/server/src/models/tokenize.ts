/*
 * Cuts text the way GPT-style tokenizers roughly do: a word with its leading space, each
 * punctuation mark, runs of newlines. Long words and runs of unspaced script (CJK) are cut into
 * pieces. Lossless: the tokens joined give the text back exactly.
 */
const TOKEN = /\r\n|\n+|\r|[ \t]?[\p{L}\p{M}\p{N}]+|[ \t]?[^\s\p{L}\p{M}\p{N}]|\s/gu;
const LONGEST_WORD = 10;
const PIECE = 4;

/**
 * The tokens one at a time, as they are asked for: a stream that is waiting for its first token
 * holds its text, not a prepared array of thousands of small strings.
 */
export function* tokensOf(text: string): Generator<string, void, undefined> {
  for (const [token] of text.matchAll(TOKEN)) {
    // Code units bound code points from above: most tokens skip the split entirely.
    if (token.length <= LONGEST_WORD) {
      yield token;
      continue;
    }
    const codePoints = Array.from(token);
    if (codePoints.length <= LONGEST_WORD) {
      yield token;
      continue;
    }
    for (let start = 0; start < codePoints.length; start += PIECE) {
      yield codePoints.slice(start, start + PIECE).join('');
    }
  }
}

export function tokenize(text: string): string[] {
  return Array.from(tokensOf(text));
}

export function countTokens(text: string): number {
  let count = 0;
  for (const _ of tokensOf(text)) count++;
  return count;
}
