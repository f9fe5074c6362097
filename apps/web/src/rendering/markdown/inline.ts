import { safeHref } from './safe-url.ts';

/**
 * Inline Markdown of one line, as a small tree that appendInline turns into DOM nodes. A link's
 * href is already checked; a null href is a link whose URL has not fully arrived yet.
 */
export type Inline =
  | string
  | { tag: 'code'; text: string }
  | { tag: 'em' | 'strong' | 'del'; children: Inline[] }
  | { tag: 'a'; href: string | null; image: boolean; children: Inline[] };

interface Delimiter {
  char: string;
  count: number;
  length: number;
  canOpen: boolean;
  canClose: boolean;
}

type Item = Inline | Delimiter;

const isDelimiter = (item: Item): item is Delimiter => typeof item === 'object' && 'char' in item;

const PUNCTUATION = /[\p{P}\p{S}]/u;
const SPACE = /\s/;
const WORD = /[\p{L}\p{N}]/u;
// Characters where something may start; everything between two of them is copied as one run.
const SPECIAL = /[\\`*_~[!<&]|https?:\/\//gi;
/** The same, without the state of a global pattern: whether a line has any such character. */
const ANY_SPECIAL = new RegExp(SPECIAL.source, 'i');
const ESCAPE_OR_ENTITY =
  /\\([!-/:-@[-`{-~])|&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]{1,31}));/g;
