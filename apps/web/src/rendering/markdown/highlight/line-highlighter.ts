import type { LineHighlight, Span } from './types.ts';

/** One top-level token of a tokenizer: its type (null for plain text), text and styled pieces. */
export interface TokenRun {
  type: string | null;
  text: string;
  spans: Span[];
}

/** A stateless tokenizer for one language: all it knows is the text it is given. */
export type Tokenize = (code: string) => TokenRun[];

/** A construct that may go on over several lines: a block comment, a template literal, … */
export interface MultiLine {
  open: string;
  close: string;
  /** Token types the tokenizer gives the whole construct. */
  types: readonly string[];
}

function cut(runs: readonly TokenRun[], front: number, back: number): Span[] {
  const spans = runs.flatMap((run) => run.spans);
  let drop = front;
  while (drop > 0 && spans.length > 0) {
    const first = spans[0] as Span;
    if (first.text.length > drop) {
      spans[0] = { text: first.text.slice(drop), className: first.className };
      break;
    }
    drop -= first.text.length;
    spans.shift();
  }
  drop = back;
  while (drop > 0 && spans.length > 0) {
    const last = spans[spans.length - 1] as Span;
    if (last.text.length > drop) {
      spans[spans.length - 1] = { text: last.text.slice(0, -drop), className: last.className };
      break;
    }
    drop -= last.text.length;
    spans.pop();
  }
  return spans.filter((span) => span.text !== '');
}

/**
 * Highlights a block line by line, each line once, with a stateless tokenizer. The state between
 * two lines is whether the first ended inside a multi-line construct. A line that starts inside
 * one is tokenized with the construct's opener put in front (then cut off again), so the
 * tokenizer sees a comment continued, not code. Whether a line ends inside one is asked of the
 * tokenizer too: with the closer put at the end, the last token is the construct, starting with
 * its opener. Only constructs whose opener is on the line (or that is carried in) are tried, so
 * most lines cost a single tokenize call, and none ever depends on the length of the block.
 */
export function createLineHighlighter(
  tokenize: Tokenize,
  constructs: readonly MultiLine[],
): LineHighlight {
  let carry: MultiLine | null = null;
  return (line) => {
    const prefix = carry?.open ?? '';
    for (const construct of constructs) {
      if (construct !== carry && !line.includes(construct.open)) continue;
      const runs = tokenize(prefix + line + construct.close);
      const last = runs[runs.length - 1];
      const inside =
        last !== undefined &&
        last.type !== null &&
        construct.types.includes(last.type) &&
        last.text.startsWith(construct.open) &&
        last.text.length >= construct.open.length + construct.close.length;
      if (inside) {
        carry = construct;
        return cut(runs, prefix.length, construct.close.length);
      }
    }
    carry = null;
    return cut(tokenize(prefix + line), prefix.length, 0);
  };
}
