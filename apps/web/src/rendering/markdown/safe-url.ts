/** The only schemes a link from model output may have; everything else renders as text. */
export const ALLOWED_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:', 'mailto:']);

/**
 * The href to give a link from model output, or null when it must not be a link. The check is
 * the browser's own URL parser, not a pattern: it already strips the tabs, newlines, leading
 * control characters and spaces that hide `java\tscript:`, and lower-cases the scheme. Relative
 * URLs fail to parse without a base and are refused too: an answer has no business pointing into
 * this site. The href returned is the parser's serialisation, so the string the page sets is
 * exactly the one that was checked.
 */
export function safeHref(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  return ALLOWED_PROTOCOLS.has(url.protocol) ? url.href : null;
}
