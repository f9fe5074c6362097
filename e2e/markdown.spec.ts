import { expect, type Page, test } from '@playwright/test';
import {
  ids,
  numberedLines,
  outputText,
  recordCspViolations,
  sendPrompt,
  showExactText,
  status,
} from './chat-page.ts';
import { type OwnServer, startOwnServer } from './own-server.ts';

declare global {
  interface Window {
    pwned?: unknown;
  }
}

/** Elements inside the answer; each of several comma-separated selectors is scoped to it. */
const output = (page: Page, selectors: string) =>
  page.locator(
    selectors
      .split(',')
      .map((selector) => `${ids.output} ${selector.trim()}`)
      .join(', '),
  );

const CODE =
  'function add(a, b) {\n\t/* tabs and\n\t   a block comment */\n  return a + b; // sum\n}';

/** An answer with the structures in its first lines and a long tail, so that it streams for seconds. */
const ANSWER = `# Plan

1. **First** step
2. Second, with \`code\`
   - nested

\`\`\`js
${CODE}
\`\`\`

| step | status |
|:-----|-------:|
| one  | done   |

${numberedLines(50)}`;

test.beforeEach(async ({ page }) => {
  await page.goto('/');
});

test('Markdown is the default, and its structure appears while the answer streams', async ({
  page,
}) => {
  await expect(page.locator(ids.renderMode)).toHaveValue('markdown');
  await sendPrompt(page, ANSWER, 'echo');
  for (const selector of ['h1', 'ol > li strong', 'ol li ul > li', '.md-code code', 'table td']) {
    await expect(output(page, selector).first()).toBeAttached();
    // Seen before the end: the answer's last lines are still on their way.
    await expect(status(page)).toHaveAttribute('data-state', 'streaming');
  }
  await expect(output(page, 'h1')).toHaveText('Plan');
  await expect(output(page, '.md-code .md-code-lang')).toHaveText('js');
  // Highlighted, by the lazily loaded highlighter, line by line.
  await expect(output(page, '.md-code .token.keyword').first()).toBeAttached();
  await expect(output(page, '.md-code .token.comment').first()).toHaveText('/* tabs and');
  await expect(output(page, '.md-code .token.comment').nth(1)).toHaveText(
    '\t   a block comment */',
  );
  await expect(output(page, 'th').nth(1)).toHaveCSS('text-align', 'right');
  await expect(status(page)).toHaveAttribute('data-state', 'done');
  await expect(output(page, '.md-code code')).toHaveText(`${CODE}\n`);
});

test('layout skips the finished parts of an answer and of a long code block, never the growing one', async ({
  page,
}) => {
  const paragraphs = Array.from({ length: 20 }, (_, i) => `Paragraph ${i + 1}.`).join('\n\n');
  const code = Array.from({ length: 150 }, (_, i) => `line ${i + 1}`).join('\n');
  await sendPrompt(page, `${paragraphs}\n\n\`\`\`\n${code}\n\`\`\``, 'echo');
  await expect(status(page)).toHaveAttribute('data-state', 'done');
  for (const selector of ['.md-part', '.md-lines']) {
    const visibility = await output(page, selector).evaluateAll((elements) =>
      elements.map((element) => getComputedStyle(element).contentVisibility),
    );
    expect(visibility.length).toBeGreaterThan(2);
    expect(visibility).toEqual([...visibility.slice(0, -1).fill('auto'), 'visible']);
  }
});

