/** The links and headings of a Markdown file, as far as checking its relative links needs. */

export interface RelativeLink {
  /** The path part, relative to the file; empty for a link within the file (`#anchor`). */
  path: string;
  /** The anchor without its `#`, when the link names one. */
  anchor?: string;
  /** 1-based, for a failure message. */
  line: number;
}

const FENCE = /^\s*(```|~~~)/;
const INLINE_CODE = /`+[^`]*`+/g;
/** `[text](target)` and `![alt](target)`, with an optional title after the target. */
const LINK = /!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
/** A URL with a scheme (`https:`, `mailto:`): not a file of the repository. */
const ABSOLUTE = /^[a-z][a-z0-9+.-]*:/i;
const HEADING = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/;

/** Each line with whether it sits inside a fenced code block, where nothing is a link. */
function proseLines(markdown: string): { text: string; line: number }[] {
  const lines: { text: string; line: number }[] = [];
  let fenced = false;
  markdown.split('\n').forEach((text, index) => {
    if (FENCE.test(text)) fenced = !fenced;
    else if (!fenced) lines.push({ text, line: index + 1 });
  });
  return lines;
}

export function relativeLinks(markdown: string): RelativeLink[] {
  const links: RelativeLink[] = [];
  for (const { text, line } of proseLines(markdown)) {
    for (const match of text.replace(INLINE_CODE, '').matchAll(LINK)) {
      const target = match[1] as string;
      if (ABSOLUTE.test(target)) continue;
      const hash = target.indexOf('#');
      const path = decodeURI(hash < 0 ? target : target.slice(0, hash));
      links.push(hash < 0 ? { path, line } : { path, anchor: target.slice(hash + 1), line });
    }
  }
  return links;
}

/** GitHub's anchor of a heading: its text, lower-cased, without punctuation, spaces as `-`. */
export function anchorOf(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of every heading, a repeated one suffixed `-1`, `-2`, … as GitHub does. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    const heading = HEADING.exec(text)?.[1];
    if (heading === undefined) continue;
    const anchor = anchorOf(heading);
    const count = seen.get(anchor) ?? 0;
    seen.set(anchor, count + 1);
    anchors.add(count === 0 ? anchor : `${anchor}-${count}`);
  }
  return anchors;
}
