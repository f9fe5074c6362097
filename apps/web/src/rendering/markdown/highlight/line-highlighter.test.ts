import { describe, expect, it } from 'vitest';
import { createLineHighlighter, type TokenRun } from './line-highlighter.ts';
import { prismHighlighter } from './prism-highlighter.ts';
import type { Span } from './types.ts';

function highlightLines(language: string, lines: readonly string[]): Span[][] {
  const highlight = prismHighlighter.forLanguage(language);
  if (!highlight) throw new Error(`no grammar for ${language}`);
  return lines.map((line) => highlight(line));
}

/** The classes each character of a line got, as `text:class` pieces. */
const classesOf = (spans: Span[]) =>
  spans
    .filter((span) => span.text.trim() !== '')
    .map((span) => `${span.text.trim()}:${span.className}`);

describe('line by line', () => {
  it('keeps every line exactly, highlighting adds no characters', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: JavaScript source, not a template.
    const lines = ['const a = `x ${y}', '  z` + 1; /* c', 'd */ let s = "/*";', '\ttab'];
    for (const [i, spans] of highlightLines('ts', lines).entries()) {
      expect(spans.map((span) => span.text).join('')).toBe(lines[i]);
    }
  });

  it('carries a block comment over the lines it spans', () => {
    const [first, middle, last, after] = highlightLines('js', [
      'let a = 1; /* starts',
      'still a comment',
      'ends */ let b = 2;',
      'let c = 3;',
    ]);
    expect(classesOf(first ?? [])).toContain('/* starts:token comment');
    expect(classesOf(middle ?? [])).toEqual(['still a comment:token comment']);
    expect(classesOf(last ?? [])[0]).toBe('ends */:token comment');
    expect(classesOf(last ?? [])).toContain('let:token keyword');
    expect(classesOf(after ?? [])[0]).toBe('let:token keyword');
  });

  it('carries a Python triple-quoted string and a template literal', () => {
    const python = highlightLines('python', ['s = """one', 'two', 'three"""', 'x = 1']);
    expect(classesOf(python[1] ?? [])).toEqual(['two:token triple-quoted-string string']);
    expect(classesOf(python[3] ?? [])).not.toContainEqual(expect.stringContaining('string'));
    const js = highlightLines('js', ['const s = `one', 'two', 'three`;', 'return s;']);
    expect(classesOf(js[1] ?? [])).toEqual(['two:token string']);
    expect(classesOf(js[3] ?? [])[0]).toBe('return:token keyword');
  });

  it('does not mistake an opener inside a line comment or a string for a block', () => {
    const [comment, next] = highlightLines('js', ['// see /* here', 'let x = 1;']);
    expect(classesOf(comment ?? [])).toEqual(['// see /* here:token comment']);
    expect(classesOf(next ?? [])[0]).toBe('let:token keyword');
    const [string, after] = highlightLines('js', ['const s = "/*";', 'let y;']);
    expect(classesOf(string ?? [])).toContain('"/*":token string');
    expect(classesOf(after ?? [])[0]).toBe('let:token keyword');
  });

  it('carries an HTML comment', () => {
    const html = highlightLines('html', ['<p>a</p> <!-- open', '<b>not a tag</b>', '--> <i>x</i>']);
    expect(classesOf(html[1] ?? [])).toEqual(['<b>not a tag</b>:token comment']);
    expect(classesOf(html[2] ?? [])[0]).toBe('-->:token comment');
  });

  it('tokenizes a line once unless it holds an opener, whatever came before', () => {
    const calls: string[] = [];
    const tokenize = (code: string): TokenRun[] => {
      calls.push(code);
      return [{ type: null, text: code, spans: [{ text: code, className: '' }] }];
    };
    const highlight = createLineHighlighter(tokenize, [
      { open: '/*', close: '*/', types: ['comment'] },
    ]);
    for (let i = 0; i < 100; i++) highlight(`line ${i}`);
    expect(calls).toHaveLength(100);
    expect(calls.every((code, i) => code === `line ${i}`)).toBe(true);
    highlight('a /* b');
    expect(calls.slice(100)).toEqual(['a /* b*/', 'a /* b']);
  });

  it('has no grammar for an unknown language', () => {
    expect(prismHighlighter.forLanguage('klingon')).toBeNull();
  });
});
