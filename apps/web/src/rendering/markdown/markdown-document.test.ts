// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { LINES_PER_GROUP } from './code-block.ts';
import type { Highlighter } from './highlight/types.ts';
import { FAST_CHARS, QUIET_MS } from './idle-highlighting.ts';
import { BLOCKS_PER_PART, createMarkdownDocument } from './markdown-document.ts';
import { fakeIdle } from './test-support/fake-idle.ts';
import { codeBlockHtml, renderChunks, renderHtml } from './test-support/render.ts';

const link = (href: string, text: string) =>
  `<a href="${href}" rel="noopener noreferrer" target="_blank">${text}</a>`;

describe('blocks', () => {
  it.each([
    ['a heading', '## Title ##\n', '<h2>Title</h2>'],
    ['a hash with no space is text', '#hashtag\n', '<p>#hashtag</p>'],
    [
      'paragraphs, soft breaks as line breaks',
      'one\ntwo\n\nthree\n',
      '<p>one<br>two</p><p>three</p>',
    ],
    ['a rule', 'a\n\n***\n', '<p>a</p><hr>'],
    ['`---` under text is a rule, not a setext heading', 'a\n---\n', '<p>a</p><hr>'],
    [
      'a block quote with a lazy line',
      '> a\nb\n\nc\n',
      '<blockquote><p>a<br>b</p></blockquote><p>c</p>',
    ],
    [
      'nested lists',
      '- a\n  - b\n    1. c\n- d\n',
      '<ul><li><p>a</p><ul><li><p>b</p><ol><li><p>c</p></li></ol></li></ul></li><li><p>d</p></li></ul>',
    ],
    [
      'an ordered list keeps its start',
      '3. c\n4. d\n',
      '<ol start="3"><li><p>c</p></li><li><p>d</p></li></ol>',
    ],
    ['`2.` inside a paragraph does not start a list', 'in\n2. x\n', '<p>in<br>2. x</p>'],
    [
      'another marker starts another list',
      '- a\n+ b\n',
      '<ul><li><p>a</p></li></ul><ul><li><p>b</p></li></ul>',
    ],
    [
      'task list items',
      '- [ ] open\n- [x] done\n',
      '<ul><li class="md-task"><input type="checkbox" disabled=""><p>open</p></li><li class="md-task"><input type="checkbox" disabled="" checked=""><p>done</p></li></ul>',
    ],
    [
      'a table with alignment',
      '| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n',
      '<div class="md-table"><table><thead><tr><th class="md-align-left">a</th><th class="md-align-center">b</th><th class="md-align-right">c</th></tr></thead><tbody><tr><td class="md-align-left">1</td><td class="md-align-center">2</td><td class="md-align-right">3</td></tr></tbody></table></div>',
    ],
    [
      'a table header that ends a paragraph',
      'Rows:\n| a |\n| - |\n| 1 |\n\nafter\n',
      '<p>Rows:</p><div class="md-table"><table><thead><tr><th>a</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table></div><p>after</p>',
    ],
    [
      'rows padded and cut to the header',
      '| a | b |\n|---|---|\n| 1 |\n| 1 | 2 | 3 |\n',
      '<div class="md-table"><table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td></td></tr><tr><td>1</td><td>2</td></tr></tbody></table></div>',
    ],
    ['a pipe line without a delimiter row stays text', '| a |\nb\n', '<p>| a |<br>b</p>'],
    [
      'a fenced block',
      '```\na\n\n  b\n```\nafter\n',
      `${codeBlockHtml('', 'a\n\n  b\n')}<p>after</p>`,
    ],
    ['a tilde fence with a longer closer', '~~~sh\n```\n~~~~\n', codeBlockHtml('sh', '```\n')],
    ['backticks on one line are inline code', '```a```\n', '<p><code>a</code></p>'],
    [
      'a fence in a list item keeps the item indent out of the code',
      '- x\n  ```\n    y\n  ```\n',
      `<ul><li><p>x</p>${codeBlockHtml('', '  y\n')}</li></ul>`,
    ],
    ['CRLF line ends', '# a\r\nb\r\n', '<h1>a</h1><p>b</p>'],
  ])('%s', (_name, markdown, html) => {
    expect(renderHtml(markdown)).toBe(html);
  });
});