test('a long code block stacks its lines, and nothing wide widens the answer past the thread', async ({
  page,
}) => {
  const longLine = `const long = "${'x'.repeat(400)}";`;
  // Two groups of lines (64 each) in few tokens, a long line in the first: a short stream.
  const code = [longLine, ...Array.from({ length: 70 }, () => 'x')].join('\n');
  const wideRow = `| ${Array(12).fill('abcdefghijklmnopqrst').join(' | ')} |`;
  const delimiter = `|${'---|'.repeat(12)}`;
  await sendPrompt(
    page,
    `\`\`\`\n${code}\n\`\`\`\n\n\`\`\`ts\n${longLine}\n\`\`\`\n\n${wideRow}\n${delimiter}\n${wideRow}\n\nThe end.`,
    'echo',
  );
  await expect(status(page)).toHaveAttribute('data-state', 'done');
  const [first, second] = await output(page, '.md-code')
    .first()
    .locator('.md-lines')
    .evaluateAll((elements) => elements.map((element) => element.getBoundingClientRect().toJSON()));
  // The second group starts under the first, where it ends: line 65 follows line 64.
  expect(second.left).toBe(first.left);
  expect(second.top).toBeCloseTo(first.bottom, 0);
  // Selected by hand, the code is exactly its lines: the groups add no line breaks (a selection
  // leaves out the block's last line end, as it does for any pre).
  const selected = await output(page, '.md-code code')
    .first()
    .evaluate((code) => {
      getSelection()?.selectAllChildren(code);
      return getSelection()?.toString();
    });
  expect(selected).toBe(code);
  const widths = await page.evaluate((selector) => {
    const thread = document.querySelector(selector) as HTMLElement;
    const answer = thread.querySelector('[data-role="assistant"]') as HTMLElement;
    const [first, second] = answer.querySelectorAll('pre');
    return {
      thread: thread.clientWidth,
      threadScroll: thread.scrollWidth,
      answer: answer.getBoundingClientRect().width,
      firstScroll: first?.scrollWidth,
      secondScroll: second?.scrollWidth,
      secondClient: second?.clientWidth,
    };
  }, ids.conversation);
  // The thread does not scroll sideways: the long line scrolls in its own box, the table's cells wrap.
  expect(widths.threadScroll).toBe(widths.thread);
  expect(widths.answer).toBeLessThanOrEqual(widths.thread);
  expect(widths.secondScroll).toBeGreaterThan(widths.secondClient ?? Number.POSITIVE_INFINITY);
  // The first block scrolls as far as the second: its long line, in a group whose paint
  // content-visibility contains, is not cut off.
  expect(widths.firstScroll).toBe(widths.secondScroll);
});

test.describe('at full speed', () => {
  let server: OwnServer;
  test.beforeAll(async () => {
    server = await startOwnServer({
      MOCK_DELAY_MS: '0',
      MAX_PROMPT_CHARS: '1000000',
      // A page that stalls a frame behind this firehose is kept, not cut and resumed.
      READER_MAX_LAG_BYTES: String(64 * 1024 * 1024),
    });
  });
  test.afterAll(() => server.kill());

  test('the thread follows a long answer to its end, in either mode', async ({ page }) => {
    const code = Array.from({ length: 140 }, (_, i) => `  const line${i} = compute(${i}); // why`);
    const section = (i: number) =>
      [
        `## Section ${i}`,
        `A paragraph with **bold**, *emphasis* and a [link](https://example.com/${i}).`,
        '- an item\n  - a nested item\n- [x] a task',
        '| step | time |\n|:-----|-----:|\n| one | 1 ms |\n| two | 2 ms |',
        `\`\`\`ts\n${code.slice(0, i % 4 === 3 ? 140 : 12).join('\n')}\n\`\`\``,
      ].join('\n\n');
    const answer = Array.from({ length: 100 }, (_, i) => section(i)).join('\n\n');
    await page.goto(server.url);
    await page.locator(ids.model).selectOption('echo');
    // Answers in each mode, each in a new chat: when the follower lost the bottom, it did in
    // some runs, in both.
    for (const [turn, mode] of ['markdown', 'markdown', 'text', 'text'].entries()) {
      if (turn > 0) await page.locator(ids.newChat).click();
      await page.locator(ids.renderMode).selectOption(mode);
      // Typing it in would take Playwright most of the test's time.
      await page.locator(ids.prompt).evaluate((prompt: HTMLTextAreaElement, text) => {
        prompt.value = text;
        prompt.dispatchEvent(new Event('input', { bubbles: true }));
      }, answer);
      await page.locator(ids.send).click();
      await expect(status(page)).toHaveAttribute('data-state', 'done');
      if (mode === 'markdown') await expect(output(page, 'h2')).toHaveCount(100);
      // Pinned to the bottom all along: the browser's own scrolls, as the parts above the view
      // are laid out, never counted as the reader's. The last text, laid out in the frames
      // after it was written, is brought into view too.
      await expect
        .poll(
          () =>
            page
              .locator(ids.conversation)
              .evaluate((thread) => thread.scrollHeight - thread.scrollTop - thread.clientHeight),
          { message: `answer ${turn + 1}, ${mode}`, timeout: 2_000 },
        )
        .toBeLessThanOrEqual(8);
    }
  });
});

