import { LINES_PER_GROUP } from '../code-block.ts';
import type { Highlighter } from '../highlight/types.ts';
import { createMarkdownDocument } from '../markdown-document.ts';

/** Renders Markdown delivered in the given chunks; returns the element that holds it. */
export function renderChunks(chunks: readonly string[], highlighter: Highlighter | null = null) {
  const root = document.createElement('div');
  const markdown = createMarkdownDocument(root, { highlighter });
  for (const chunk of chunks) markdown.append(chunk);
  return root;
}

/** The rendered blocks' markup, without the parts that group them for layout. */
export function renderHtml(markdown: string, highlighter: Highlighter | null = null): string {
  const root = renderChunks([markdown], highlighter);
  return [...root.children].map((part) => part.innerHTML).join('');
}

/** The text cut at the given offsets (any order, repeats allowed). */
export function splitAt(text: string, offsets: readonly number[]): string[] {
  const cuts = [...new Set(offsets.map((offset) => offset % (text.length + 1)))].sort(
    (a, b) => a - b,
  );
  const chunks: string[] = [];
  let start = 0;
  for (const cut of cuts) {
    chunks.push(text.slice(start, cut));
    start = cut;
  }
  chunks.push(text.slice(start));
  return chunks;
}

/** A code block's markup: finished lines (each ending in a newline) and the open one. */
export function codeBlockHtml(language: string, lines: string, open = ''): string {
  const groups: string[] = [];
  const each = lines.split('\n').slice(0, -1);
  for (let i = 0; i < each.length; i += LINES_PER_GROUP) {
    const group = each.slice(i, i + LINES_PER_GROUP).map((line) => `${line}\n`);
    groups.push(`<span class="md-lines">${group.join('')}</span>`);
  }
  const code = groups.join('') + open;
  const bar = `<div class="md-code-bar"><span class="md-code-lang">${language || 'text'}</span><button type="button" class="md-copy" data-copy="code" aria-label="Copy code">Copy</button></div>`;
  const attribute = language ? ` class="lang-${language}"` : '';
  return `<div class="md-code">${bar}<pre><code${attribute}>${code}</code></pre></div>`;
}
