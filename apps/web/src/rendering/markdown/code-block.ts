import { createButton } from '../button.ts';
import type { Highlighter, LineHighlight } from './highlight/types.ts';

/** Longest language name kept from a fence; longer ones are not a language anyone highlights. */
export const MAX_LANGUAGE_LENGTH = 32;
const LANGUAGE = /^[a-z0-9+#-]+$/;

/**
 * The language a fence's info string names, fit to be a class name and a label: the first word,
 * lower-cased, kept only when it is made of [a-z0-9+#-] and short. Anything else (quotes, angle
 * brackets, `onerror=`) means no language at all rather than a cleaned-up guess.
 */
export function fenceLanguage(info: string): string {
  const word = (info.trim().split(/\s/, 1)[0] ?? '').toLowerCase();
  return word.length <= MAX_LANGUAGE_LENGTH && LANGUAGE.test(word) ? word : '';
}

/**
 * Lines go into groups of this many, full-width inline-blocks with `content-visibility: auto`
 * (as the text mode's blocks): a long block then costs layout only for its last group per frame.
 */
export const LINES_PER_GROUP = 64;

export interface CodeBlock {
  /** The block's outer element: a bar with its language and copy button, then `pre > code`. */
  readonly element: HTMLElement;
  readonly code: HTMLElement;
  /**
   * A finished line: highlighted now if a highlighter is set, later otherwise, once either way.
   * A block made with `onWaiting` always shows the line as plain text first and highlights it
   * when asked to (highlightWaiting), so that the text is on screen before its colours.
   */
  addLine(line: string): void;
  /** Highlights the lines that arrived before the highlighter did, and all after them. */
  setHighlighter(highlighter: Highlighter): void;
  /**
   * Highlights waiting lines, in order, while `more()` says there is time; true when none is
   * left that can be highlighted now (there may be more once a highlighter arrives).
   */
  highlightWaiting(more: () => boolean): boolean;
}

function appendHighlighted(code: Node, highlight: LineHighlight, line: string): void {
  for (const span of highlight(line)) {
    if (span.className === '') {
      code.appendChild(document.createTextNode(span.text));
      continue;
    }
    const element = document.createElement('span');
    element.className = span.className;
    element.textContent = span.text;
    code.appendChild(element);
  }
  code.appendChild(document.createTextNode('\n'));
}

let skeleton: HTMLElement | null = null;

/**
 * A block's elements, unlabelled and empty: the bar with its label and copy button, then
 * `pre > code`. Every block has the same ones, so they are made once and each block is a copy.
 */
function emptyBlock(): HTMLElement {
  if (skeleton?.ownerDocument !== document) {
    skeleton = document.createElement('div');
    skeleton.className = 'md-code';
    const bar = document.createElement('div');
    bar.className = 'md-code-bar';
    const label = document.createElement('span');
    label.className = 'md-code-lang';
    const attributes = { 'data-copy': 'code', 'aria-label': 'Copy code' };
    bar.append(label, createButton('md-copy', 'Copy', attributes));
    const pre = document.createElement('pre');
    pre.appendChild(document.createElement('code'));
    skeleton.append(bar, pre);
  }
  return skeleton.cloneNode(true) as HTMLElement;
}

/**
 * A fenced code block, built line by line. Each finished line is appended and never touched
 * again, but for its highlighting; the line still arriving is the document's business (it shows
 * it as plain text until it ends). The code's text content is always exactly the code:
 * highlighting adds spans, never characters.
 *
 * `onWaiting`, when given, is told whenever the block has plain lines that it could highlight
 * now: its owner then calls highlightWaiting when it has the time (in idle time, in the page).
 * Without it every line is highlighted as it is added, or all at once when the highlighter
 * arrives.
 */
export function createCodeBlock(
  info: string,
  highlighter: Highlighter | null,
  onWaiting?: (block: CodeBlock) => void,
): CodeBlock {
  const language = fenceLanguage(info);
  const element = emptyBlock();
  const label = element.firstChild?.firstChild as HTMLElement;
  const code = element.lastChild?.firstChild as HTMLElement;
  label.textContent = language || 'text';
  if (language) code.className = `lang-${language}`;

  let highlight = language && highlighter ? highlighter.forLanguage(language) : null;
  let group: HTMLElement | null = null;
  let lines = 0;
  const target = (): HTMLElement => {
    if (!group || lines % LINES_PER_GROUP === 0) {
      group = document.createElement('span');
      group.className = 'md-lines';
      code.appendChild(group);
    }
    lines++;
    return group;
  };
  // Plain lines still to be highlighted, each a text node `line\n`, oldest first from `next`.
  let waiting: Text[] = [];
  let next = 0;
  let ready = highlighter !== null || !language;

  /** Replaces one waiting line's plain text with its highlighted spans. */
  function highlightLine(node: Text, lineHighlight: LineHighlight): void {
    const fragment = document.createDocumentFragment();
    appendHighlighted(fragment, lineHighlight, node.data.slice(0, -1));
    node.parentNode?.replaceChild(fragment, node);
  }

  const block: CodeBlock = {
    element,
    code,
    addLine(line) {
      const parent = target();
      if (highlight && !onWaiting) {
        appendHighlighted(parent, highlight, line);
        return;
      }
      const node = document.createTextNode(`${line}\n`);
      parent.appendChild(node);
      if (ready && !highlight) return;
      waiting.push(node);
      if (highlight && waiting.length - next === 1) onWaiting?.(block);
    },
    setHighlighter(nextHighlighter) {
      if (ready) return;
      ready = true;
      highlight = nextHighlighter.forLanguage(language);
      if (!highlight) waiting = [];
      else if (onWaiting) {
        if (waiting.length > next) onWaiting(block);
      } else block.highlightWaiting(() => true);
    },
    highlightWaiting(more) {
      if (!highlight) return true;
      while (next < waiting.length && more()) {
        highlightLine(waiting[next] as Text, highlight);
        next++;
      }
      if (next < waiting.length) return false;
      waiting = [];
      next = 0;
      return true;
    },
  };
  return block;
}
