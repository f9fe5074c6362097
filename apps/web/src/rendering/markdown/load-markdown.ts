import type { TextSink } from '../renderer.ts';

/** Makes the Markdown sink of one answer's element. */
export type MarkdownFactory = (element: HTMLElement) => TextSink;

let loaded: MarkdownFactory | null = null;
let loading: Promise<MarkdownFactory> | null = null;

/**
 * The Markdown renderer, in a chunk of its own that the page starts fetching as it starts: the
 * page's first JavaScript stays within its budget, and the chunk is there long before a first
 * answer. The highlighter's chunk follows once there is code to colour, in idle time (see
 * markdown-document.ts). Once loaded the factory is returned as is, not as a promise, so that
 * answers built later (a restored thread) render as Markdown at once instead of twice.
 */
export function markdownFactory(): MarkdownFactory | Promise<MarkdownFactory> {
  if (loaded) return loaded;
  loading ??= import('./markdown-document.ts').then((module) => {
    module.warmUp(module.createMarkdownDocument, module.idleCallbacks);
    // Code is coloured in idle time: a fast stream's text is on screen first.
    loaded = (element) =>
      module.createMarkdownDocument(element, {
        loadHighlighter: module.loadHighlighter,
        idle: module.idleCallbacks,
      });
    return loaded;
  });
  return loading;
}