test('the copy buttons copy a code block and the whole answer exactly', async ({
  page,
  context,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await sendPrompt(page, ANSWER, 'echo');
  await expect(status(page)).toHaveAttribute('data-state', 'done');
  const clipboard = () => page.evaluate(() => navigator.clipboard.readText());

  await output(page, '.md-copy').click();
  await expect(output(page, '.md-copy')).toHaveText('Copied');
  expect(await clipboard()).toBe(CODE);

  await page.locator(`${ids.conversation} > [data-role="assistant"] .copy-answer`).last().click();
  await expect.poll(clipboard).toBe(ANSWER);
});

test('switching to exact text mid-stream and back loses nothing, and is remembered', async ({
  page,
}) => {
  await sendPrompt(page, ANSWER, 'echo');
  await expect(output(page, 'h1')).toBeAttached();
  await showExactText(page);
  await expect(page.locator(ids.output)).toHaveCSS('white-space', 'pre-wrap');
  await expect(output(page, 'h1')).toHaveCount(0);
  await page.locator(ids.renderMode).selectOption('markdown');
  await showExactText(page);
  await expect(status(page)).toHaveAttribute('data-state', 'done');
  expect(await outputText(page)).toBe(ANSWER);

  await page.reload();
  await expect(page.locator(ids.renderMode)).toHaveValue('text');
});

/** Everything an answer might try, in Markdown and in raw HTML. */
function hostileAnswer(origin: string): string {
  return [
    '[a](javascript:window.pwned=1) [b](JAVASCRIPT:window.pwned=2) [c]( java\tscript:window.pwned=3)',
    '[d](java&#x09;script:window.pwned=4) [e](&#106;avascript:window.pwned=5) [f](vbscript:x)',
    '[g](data:text/html,<script>window.pwned=6</script>) <javascript:window.pwned=7>',
    `![pixel](${origin}/pixel.png) ![svg](data:image/svg+xml,<svg onload=window.pwned=8>)`,
    `<img src="${origin}/img.png" onerror="window.pwned=9">`,
    '<script>window.pwned=10</script><svg onload="window.pwned=11"></svg>',
    '<a href="javascript:window.pwned=12">raw link</a> <b onmouseover="window.pwned=13">b</b>',
    '<iframe src="javascript:window.pwned=14"></iframe><style>body{display:none}</style>',
    '```"><img src=x onerror=window.pwned=15>',
    'alert(1)',
    '```',
    '| <img src=x onerror=window.pwned=16> | [h](javascript:window.pwned=17) |',
    '|---|---|',
    '| <script>window.pwned=18</script> | ok |',
    '[safe](https://example.com/docs)',
  ].join('\n');
}

test('a hostile answer runs nothing, fetches nothing and breaks no policy', async ({ page }) => {
  const cspViolations = await recordCspViolations(page);
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  await page.goto('/');
  const origin = new URL(page.url()).origin;
  const requests: string[] = [];
  page.on('request', (request) => requests.push(new URL(request.url()).pathname));

  const prompt = hostileAnswer(origin);
  await sendPrompt(page, prompt, 'echo');
  await expect(status(page)).toHaveAttribute('data-state', 'done');

  // Raw HTML is there, as text.
  await expect(page.locator(ids.output)).toContainText('<script>window.pwned=10</script>');
  await expect(output(page, 'img, script, iframe, svg, style, b')).toHaveCount(0);
  const hrefs = await output(page, 'a[href]').evaluateAll((links) =>
    links.map((link) => (link as HTMLAnchorElement).href),
  );
  // The image is a link to it; the raw <img>'s URL is text, and bare URLs in text are links.
  expect(hrefs).toEqual([`${origin}/pixel.png`, `${origin}/img.png`, 'https://example.com/docs']);
  const handlers = await output(page, '*').evaluateAll((elements) =>
    elements.flatMap((element) =>
      [...element.attributes].map((a) => a.name).filter((name) => name.startsWith('on')),
    ),
  );
  expect(handlers).toEqual([]);
  // Hovering and clicking what used to be links does nothing either.
  await output(page, 'p').filter({ hasText: 'raw link' }).hover();
  await output(page, 'p').first().click();

  expect(await page.evaluate(() => window.pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);
  expect(await cspViolations()).toEqual([]);
  expect(consoleErrors).toEqual([]);
  expect(requests.filter((path) => path.endsWith('.png'))).toEqual([]);
});
