/**
 * A long answer in mixed Markdown, the way models write it: headings, paragraphs with inline
 * Markdown and links, nested and task lists, tables, block quotes, rules, and code blocks of
 * which every fifth is long. `counts` says what the page must end up showing, so a run can
 * check that the rendering is complete.
 */
export interface MarkdownAnswer {
  text: string;
  counts: { headings: number; codeBlocks: number; tables: number; listItems: number };
}

const CODE_LINE = [
  'export function handle(event: StreamEvent, state: State): State {',
  '  /* a comment that says why,',
  '     over two lines */',
  '  const next = { ...state, seen: state.seen + 1 }; // one more',
  '  if (event.type === "delta") return { ...next, text: next.text + event.data.text };',
  '  return next;',
  '}',
];

function section(index: number): { text: string; items: number } {
  const codeLines = index % 5 === 4 ? 140 : 14;
  const code = Array.from({ length: codeLines }, (_, line) => CODE_LINE[line % CODE_LINE.length]);
  const rows = Array.from(
    { length: 6 },
    (_, row) => `| step ${row + 1} of ${index} | ${row * index} ms | **ok** |`,
  );
  const text = [
    `## Section ${index}: rendering a stream`,
    '',
    `The renderer takes each **finished line** once, and shows the *open one* as it grows; see the [notes](https://example.com/notes/${index}) or \`renderer.ts\` for ~~more~~ the details.`,
    '',
    '- parse the line against the open containers',
    '- append its DOM, then never touch it again',
    '  - nested: the open line is taken back',
    '  - [x] split invariance holds',
    '1. first ordered step',
    '2. second ordered step',
    '',
    '| step | time | result |',
    '|:-----|-----:|:------:|',
    ...rows,
    '',
    '```ts',
    ...code,
    '```',
    '',
    '> A quoted remark, with `code` and a link to https://example.com/quote.',
    '',
    '---',
    '',
  ].join('\n');
  return { text, items: 6 };
}

/** About `tokens` tokens as the server's tokenizer cuts them (a word, a mark, a line end). */
export function markdownAnswer(tokens: number): MarkdownAnswer {
  const parts: string[] = [];
  const counts = { headings: 0, codeBlocks: 0, tables: 0, listItems: 0 };
  let estimate = 0;
  for (let index = 0; estimate < tokens; index++) {
    const { text, items } = section(index);
    parts.push(text);
    // Words and marks are a token each; runs of spaces and line ends are one.
    estimate +=
      text.match(/\r\n|\n+|[ \t]?[\p{L}\p{M}\p{N}]+|[ \t]?[^\s\p{L}\p{M}\p{N}]|\s/gu)?.length ?? 0;
    counts.headings++;
    counts.codeBlocks++;
    counts.tables++;
    counts.listItems += items;
  }
  return { text: parts.join('\n'), counts };
}
