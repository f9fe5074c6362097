/**
 * Text of exactly `count` tokens as the server's tokenizer cuts it (apps/server tokenize.ts): a
 * word of at most ten letters with its leading space, a full stop, a run of newlines. So the
 * benchmark knows the token count, and the exact text the page must end up showing.
 */
const WORDS = [
  'stream',
  'token',
  'server',
  'event',
  'render',
  'frame',
  'browser',
  'network',
  'reader',
  'answer',
  'model',
  'layout',
];

export function textOfTokens(count: number): string {
  const tokens: string[] = [];
  for (let index = 0; tokens.length < count; index++) {
    const position = index % 49;
    // 4 sentences of 11 words and a full stop, then a paragraph break: 49 tokens.
    if (position === 48) tokens.push('\n\n');
    else if (position % 12 === 11) tokens.push('.');
    else tokens.push(` ${WORDS[index % WORDS.length]}`);
  }
  return tokens.join('');
}
