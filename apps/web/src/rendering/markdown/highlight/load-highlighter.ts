import type { Highlighter } from './types.ts';

let loading: Promise<Highlighter> | null = null;

/**
 * The highlighter, fetched on first use: a dynamic import keeps Prism and its grammars out of the
 * page's initial JavaScript, and one promise serves every code block after it.
 */
export function loadHighlighter(): Promise<Highlighter> {
  loading ??= import('./prism-highlighter.ts').then((module) => module.prismHighlighter);
  return loading;
}
