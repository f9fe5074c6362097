// The lazy chunk: Prism and its grammars arrive with the first code block, never on page load.
import './prism-manual.ts';
import Prism from 'prismjs';
import 'prismjs/components/prism-typescript.js';
import 'prismjs/components/prism-python.js';
import 'prismjs/components/prism-json.js';
import 'prismjs/components/prism-bash.js';
import 'prismjs/components/prism-go.js';
import 'prismjs/components/prism-rust.js';
import 'prismjs/components/prism-sql.js';
import 'prismjs/components/prism-yaml.js';
import 'prismjs/components/prism-c.js';
import 'prismjs/components/prism-cpp.js';
import 'prismjs/components/prism-java.js';
import 'prismjs/components/prism-diff.js';
import { createLineHighlighter, type MultiLine, type TokenRun } from './line-highlighter.ts';
import type { Highlighter, Span } from './types.ts';

/** The names a fence may use for each grammar. */
const ALIASES: Record<string, string> = {
  js: 'javascript',
  javascript: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  ts: 'typescript',
  typescript: 'typescript',
  tsx: 'typescript',
  py: 'python',
  python: 'python',
  json: 'json',
  jsonc: 'json',
  bash: 'bash',
  sh: 'bash',
  shell: 'bash',
  zsh: 'bash',
  console: 'bash',
  html: 'markup',
  xml: 'markup',
  svg: 'markup',
  markup: 'markup',
  css: 'css',
  go: 'go',
  golang: 'go',
  rust: 'rust',
  rs: 'rust',
  sql: 'sql',
  yaml: 'yaml',
  yml: 'yaml',
  c: 'c',
  h: 'c',
  cpp: 'cpp',
  'c++': 'cpp',
  cc: 'cpp',
  hpp: 'cpp',
  java: 'java',
  diff: 'diff',
  patch: 'diff',
};

const BLOCK_COMMENT: MultiLine = { open: '/*', close: '*/', types: ['comment'] };

/** What each grammar may carry from one line to the next. */
const MULTI_LINE: Record<string, readonly MultiLine[]> = {
  javascript: [BLOCK_COMMENT, { open: '`', close: '`', types: ['template-string'] }],
  typescript: [BLOCK_COMMENT, { open: '`', close: '`', types: ['template-string'] }],
  python: [
    { open: '"""', close: '"""', types: ['triple-quoted-string'] },
    { open: "'''", close: "'''", types: ['triple-quoted-string'] },
  ],
  markup: [{ open: '<!--', close: '-->', types: ['comment'] }],
  css: [BLOCK_COMMENT],
  go: [BLOCK_COMMENT, { open: '`', close: '`', types: ['string'] }],
  rust: [BLOCK_COMMENT],
  sql: [BLOCK_COMMENT],
  c: [BLOCK_COMMENT],
  cpp: [BLOCK_COMMENT],
  java: [BLOCK_COMMENT],
};

function className(token: Prism.Token): string {
  const aliases = Array.isArray(token.alias) ? token.alias : token.alias ? [token.alias] : [];
  return ['token', token.type, ...aliases].join(' ');
}

function spansOf(stream: Prism.TokenStream, classes: string, out: Span[]): Span[] {
  if (typeof stream === 'string') out.push({ text: stream, className: classes });
  else if (Array.isArray(stream)) for (const part of stream) spansOf(part, classes, out);
  else spansOf(stream.content, className(stream), out);
  return out;
}

function toRuns(tokens: Array<string | Prism.Token>): TokenRun[] {
  return tokens.map((token) => {
    const spans = spansOf(token, '', []);
    return {
      type: typeof token === 'string' ? null : token.type,
      text: spans.map((span) => span.text).join(''),
      spans,
    };
  });
}

export const prismHighlighter: Highlighter = {
  forLanguage(language) {
    const name = ALIASES[language];
    const grammar = name === undefined ? undefined : Prism.languages[name];
    if (name === undefined || grammar === undefined) return null;
    return createLineHighlighter(
      (code) => toRuns(Prism.tokenize(code, grammar)),
      MULTI_LINE[name] ?? [],
    );
  },
};
