/** A piece of a highlighted line: its text, and the classes to style it with ('' for none). */
export interface Span {
  text: string;
  className: string;
}

/** Highlights one code block's lines, in order, each exactly once. */
export type LineHighlight = (line: string) => Span[];

export interface Highlighter {
  /** A fresh line highlighter for a block in this language, or null for a language it lacks. */
  forLanguage(language: string): LineHighlight | null;
}
