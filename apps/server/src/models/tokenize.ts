/*
 * Cuts text the way GPT-style tokenizers roughly do: a word with its leading space, each
 * punctuation mark, runs of newlines. Long words and runs of unspaced script (CJK) are cut into
 * pieces. Lossless: the tokens joined give the text back exactly.
 */
const TOKEN = /\r\n|\n+|\r|[ \t]?[\p{L}\p{M}\p{N}]+|[ \t]?[^\s\p{L}\p{M}\p{N}]|\s/gu;
const LONGEST_WORD = 10;
const PIECE = 4;

export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const [token] of text.matchAll(TOKEN)) {
    const codePoints = Array.from(token);
    if (codePoints.length <= LONGEST_WORD) {
      tokens.push(token);
      continue;
    }
    for (let start = 0; start < codePoints.length; start += PIECE) {
      tokens.push(codePoints.slice(start, start + PIECE).join(''));
    }
  }
  return tokens;
}
