// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { createCodeBlock, fenceLanguage } from './code-block.ts';
import { codeText } from './copy-actions.ts';
import type { Highlighter } from './highlight/types.ts';

/** Marks every line it highlights, and counts them. */
function countingHighlighter() {
  const seen: string[] = [];
  const highlighter: Highlighter = {
    forLanguage: (language) =>
      language === 'js'
        ? (line) => {
            seen.push(line);
            return [{ text: line, className: 'token x' }];
          }
        : null,
  };
  return { highlighter, seen };
}

describe('fenceLanguage', () => {
  it.each([
    ['js', 'js'],
    ['Python {.numberLines}', 'python'],
    ['  c++  ', 'c++'],
    ['objective-c', 'objective-c'],
    ['C#', 'c#'],
    ['', ''],
    ['"><img>', ''],
    ['js"onload', ''],
    ['x'.repeat(33), ''],
  ])('%j names %j', (info, language) => {
    expect(fenceLanguage(info)).toBe(language);
  });
});

describe('createCodeBlock', () => {
  it('highlights each finished line once, as it arrives', () => {
    const { highlighter, seen } = countingHighlighter();
    const block = createCodeBlock('js', highlighter);
    block.addLine('a');
    block.addLine('b');
    expect(seen).toEqual(['a', 'b']);
    expect(block.code.innerHTML).toBe(
      '<span class="md-lines"><span class="token x">a</span>\n<span class="token x">b</span>\n</span>',
    );
    expect(codeText(block.code)).toBe('a\nb');
  });

  it('highlights the lines that came before the highlighter once it arrives, and none twice', () => {
    const { highlighter, seen } = countingHighlighter();
    const block = createCodeBlock('js', null);
    block.addLine('a');
    expect(block.code.innerHTML).toBe('<span class="md-lines">a\n</span>');
    block.setHighlighter(highlighter);
    block.addLine('b');
    block.setHighlighter(highlighter);
    expect(seen).toEqual(['a', 'b']);
    expect(block.code.innerHTML).toBe(
      '<span class="md-lines"><span class="token x">a</span>\n<span class="token x">b</span>\n</span>',
    );
  });

  it('copies the code exactly: blank lines, indentation and tabs, without the last line end', () => {
    const block = createCodeBlock('', null);
    for (const line of ['\tif (x) {', '', '    y();  ', '}']) block.addLine(line);
    expect(codeText(block.code)).toBe('\tif (x) {\n\n    y();  \n}');
  });

  it('with onWaiting, shows each line plain at once and highlights it when asked, in order, once', () => {
    const { highlighter, seen } = countingHighlighter();
    const told: unknown[] = [];
    const block = createCodeBlock('js', highlighter, (waiting) => told.push(waiting));
    block.addLine('a');
    block.addLine('b');
    block.addLine('c');
    expect(block.code.innerHTML).toBe('<span class="md-lines">a\nb\nc\n</span>');
    expect(seen).toEqual([]);
    expect(told).toEqual([block]);
    let budget = 2;
    expect(block.highlightWaiting(() => budget-- > 0)).toBe(false);
    expect(seen).toEqual(['a', 'b']);
    expect(block.code.innerHTML).toBe(
      '<span class="md-lines"><span class="token x">a</span>\n<span class="token x">b</span>\nc\n</span>',
    );
    expect(block.highlightWaiting(() => true)).toBe(true);
    block.addLine('d');
    // Told again only once the block had caught up.
    expect(told).toEqual([block, block]);
    expect(block.highlightWaiting(() => true)).toBe(true);
    expect(seen).toEqual(['a', 'b', 'c', 'd']);
    expect(block.code.innerHTML).toBe(
      createCodeBlockHtml(
        ['a', 'b', 'c', 'd'].map((line) => `<span class="token x">${line}</span>\n`),
      ),
    );
    expect(codeText(block.code)).toBe('a\nb\nc\nd');
  });

  it('with onWaiting, tells of the lines that came before the highlighter once it arrives', () => {
    const { highlighter, seen } = countingHighlighter();
    const told: unknown[] = [];
    const block = createCodeBlock('js', null, (waiting) => told.push(waiting));
    block.addLine('a');
    expect(told).toEqual([]);
    block.setHighlighter(highlighter);
    expect(told).toEqual([block]);
    expect(seen).toEqual([]);
    expect(block.highlightWaiting(() => true)).toBe(true);
    expect(seen).toEqual(['a']);
  });

  it('with onWaiting, has nothing to highlight in a language without a grammar', () => {
    const { highlighter } = countingHighlighter();
    const told: unknown[] = [];
    const block = createCodeBlock('klingon', highlighter, (waiting) => told.push(waiting));
    block.addLine('a');
    expect(told).toEqual([]);
    expect(block.highlightWaiting(() => true)).toBe(true);
    expect(block.code.innerHTML).toBe('<span class="md-lines">a\n</span>');
  });
});

const createCodeBlockHtml = (lines: string[]) => `<span class="md-lines">${lines.join('')}</span>`;
