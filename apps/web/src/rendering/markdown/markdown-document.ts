import { type CodeBlock, createCodeBlock } from './code-block.ts';
import type { Highlighter } from './highlight/types.ts';
import { createIdleHighlighting, type IdleScheduler } from './idle-highlighting.ts';

/**
 * What load-markdown.ts hands every document it makes, carried in this chunk rather than the
 * page's first script: the page's idle scheduler, and the loader of the highlighter's chunk,
 * which only Markdown needs.
 */
export { loadHighlighter } from './highlight/load-highlighter.ts';
export { idleCallbacks } from './idle-highlighting.ts';
export { warmUp } from './warm-up.ts';

import { appendLine } from './inline.ts';

/*
 * Why a parser of our own, and not a library: the popular Markdown libraries (marked,
 * markdown-it, micromark) parse a whole document; fed a stream they must be re-run on the whole
 * answer, or on its last block, for every chunk, and a long code block or table makes that
 * quadratic. marked alone is also 15 KB gzipped, most of the page's budget. The one streaming
 * parser on npm, streaming-markdown (0.2.x, MIT, 3.5 KB gzipped, no dependencies), is linear but
 * commits to each character as it comes and can never take a decision back: `[1]` becomes an
 * empty link, snake_case becomes emphasis, its default renderer sets any href and src it reads
 * (javascript: links, images fetched), and it ignores table alignment.
 *
 * So: GFM's block structure is decided line by line, the way CommonMark's own algorithm does it
 * (a stack of open containers, each line matched against it, then one leaf). A finished line is
 * parsed once and its DOM appended; nothing before it is read or rebuilt again. The one line
 * still arriving is rendered provisionally on top, and taken back (its nodes removed, the parse
 * state restored from a copy) before the next chunk goes in, so each chunk costs its own length
 * plus that of the line it ends in. Inline Markdown is per line (soft line breaks show as line
 * breaks, as in chat), which keeps every line independent of the lines after it.
 *
 * Deliberately left out, because each would let later text change earlier output: setext
 * headings (`---` under text is a rule), indented code blocks (fenced code only), reference
 * links, raw HTML (shown as text), and a table header that is not the last line of its paragraph.
 */

type Container =
  | { kind: 'quote'; element: HTMLElement }
  | { kind: 'list'; element: HTMLElement; marker: string }
  | { kind: 'item'; element: HTMLElement; indent: number };

type Leaf =
  | {
      kind: 'paragraph';
      element: HTMLElement;
      lineStart: ChildNode | null;
      header: string[] | null;
    }
  | { kind: 'table'; body: HTMLElement; row: HTMLElement }
  | { kind: 'fence'; block: CodeBlock; char: string; length: number; indent: number };

/**
 * How every block marker (quote, item, heading, fence, rule) starts, at most three spaces in: a
 * line that does not is text or a table row, as most lines are, and skips the markers' patterns.
 */
const BLOCK_START = /^ {0,3}[-+*_#>`~\d]/;
const QUOTE = /^ {0,3}> ?/;
const LIST_ITEM = /^( {0,3})([-+*]|(\d{1,9})[.)])([ \t]+|$)/;
const TASK = /^\[([ xX])\](?:[ \t]+|$)/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const CLOSING_FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const DELIMITER_CELL = /^:?-+:?$/;
/** What the start of a delimiter row looks like while it arrives: hidden until it is whole. */
const PARTIAL_DELIMITER = /^ {0,3}\|?[ \t]*:?-[-:| \t]*$/;

const isBlank = (line: string): boolean => line.trim() === '';
const isItem = (container: Container): boolean => container.kind === 'item';

/** Columns of leading whitespace, a tab reaching the next multiple of four. */
function indentOf(line: string): number {
  let column = 0;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (char === ' ') column++;
    else if (char === '\t') column += 4 - (column % 4);
    else break;
  }
  return column;
}

/** The line with `columns` columns of indentation taken off; a tab cut in two leaves spaces. */
function dropColumns(line: string, columns: number): string {
  if (columns === 0) return line;
  let column = 0;
  let i = 0;
  while (i < line.length && column < columns) {
    const char = line[i];
    if (char === ' ') column++;
    else if (char === '\t') column += 4 - (column % 4);
    else break;
    i++;
  }
  return ' '.repeat(Math.max(0, column - columns)) + line.slice(i);
}

/** A table row's cells: outer pipes dropped, split on every pipe that is not escaped. */
export function splitRow(line: string): string[] {
  let row = line.trim();
  if (row.startsWith('|')) row = row.slice(1);
  if (row.endsWith('|') && !row.endsWith('\\|')) row = row.slice(0, -1);
  const cells = row.includes('\\') ? row.split(/(?<!\\)\|/) : row.split('|');
  return cells.map((cell) => cell.trim());
}

