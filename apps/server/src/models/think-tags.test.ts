import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type SplitContent,
  THINK_TAG_MODES,
  type ThinkTagMode,
  ThinkTagSplitter,
} from './think-tags.ts';

/** The whole content through one splitter, cut into the given chunks, joined back per part. */
function split(mode: ThinkTagMode, chunks: readonly string[]): SplitContent & { order: string[] } {
  const splitter = new ThinkTagSplitter(mode);
  const out = { reasoning: '', answer: '', order: [] as string[] };
  const take = ({ reasoning, answer }: SplitContent) => {
    if (reasoning !== '') out.order.push('reasoning');
    if (answer !== '') out.order.push('answer');
    out.reasoning += reasoning;
    out.answer += answer;
  };
  for (const chunk of chunks) take(splitter.push(chunk));
  take(splitter.end());
  return out;
}

/** What the splitter must produce, from the whole text at once. */
function reference(mode: ThinkTagMode, text: string): SplitContent {
  if (mode === 'off') return { reasoning: '', answer: text };
  const opening = /^\s*<think>/.exec(text);
  if (mode === 'split' && !opening) return { reasoning: '', answer: text };
  const rest = opening ? text.slice(opening[0].length) : text;
  const close = rest.indexOf('</think>');
  if (close === -1) return { reasoning: rest.trim(), answer: '' };
  return {
    reasoning: rest.slice(0, close).trim(),
    answer: rest.slice(close + '</think>'.length).trimStart(),
  };
}

/** Cuts `text` at the given positions (any order, repeats allowed). */
function cutAt(text: string, positions: readonly number[]): string[] {
  const cuts = [...new Set(positions.map((at) => at % (text.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let from = 0;
  for (const at of cuts) {
    chunks.push(text.slice(from, at));
    from = at;
  }
  chunks.push(text.slice(from));
  return chunks;
}

const QWEN =
  '<think>\nThe user says hi. I should greet them back.\n</think>\n\nHello! How can I help?';

describe('ThinkTagSplitter', () => {
  it('splits a leading think block from the answer, dropping the whitespace that frames it', () => {
    expect(split('split', [QWEN])).toMatchObject({
      reasoning: 'The user says hi. I should greet them back.',
      answer: 'Hello! How can I help?',
      order: ['reasoning', 'answer'],
    });
  });

  it('splits the same way wherever the tags are cut, down to one character per chunk', () => {
    for (let at = 0; at <= QWEN.length; at++) {
      for (const chunks of [[QWEN.slice(0, at), QWEN.slice(at)], Array.from(QWEN)]) {
        expect(split('split', chunks)).toMatchObject(reference('split', QWEN));
      }
    }
  });

  it('passes thinking on as it comes, holding back only what may be the closing tag', () => {
    const splitter = new ThinkTagSplitter('split');
    expect(splitter.push('<thi')).toEqual({ reasoning: '', answer: '' });
    expect(splitter.push('nk>Let me')).toEqual({ reasoning: 'Let me', answer: '' });
    expect(splitter.push(' think </')).toEqual({ reasoning: ' think', answer: '' });
    expect(splitter.push('b> here')).toEqual({ reasoning: ' </b> here', answer: '' });
    expect(splitter.push('.</think')).toEqual({ reasoning: '.', answer: '' });
    expect(splitter.push('>\n\nYes')).toEqual({ reasoning: '', answer: 'Yes' });
    expect(splitter.push('\n\n <think>')).toEqual({ reasoning: '', answer: '\n\n <think>' });
    expect(splitter.end()).toEqual({ reasoning: '', answer: '' });
  });

  it.each([
    ['plain text', 'Hello there.'],
    ['leading whitespace and a BOM', '\uFEFF \n\tHello'],
    ['a lookalike tag', '<thinking>not a tag</thinking>'],
    ['a tag later on', 'Use <think> tags like this: <think>x</think>'],
    ['a stray closing tag', 'Thoughts</think>Answer'],
    ['the start of a tag that never finishes', '  <thi'],
    ['nothing at all', ''],
  ])('leaves an answer with no leading block exactly as it is: %s', (_name, text) => {
    for (const chunks of [[text], Array.from(text)]) {
      expect(split('split', chunks)).toMatchObject({ reasoning: '', answer: text });
    }
  });

  it('takes an unclosed block as thinking to the end', () => {
    expect(split('split', ['<think>\nStill going', ' when cut off </thi'])).toMatchObject({
      reasoning: 'Still going when cut off </thi',
      answer: '',
    });
  });

  it('takes everything up to a closing tag as thinking when the opening tag is missing (open)', () => {
    const text = 'Okay, so the user wants a haiku.\n</think>\n\nAutumn moonlight';
    expect(split('open', Array.from(text))).toMatchObject({
      reasoning: 'Okay, so the user wants a haiku.',
      answer: 'Autumn moonlight',
      order: expect.arrayContaining(['reasoning', 'answer']),
    });
    expect(split('open', [QWEN])).toMatchObject(reference('split', QWEN));
  });

  it('passes content through untouched when splitting is off', () => {
    expect(split('off', Array.from(QWEN))).toMatchObject({ reasoning: '', answer: QWEN });
  });

  it('agrees with the whole-text reference for any content cut anywhere, in every mode', () => {
    const fragment = fc.constantFrom(
      '<think>',
      '</think>',
      '<',
      '</',
      '<th',
      'think>',
      '>',
      ' ',
      '\n',
      '\r\n',
      '\t',
      'word',
      ' Let me think.',
      'é',
      '😀',
      '思考',
    );
    const content = fc.array(fragment, { maxLength: 24 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        fc.constantFrom(...THINK_TAG_MODES),
        content,
        fc.array(fc.nat(), { maxLength: 12 }),
        (mode, text, positions) => {
          const result = split(mode, cutAt(text, positions));
          expect({ reasoning: result.reasoning, answer: result.answer }).toEqual(
            reference(mode, text),
          );
          // Thinking always comes first: nothing of it after the answer has begun.
          const firstAnswer = result.order.indexOf('answer');
          if (firstAnswer !== -1)
            expect(result.order.slice(firstAnswer)).not.toContain('reasoning');
        },
      ),
      { numRuns: 3000 },
    );
  });
});