describe('inline', () => {
  it.each([
    [
      'emphasis of every kind',
      '**b** *i* _i_ ~~s~~ `c`\n',
      '<p><strong>b</strong> <em>i</em> <em>i</em> <del>s</del> <code>c</code></p>',
    ],
    [
      'nested emphasis',
      '***both*** **a *b* c**\n',
      '<p><em><strong>both</strong></em> <strong>a <em>b</em> c</strong></p>',
    ],
    ['snake_case and 2 * 3 stay text', 'snake_case_name 2 * 3\n', '<p>snake_case_name 2 * 3</p>'],
    ['an unclosed `**` on a finished line stays text', '**open\n', '<p>**open</p>'],
    ['escapes', '\\*not\\* \\[x\\]\n', '<p>*not* [x]</p>'],
    ['entities decode to text', '&lt;b&gt; &amp; &#x41;\n', '<p>&lt;b&gt; &amp; A</p>'],
    ['a citation is text, not a link', 'see [1]\n', '<p>see [1]</p>'],
    [
      'a link',
      '[a *b*](https://e.com/x "t")\n',
      `<p>${link('https://e.com/x', 'a <em>b</em>')}</p>`,
    ],
    [
      'a link with parentheses in its URL',
      '[w](https://e.com/a_(b))\n',
      `<p>${link('https://e.com/a_(b)', 'w')}</p>`,
    ],
    ['an autolink', '<https://e.com>\n', `<p>${link('https://e.com/', 'https://e.com')}</p>`],
    ['an email autolink', '<me@e.com>\n', `<p>${link('mailto:me@e.com', 'me@e.com')}</p>`],
    [
      'a bare URL, without its full stop',
      'go to https://e.com/a.\n',
      `<p>go to ${link('https://e.com/a', 'https://e.com/a')}.</p>`,
    ],
    [
      'an image is a link to it, never fetched',
      '![a cat](https://e.com/cat.png)\n',
      '<p><a href="https://e.com/cat.png" rel="noopener noreferrer" target="_blank" class="md-image">a cat</a></p>',
    ],
    [
      'code spans keep their content',
      '`` a ` b `` `*x*`\n',
      '<p><code>a ` b</code> <code>*x*</code></p>',
    ],
  ])('%s', (_name, markdown, html) => {
    expect(renderHtml(markdown)).toBe(html);
  });
});

describe('while it streams', () => {
  it('shows an open fence as code at once, before its first line ends', () => {
    expect(renderHtml('```py')).toBe(codeBlockHtml('py', ''));
    expect(renderHtml('```py\nprint(1)\npri')).toBe(codeBlockHtml('py', 'print(1)\n', 'pri'));
  });

  it('shows `**` not yet closed as bold, and as text once its line ended without it', () => {
    expect(renderHtml('a **bo')).toBe('<p>a <strong>bo</strong></p>');
    expect(renderHtml('a `co')).toBe('<p>a <code>co</code></p>');
    expect(renderHtml('a **bo\n')).toBe('<p>a **bo</p>');
  });

  it('shows a link whose URL is half-arrived as its text, with nothing to click', () => {
    expect(renderHtml('see [docs](https://e.co')).toBe('<p>see <a class="md-pending">docs</a></p>');
    expect(renderHtml('see [docs')).toBe('<p>see [docs</p>');
    expect(renderHtml('see https://e.co')).toBe('<p>see https://e.co</p>');
  });

  it('shows a half-arrived table row with the cells that have arrived', () => {
    const head = '<thead><tr><th>a</th><th>b</th></tr></thead>';
    expect(renderHtml('| a | b |\n|---|---|\n| 1 ')).toBe(
      `<div class="md-table"><table>${head}<tbody><tr><td>1</td><td></td></tr></tbody></table></div>`,
    );
  });

  it('keeps a table header as text until its delimiter row is whole, hiding the partial row', () => {
    expect(renderHtml('| a | b |\n|--')).toBe('<p>| a | b |</p>');
    expect(renderHtml('| a | b |\n|---|---|')).toBe('<p>| a | b |</p>');
  });

  it('leaves an answer cut mid-structure readable', () => {
    expect(renderHtml('- one\n- tw')).toBe('<ul><li><p>one</p></li><li><p>tw</p></li></ul>');
    expect(renderHtml('> quo')).toBe('<blockquote><p>quo</p></blockquote>');
    expect(renderHtml('## Hea')).toBe('<h2>Hea</h2>');
    expect(renderHtml('1. a\n   ```js\n   let')).toBe(
      `<ol><li><p>a</p>${codeBlockHtml('js', '', 'let')}</li></ol>`,
    );
  });

  it('takes back what it showed for the unfinished line when the line turns out otherwise', () => {
    const part = (html: string) => `<div class="md-part">${html}</div>`;
    const root = renderChunks(['- a\n', '-']);
    expect(root.innerHTML).toBe(part('<ul><li><p>a</p></li><li></li></ul>'));
    const markdown = renderChunks(['- a\n', '-', '--\n']);
    expect(markdown.innerHTML).toBe(part('<ul><li><p>a</p></li></ul><hr>'));
  });
});