function alignOf(cell: string): string {
  if (cell.startsWith(':')) return cell.endsWith(':') ? 'center' : 'left';
  return cell.endsWith(':') ? 'right' : '';
}

interface ListItem {
  marker: string;
  start: number | null;
  indent: number;
  content: string;
}

/** The line listItem last read, and its answer: an item's line is asked about three times. */
let lastLine = '';
let lastItem: ListItem | null = null;

function listItem(line: string): ListItem | null {
  if (line !== lastLine) {
    lastLine = line;
    lastItem = readListItem(line);
  }
  return lastItem;
}

function readListItem(line: string): ListItem | null {
  if (RULE.test(line)) return null;
  const match = LIST_ITEM.exec(line);
  if (!match) return null;
  const [whole, spaces = '', marker = '', number, gap = ''] = match;
  const width = spaces.length + marker.length;
  const content = line.slice(whole.length);
  // Content that starts five or more columns in keeps all but one of them.
  const wide = indentOf(gap) > 4;
  return {
    marker: number === undefined ? marker : marker.slice(-1),
    start: number === undefined ? null : Number(number),
    indent: content === '' || wide ? width + 1 : width + indentOf(gap),
    content: wide ? line.slice(width + 1) : content,
  };
}

/**
 * Top-level blocks go into parts of this many, which styles.css gives `content-visibility: auto`
 * once they are finished: layout then skips the parts out of view, and each frame lays out only
 * the last one and those in view. Without parts, following the bottom (which reads the output's
 * height) lays out every block of the answer once per frame, and a long answer becomes quadratic
 * (measured: over 4x its arrival time at 100,000 tokens, tasks over a second). A part in view is
 * laid out whole, so parts are small: with 8 blocks, frames of a fast stream stay shorter than
 * with 32 (docs/performance.md), and 4 gained nothing more.
 */
export const BLOCKS_PER_PART = 8;

export interface MarkdownDocumentOptions {
  /** A highlighter already loaded; code blocks use it from their first line. */
  highlighter?: Highlighter | null;
  /** Loads one, asked for once, by the first code block. */
  loadHighlighter?: () => Promise<Highlighter>;
  /**
   * When set, code lines are shown plain as they end and highlighted in idle time
   * (idle-highlighting.ts); otherwise each is highlighted as it ends.
   */
  idle?: IdleScheduler;
}

export interface MarkdownDocument {
  /** Adds streamed text: finished lines are rendered for good, the last one provisionally. */
  append(text: string): void;
  /** Empties the element and forgets everything, for a new answer. */
  replaceChildren(): void;
}

/**
 * Renders streamed Markdown into `root`, incrementally. It has the shape of the renderer's
 * TextSink, so the renderer's per-frame batching and the scroll follower wrap it unchanged.
 */
