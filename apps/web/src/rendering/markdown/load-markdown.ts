import type { TextSink } from '../renderer.ts';
import { loadHighlighter } from './highlight/load-highlighter.ts';

/** Makes the Markdown sink of one answer's element. */
export type MarkdownFactory = (element: HTMLElement) => TextSink;

let loaded: MarkdownFactory | null = null;
let loading: Promise<MarkdownFactory> | null = null;

/**
 * The Markdown renderer, in a chunk of its own that the page starts fetching as it starts, and
 * the highlighter's after it: the page's first JavaScript stays within its budget, and both
 * chunks are there long before a first answer. Once loaded it is returned as is, not as a promise, so that answers built later (a
 * restored thread) render as Markdown at once instead of twice.
 */
export function markdownFactory(): MarkdownFactory | Promise<MarkdownFactory> {
  if (loaded) return loaded;
  loading ??= import('./markdown-document.ts').then((module) => {
    // Code is coloured in idle time: a fast stream's text is on screen first.
    loaded = (element) =>
      module.createMarkdownDocument(element, { loadHighlighter, idle: module.idleCallbacks });
    // The highlighter follows in the background: had it waited for the first code block, a
    // fast stream's first lines of code would all be highlighted in one go when it arrived.
    loadHighlighter().catch((error: unknown) => console.warn('Code stays unhighlighted:', error));
    return loaded;
  });
  return loading;
}
