/*
 * Cuts text the way GPT-style tokenizers roughly do: a word with its leading space, each
 * punctuation mark, runs of newlines. Long words and runs of unspaced script (CJK) are cut into
 * pieces. Lossless: the tokens joined give the text back exactly.
 */
import type { ChatMessage } from '@gpt-stream/protocol';

// Sticky: tested at one position at a time. Every character is one of these, so it never fails.
const TOKEN = /\r\n|\n+|\r|[ \t]?[\p{L}\p{M}\p{N}]+|[ \t]?[^\s\p{L}\p{M}\p{N}]|\s/uy;
const LONGEST_WORD = 10;
const PIECE = 4;

/**
 * The tokens one at a time, as they are asked for: a stream that is waiting for its first token
 * holds its text, not a prepared array of thousands of small strings. An iterator by hand, testing
 * the pattern where the last token ended: no match array and no iterator of matches per token,
 * which thousands of paced streams would make and collect a hundred thousand times a second.
 */
class Tokens implements IterableIterator<string, undefined> {
  readonly #text: string;
  #at = 0;
  /** The rest of a long word, cut into pieces. */
  #pieces: string[] = [];
  #piece = 0;

  constructor(text: string) {
    this.#text = text;
  }

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<string, undefined> {
    if (this.#piece < this.#pieces.length) {
      return { done: false, value: this.#pieces[this.#piece++] as string };
    }
    const text = this.#text;
    const start = this.#at;
    if (start >= text.length) return { done: true, value: undefined };
    TOKEN.lastIndex = start;
    if (!TOKEN.test(text)) throw new Error(`no token at ${start}: the pattern must match anything`);
    const end = TOKEN.lastIndex;
    this.#at = end;
    const token = text.slice(start, end);
    // Code units bound code points from above: most tokens skip the split entirely.
    if (token.length <= LONGEST_WORD) return { done: false, value: token };
    const codePoints = Array.from(token);
    if (codePoints.length <= LONGEST_WORD) return { done: false, value: token };
    const pieces: string[] = [];
    for (let at = 0; at < codePoints.length; at += PIECE) {
      pieces.push(codePoints.slice(at, at + PIECE).join(''));
    }
    this.#pieces = pieces;
    this.#piece = 1;
    return { done: false, value: pieces[0] as string };
  }
}

export function tokensOf(text: string): IterableIterator<string, undefined> {
  return new Tokens(text);
}

export function tokenize(text: string): string[] {
  return Array.from(tokensOf(text));
}

export function countTokens(text: string): number {
  let count = 0;
  for (const _ of tokensOf(text)) count++;
  return count;
}

/** What a model reads of a conversation: every message's text, the earlier turns included. */
export function countConversationTokens(messages: readonly ChatMessage[]): number {
  let count = 0;
  for (const { content } of messages) count += countTokens(content);
  return count;
}
