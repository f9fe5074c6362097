import type { Highlighter } from '../highlight/types.ts';
import { createMarkdownDocument } from '../markdown-document.ts';

/** Renders Markdown delivered in the given chunks; returns the element that holds it. */
export function renderChunks(chunks: readonly string[], highlighter: Highlighter | null = null) {
  const root = document.createElement('div');
  const markdown = createMarkdownDocument(root, { highlighter });
  for (const chunk of chunks) markdown.append(chunk);
  return root;
}

export function renderHtml(markdown: string, highlighter: Highlighter | null = null): string {
  return renderChunks([markdown], highlighter).innerHTML;
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

/** The markup a code block's frame adds around its `<code>`. */
export function codeBlockHtml(language: string, code: string): string {
  const bar = `<div class="md-code-bar"><span class="md-code-lang">${language || 'text'}</span><button type="button" class="md-copy" data-copy="code" aria-label="Copy code">Copy</button></div>`;
  const attribute = language ? ` class="lang-${language}"` : '';
  return `<div class="md-code">${bar}<pre><code${attribute}>${code}</code></pre></div>`;
}