export function createMarkdownDocument(
  root: HTMLElement,
  options: MarkdownDocumentOptions = {},
): MarkdownDocument {
  let highlighter = options.highlighter ?? null;
  let asked = false;
  let generation = 0;
  let waiting: CodeBlock[] = [];
  const later = options.idle ? createIdleHighlighting(options.idle) : null;
  const onWaiting = later ? (block: CodeBlock) => later.add(block) : undefined;

  let stack: Container[] = [];
  let leaf: Leaf | null = null;
  /** The line still arriving. */
  let buffer = '';
  /** What rendering that line provisionally changed, to be taken back. */
  let tail: {
    stack: Container[];
    leaf: Leaf | null;
    part: HTMLElement | null;
    nodes: ChildNode[];
  } | null = null;
  let part: HTMLElement | null = null;

  function add(parent: Node, child: ChildNode): void {
    parent.appendChild(child);
    tail?.nodes.push(child);
  }

  function make(tag: string): HTMLElement {
    return document.createElement(tag);
  }

  function parentElement(): HTMLElement {
    const top = stack[stack.length - 1];
    if (top) return top.element;
    if (!part || part.childNodes.length >= BLOCKS_PER_PART) {
      part = make('div');
      part.className = 'md-part';
      add(root, part);
    }
    return part;
  }

  /** A line's inline Markdown, appended to an element already in place. */
  function inline(parent: HTMLElement, text: string, open: boolean): void {
    const last = parent.lastChild;
    appendLine(parent, text, open);
    // The open line's nodes are taken back before the next chunk goes in; a finished line's stay.
    if (!tail) return;
    for (let node = last ? last.nextSibling : parent.firstChild; node; node = node.nextSibling) {
      tail.nodes.push(node);
    }
  }

  function askForHighlighter(): void {
    const load = options.loadHighlighter;
    if (asked || highlighter || !load) return;
    asked = true;
    const mine = generation;
    const start = () =>
      load().then(
        (loaded) => {
          highlighter = loaded;
          if (mine !== generation) return;
          for (const block of waiting) block.setHighlighter(loaded);
          waiting = [];
        },
        (error: unknown) => console.warn('Code stays unhighlighted:', error),
      );
    // Starting the highlighter's chunk is a long task of its own (Prism and its grammars): in
    // idle time, once a fast stream has slowed down, like the colouring it is for.
    if (later) later.whenQuiet(start);
    else start();
  }

  /** Whether a line ends a paragraph that has lost its container; any item does in a list. */
  function startsBlock(line: string, inList: boolean): boolean {
    if (!BLOCK_START.test(line)) return false;
    if (QUOTE.test(line) || HEADING.test(line) || RULE.test(line)) return true;
    const fence = FENCE.exec(line);
    if (fence && !(fence[2]?.startsWith('`') && fence[3]?.includes('`'))) return true;
    const item = listItem(line);
    if (item === null) return false;
    return inList || (item.content.trim() !== '' && (item.start ?? 1) === 1);
  }

  /** A row of empty cells, aligned: the header's, or the one each body row is a copy of. */
  function emptyRow(tag: string, aligns: string[]): HTMLElement {
    const tr = make('tr');
    for (const align of aligns) {
      const cell = tr.appendChild(make(tag));
      if (align) cell.className = `md-align-${align}`;
    }
    return tr;
  }

  function fillRow(tr: HTMLElement, cells: string[], open: boolean): HTMLElement {
    let i = 0;
    for (let cell = tr.firstChild; cell; cell = cell.nextSibling) {
      appendLine(cell, cells[i++] ?? '', open);
    }
    return tr;
  }

  /** The paragraph's last line was a table header after all: it moves into a new table. */
  function startTable(
    paragraph: Extract<Leaf, { kind: 'paragraph' }>,
    header: string[],
    line: string,
  ) {
    const { element, lineStart } = paragraph;
    if (lineStart === null) element.remove();
    else while (element.lastChild !== lineStart) element.lastChild?.remove();
    const aligns = splitRow(line).map(alignOf);
    const wrapper = make('div');
    wrapper.className = 'md-table';
    const table = make('table');
    const head = make('thead');
    const body = make('tbody');
    head.appendChild(fillRow(emptyRow('th', aligns), header, false));
    table.append(head, body);
    wrapper.appendChild(table);
    add(parentElement(), wrapper);
    leaf = { kind: 'table', body, row: emptyRow('td', aligns) };
  }

  function paragraphLine(line: string, open: boolean): void {
    const text = line.replace(/^[ \t]+/, '');
    const header = text.includes('|') ? splitRow(text) : null;
    const paragraph = leaf?.kind === 'paragraph' ? leaf : null;
    if (!paragraph) {
      // Filled before it goes in: one insertion into the page rather than one per node.
      const element = make('p');
      appendLine(element, text, open);
      add(parentElement(), element);
      leaf = { kind: 'paragraph', element, lineStart: null, header };
      return;
    }
    const { element } = paragraph;
    paragraph.lineStart = element.lastChild;
    if (element.lastChild) add(element, make('br'));
    inline(element, text, open);
    paragraph.header = header;
  }

  function openItem(item: ListItem): string {
    leaf = null;
    let top = stack[stack.length - 1];
    if (top?.kind === 'list' && top.marker !== item.marker) {
      stack.pop();
      top = undefined;
    }
    if (top?.kind !== 'list') {
      const element = make(item.start === null ? 'ul' : 'ol');
      if (item.start !== null && item.start !== 1)
        element.setAttribute('start', String(item.start));
      add(parentElement(), element);
      top = { kind: 'list', element, marker: item.marker };
      stack.push(top);
    }
    const li = make('li');
    add(top.element, li);
    stack.push({ kind: 'item', element: li, indent: item.indent });
    const task = TASK.exec(item.content);
    if (!task) return item.content;
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.disabled = true;
    // The attribute, not the property: it is what a copy of the answer and its markup show.
    if (task[1] !== ' ') box.setAttribute('checked', '');
    li.className = 'md-task';
    add(li, box);
    return item.content.slice(task[0].length);
  }

  function line(raw: string, open: boolean): void {
    let rest = raw;
    let matched = 0;
    for (; matched < stack.length; matched++) {
      const container = stack[matched] as Container;
      if (container.kind === 'quote') {
        const quote = QUOTE.exec(rest);
        if (!quote) break;
        rest = rest.slice(quote[0].length);
      } else if (container.kind === 'item') {
        if (indentOf(rest) >= container.indent) rest = dropColumns(rest, container.indent);
        else if (isBlank(rest)) rest = '';
        else break;
      }
    }
    const all = matched === stack.length;

    if (leaf?.kind === 'fence') {
      if (all) {
        const closing = CLOSING_FENCE.exec(rest)?.[1];
        if (closing?.startsWith(leaf.char) && closing.length >= leaf.length) leaf = null;
        else {
          const code = dropColumns(rest, leaf.indent);
          if (open) add(leaf.block.code, document.createTextNode(code));
          else leaf.block.addLine(code);
        }
        return;
      }
      leaf = null;
    }
    // A lazy continuation line: the paragraph goes on even where `>` or the indent is missing.
    const lazy = !all && leaf?.kind === 'paragraph' && !isBlank(rest);
    if (lazy && !startsBlock(rest, stack.slice(matched).some(isItem))) {
      paragraphLine(rest, open);
      return;
    }
    if (!all) {
      stack.length = matched;
      leaf = null;
      const top = stack[stack.length - 1];
      // A list whose item just ended stays open only for the next item of the same kind.
      if (top?.kind === 'list' && listItem(rest)?.marker !== top.marker) stack.pop();
    }

    for (;;) {
      if (!BLOCK_START.test(rest)) break;
      const quote = QUOTE.exec(rest);
      if (quote) {
        leaf = null;
        const element = make('blockquote');
        add(parentElement(), element);
        stack.push({ kind: 'quote', element });
        rest = rest.slice(quote[0].length);
        continue;
      }
      const item = listItem(rest);
      // Inside a paragraph only a non-empty `-`, `*`, `+` or `1.` item starts a list.
      const interrupts = item && item.content.trim() !== '' && (item.start ?? 1) === 1;
      if (item && (leaf?.kind !== 'paragraph' || interrupts)) {
        rest = openItem(item);
        continue;
      }
      break;
    }

    if (isBlank(rest)) {
      leaf = null;
      return;
    }
    if (leaf?.kind === 'table') {
      if (rest.includes('|')) {
        const tr = leaf.row.cloneNode(true) as HTMLElement;
        add(leaf.body, fillRow(tr, splitRow(rest), open));
        return;
      }
      leaf = null;
    }
    const marked = BLOCK_START.test(rest);
    const heading = marked ? HEADING.exec(rest) : null;
    if (heading) {
      leaf = null;
      const element = make(`h${heading[1]?.length}`);
      appendLine(element, heading[2] ?? '', open);
      add(parentElement(), element);
      return;
    }
    const fence = marked ? FENCE.exec(rest) : null;
    const [, indent = '', marker = '', info = ''] = fence ?? [];
    if (fence && !(marker.startsWith('`') && info.includes('`'))) {
      const block = createCodeBlock(info, highlighter, onWaiting);
      add(parentElement(), block.element);
      leaf = {
        kind: 'fence',
        block,
        char: marker.charAt(0),
        length: marker.length,
        indent: indent.length,
      };
      if (!open && !highlighter) {
        waiting.push(block);
        askForHighlighter();
      }
      return;
    }
    if (marked && RULE.test(rest)) {
      leaf = null;
      add(parentElement(), make('hr'));
      return;
    }
    const header = leaf?.kind === 'paragraph' ? leaf.header : null;
    if (leaf?.kind === 'paragraph' && header) {
      const cells = splitRow(rest);
      const delimiter =
        rest.includes('|') &&
        cells.length === header.length &&
        cells.every((cell) => DELIMITER_CELL.test(cell));
      if (delimiter && !open) {
        startTable(leaf, header, rest);
        return;
      }
      if (open && (delimiter || PARTIAL_DELIMITER.test(rest))) return;
    }
    paragraphLine(rest, open);
  }

  function takeBackTail(): void {
    if (!tail) return;
    for (let i = tail.nodes.length - 1; i >= 0; i--) tail.nodes[i]?.remove();
    stack = tail.stack;
    leaf = tail.leaf;
    part = tail.part;
    tail = null;
  }

  return {
    append(text) {
      later?.wrote(text.length);
      takeBackTail();
      buffer += text;
      let start = 0;
      for (let end = buffer.indexOf('\n'); end !== -1; end = buffer.indexOf('\n', start)) {
        const finished = buffer.slice(start, end);
        line(finished.endsWith('\r') ? finished.slice(0, -1) : finished, false);
        start = end + 1;
      }
      buffer = buffer.slice(start);
      const open = buffer.endsWith('\r') ? buffer.slice(0, -1) : buffer;
      if (open === '') return;
      tail = { stack: stack.slice(), leaf: leaf && { ...leaf }, part, nodes: [] };
      line(open, true);
    },
    replaceChildren() {
      generation++;
      asked = false;
      waiting = [];
      later?.clear();
      stack = [];
      leaf = null;
      buffer = '';
      tail = null;
      part = null;
      root.replaceChildren();
    },
  };
}