const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]{1,31}));/y;
const AUTOLINK = /<([a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)>/y;
const BARE_URL = /https?:\/\/[^\s<>]+/iy;
const URL_TRAILER = /[?!.,:;*_~'"]$/;
/** Bounds on how far a `[` looks for its `]` and URL, so that a line of brackets stays linear. */
const MAX_LABEL = 1000;
const MAX_DESTINATION = 2048;

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

function entity(decimal?: string, hex?: string, name?: string): string | null {
  if (name !== undefined) return NAMED_ENTITIES[name] ?? null;
  const code =
    decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex ?? '', 16);
  const valid = code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
  return valid ? String.fromCodePoint(code) : '\ufffd';
}

/** Backslash escapes and entities decoded, as in text: what a link's URL really says. */
export function decodeText(text: string): string {
  return text.replace(
    ESCAPE_OR_ENTITY,
    (match, escaped?: string, decimal?: string, hex?: string, name?: string) =>
      escaped ?? entity(decimal, hex, name) ?? match,
  );
}

function trimCode(code: string): string {
  return code.length > 1 && code.startsWith(' ') && code.endsWith(' ') && code.trim() !== ''
    ? code.slice(1, -1)
    : code;
}

/** Remaining delimiters become their literal characters; neighbouring strings join. */
function toInline(items: Item[]): Inline[] {
  const out: Inline[] = [];
  for (const item of items) {
    const node = isDelimiter(item) ? item.char.repeat(item.count) : item;
    if (node === '') continue;
    const last = out.length - 1;
    if (typeof node === 'string' && typeof out[last] === 'string') out[last] += node;
    else out.push(node);
  }
  return out;
}

function emphasis(char: string, use: number, children: Inline[]): Inline {
  if (char === '~') return { tag: 'del', children };
  if (use >= 3) return { tag: 'em', children: [{ tag: 'strong', children }] };
  return { tag: use === 2 ? 'strong' : 'em', children };
}

/**
 * CommonMark's delimiter matching (flanking and the rule of three), closer by closer. On an open
 * line, openers that found no closer close at the end, so that `**bold` being typed shows bold
 * instead of flashing asterisks; a finished line keeps them as text.
 */
function resolveEmphasis(items: Item[], open: boolean): void {
  for (let c = 0; c < items.length; c++) {
    const closer = items[c];
    if (closer === undefined || !isDelimiter(closer) || !closer.canClose || closer.count === 0) {
      continue;
    }
    let o = c - 1;
    for (; o >= 0; o--) {
      const opener = items[o];
      if (opener === undefined || !isDelimiter(opener)) continue;
      if (opener.char !== closer.char || !opener.canOpen || opener.count === 0) continue;
      const both = opener.canClose || closer.canOpen;
      const three = (opener.length + closer.length) % 3 === 0;
      if (both && three && !(opener.length % 3 === 0 && closer.length % 3 === 0)) continue;
      break;
    }
    const opener = items[o];
    if (opener === undefined || !isDelimiter(opener)) continue;
    const use = closer.char === '~' ? 2 : Math.min(2, opener.count, closer.count);
    opener.count -= use;
    closer.count -= use;
    const inner = items.splice(o + 1, c - o - 1);
    items.splice(o + 1, 0, emphasis(closer.char, use, toInline(inner)));
    // Back to the closer itself: what is left of it may close an earlier opener.
    c = o + 1;
  }
  if (!open) return;
  for (let o = items.length - 1; o >= 0; o--) {
    const opener = items[o];
    if (opener === undefined || !isDelimiter(opener) || !opener.canOpen || opener.count === 0) {
      continue;
    }
    const use = Math.min(3, opener.count);
    opener.count -= use;
    items.push(emphasis(opener.char, use, toInline(items.splice(o + 1))));
  }
}

/**
 * Parses one line of inline Markdown. `open` says the line is still arriving: an unclosed code
 * span or emphasis then shows as if closed, and a link whose URL is cut off shows its text
 * without an href, while a finished line treats all of these as literal text. Raw HTML is never
 * recognised: `<` is a character like any other, except in `<https://…>` autolinks.
 */
export function parseInline(source: string, open = false, links = true): Inline[] {
  const items: Item[] = [];
  let text = '';
  const push = (node: Item): void => {
    if (text !== '') items.push(text);
    text = '';
    items.push(node);
  };

  function codeSpan(at: number): number {
    let run = 1;
    while (source[at + run] === '`') run++;
    const fence = '`'.repeat(run);
    let from = at + run;
    for (;;) {
      const end = source.indexOf(fence, from);
      if (end === -1) break;
      let after = end + run;
      if (source[after] !== '`') {
        push({ tag: 'code', text: trimCode(source.slice(at + run, end)) });
        return after;
      }
      while (source[after] === '`') after++;
      from = after;
    }
    if (open) {
      push({ tag: 'code', text: source.slice(at + run) });
      return source.length;
    }
    text += fence;
    return at + run;
  }

  function delimiter(at: number): number {
    const char = source[at] ?? '';
    let run = 1;
    while (source[at + run] === char) run++;
    const before = source[at - 1] ?? ' ';
    const after = source[at + run] ?? ' ';
    const spaceBefore = SPACE.test(before);
    const spaceAfter = SPACE.test(after);
    const punctuationBefore = PUNCTUATION.test(before);
    const punctuationAfter = PUNCTUATION.test(after);
    const left = !spaceAfter && (!punctuationAfter || spaceBefore || punctuationBefore);
    const right = !spaceBefore && (!punctuationBefore || spaceAfter || punctuationAfter);
    if (char === '~' && run !== 2) {
      text += char.repeat(run);
      return at + run;
    }
    // An underscore inside a word (snake_case) never opens or closes emphasis.
    const underscore = char === '_';
    push({
      char,
      count: run,
      length: run,
      canOpen: left && (!underscore || !right || punctuationBefore),
      canClose: right && (!underscore || !left || punctuationAfter),
    });
    return at + run;
  }

  /** `[label](url "title")` or `![alt](url)`; returns `at` when it is not one. */
  function link(at: number): number {
    const image = source[at] === '!';
    const start = at + (image ? 2 : 1);
    const limit = Math.min(source.length, start + MAX_LABEL);
    let depth = 0;
    let close = start;
    for (; close < limit; close++) {
      const char = source[close];
      if (char === '\\') close++;
      else if (char === '[') depth++;
      else if (char === ']' && depth-- === 0) break;
    }
    if (source[close] !== ']' || source[close + 1] !== '(') return at;
    const label = source.slice(start, close);
    let k = close + 2;
    while (source[k] === ' ') k++;
    let destination: string;
    if (source[k] === '<') {
      const end = source.indexOf('>', k + 1);
      destination = source.slice(k + 1, end === -1 ? source.length : end);
      k = end === -1 ? source.length : end + 1;
    } else {
      const from = k;
      let parens = 0;
      for (; k < source.length && k - from < MAX_DESTINATION; k++) {
        const char = source[k];
        if (char === '\\') k++;
        else if (char === ' ' || char === '\t') break;
        else if (char === '(') parens++;
        else if (char === ')' && parens-- === 0) break;
      }
      destination = source.slice(from, k);
    }
    while (source[k] === ' ') k++;
    const quote = source[k];
    if (quote === '"' || quote === "'" || quote === '(') {
      const end = quote === '(' ? ')' : quote;
      k++;
      while (k < source.length && source[k] !== end) k += source[k] === '\\' ? 2 : 1;
      k++;
      while (source[k] === ' ') k++;
    }
    const children = image ? [decodeText(label)] : parseInline(label, false, false);
    if (source[k] !== ')') {
      if (!open || k < source.length) return at;
      push({ tag: 'a', href: null, image, children });
      return source.length;
    }
    const href = safeHref(decodeText(destination));
    if (href !== null) {
      push({ tag: 'a', href, image, children: image && label === '' ? [href] : children });
    } else {
      // A refused URL leaves its text, and nothing to click.
      for (const child of children) push(child);
    }
    return k + 1;
  }

  function autolink(at: number): number {
    AUTOLINK.lastIndex = at;
    const match = AUTOLINK.exec(source);
    const body = match?.[1];
    if (match === null || body === undefined) return at;
    const href = safeHref(body.includes(':') ? body : `mailto:${body}`);
    if (href === null) return at;
    push({ tag: 'a', href, image: false, children: [body] });
    return at + match[0].length;
  }

  function bareUrl(at: number): number {
    if (WORD.test(source[at - 1] ?? '')) return at;
    BARE_URL.lastIndex = at;
    let url = BARE_URL.exec(source)?.[0] ?? '';
    // Still arriving: the URL may go on in the next chunk.
    if (open && at + url.length === source.length) return at;
    for (;;) {
      if (URL_TRAILER.test(url)) url = url.slice(0, -1);
      else if (url.endsWith(')') && url.split('(').length < url.split(')').length) {
        url = url.slice(0, -1);
      } else break;
    }
    const href = safeHref(url);
    if (href === null || url.length <= 8) return at;
    push({ tag: 'a', href, image: false, children: [url] });
    return at + url.length;
  }

  function special(at: number): number {
    const char = source[at];
    const next = source[at + 1] ?? '';
    if (char === '\\' && /[!-/:-@[-`{-~]/.test(next)) {
      text += next;
      return at + 2;
    }
    if (char === '`') return codeSpan(at);
    if (char === '*' || char === '_' || char === '~') return delimiter(at);
    if (links && (char === '[' || (char === '!' && next === '['))) return link(at);
    if (char === '<') return autolink(at);
    if (char === '&') {
      ENTITY.lastIndex = at;
      const match = ENTITY.exec(source);
      const decoded = match && entity(match[1], match[2], match[3]);
      if (match && decoded !== null) {
        text += decoded;
        return at + match[0].length;
      }
      return at;
    }
    return links ? bareUrl(at) : at;
  }

  let i = 0;
  while (i < source.length) {
    SPECIAL.lastIndex = i;
    const found = SPECIAL.exec(source);
    const at = found ? found.index : source.length;
    text += source.slice(i, at);
    if (at === source.length) break;
    const next = special(at);
    if (next === at) {
      text += source[at];
      i = at + 1;
    } else {
      i = next;
    }
  }
  if (text !== '') items.push(text);
  resolveEmphasis(items, open);
  return toInline(items);
}

/** Builds DOM nodes with createElement and Text only: nothing here is ever parsed as HTML. */
export function appendInline(parent: Node, nodes: readonly Inline[]): void {
  for (const node of nodes) {
    if (typeof node === 'string') {
      parent.appendChild(document.createTextNode(node));
      continue;
    }
    const element = document.createElement(node.tag);
    if (node.tag === 'code') {
      element.textContent = node.text;
    } else {
      if (node.tag === 'a') {
        if (node.href === null) element.className = 'md-pending';
        else {
          element.setAttribute('href', node.href);
          element.setAttribute('rel', 'noopener noreferrer');
          element.setAttribute('target', '_blank');
          if (node.image) element.className = 'md-image';
        }
      }
      appendInline(element, node.children);
    }
    parent.appendChild(element);
  }
}

/**
 * Appends one line's inline Markdown. Most lines have no character where anything could start:
 * they are one Text node, as parsing would find, without parsing them.
 */
export function appendLine(parent: Node, source: string, open: boolean): void {
  if (ANY_SPECIAL.test(source)) appendInline(parent, parseInline(source, open));
  else if (source !== '') parent.appendChild(document.createTextNode(source));
}