describe('parts', () => {
  it(`groups top-level blocks ${BLOCKS_PER_PART} to a part, and code lines ${LINES_PER_GROUP} to a group`, () => {
    const root = renderChunks([
      'x\n\n'.repeat(BLOCKS_PER_PART + 1),
      '```\n',
      'y\n'.repeat(LINES_PER_GROUP + 1),
    ]);
    expect([...root.children].map((part) => part.childElementCount)).toEqual([BLOCKS_PER_PART, 2]);
    expect(
      [...root.querySelectorAll('.md-lines')].map((group) => group.textContent?.length),
    ).toEqual([LINES_PER_GROUP * 2, 2]);
  });
});

describe('finished blocks', () => {
  it('are never touched again while the rest of the answer streams', () => {
    const root = document.createElement('div');
    const markdown = createMarkdownDocument(root);
    markdown.append('# Title\n\n- a\n- b\n\n| x |\n|---|\n| 1 |\n\n');
    const finished = [...root.querySelectorAll('.md-part > *')];
    const html = finished.map((element) => element.outerHTML);
    const touched: Node[] = [];
    const observer = new MutationObserver((records) => {
      for (const record of records) touched.push(record.target);
    });
    observer.observe(root, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
    });
    for (const chunk of [
      'Para',
      'graph **b',
      'old** and\n',
      '```js\nlet a = 1;\n',
      'let b',
      ' = 2;\n```\n',
    ]) {
      markdown.append(chunk);
    }
    for (const record of observer.takeRecords()) touched.push(record.target);
    observer.disconnect();
    expect(touched.length).toBeGreaterThan(0);
    for (const node of touched) {
      expect(finished.some((element) => element.contains(node))).toBe(false);
    }
    expect(finished.map((element) => element.outerHTML)).toEqual(html);
    expect([...root.querySelectorAll('.md-part > *')].slice(0, finished.length)).toEqual(finished);
  });
});

describe('the highlighter', () => {
  it('is started in idle time once there is code, after a fast stream has slowed down', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
    try {
      const idle = fakeIdle();
      const load = vi.fn(() => new Promise<Highlighter>(() => undefined));
      const markdown = createMarkdownDocument(document.createElement('div'), {
        loadHighlighter: load,
        idle: idle.scheduler,
      });
      markdown.append(`\`\`\`ts\n${'const a = 1;\n'.repeat(FAST_CHARS / 10)}`);
      idle.run(50);
      expect(load).not.toHaveBeenCalled();
      vi.advanceTimersByTime(QUIET_MS);
      idle.run(50);
      expect(load).toHaveBeenCalledOnce();
    } finally {
      vi.useRealTimers();
    }
  });
});
