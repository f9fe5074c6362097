import { expect, type Page, test } from '@playwright/test';
import {
  ids,
  numberedLines,
  outputText,
  recordChatRequests,
  showExactText,
  status,
} from './chat-page.ts';

test.beforeEach(async ({ page }) => {
  await page.goto('/');
  await showExactText(page);
  await expect(status(page)).toHaveAttribute('data-state', 'idle');
});

/** The thread scrolls as a whole, the streaming answer with it. */
function scrollGap(page: Page): Promise<number> {
  return page
    .locator(ids.conversation)
    .evaluate((thread) => thread.scrollHeight - thread.scrollTop - thread.clientHeight);
}

function scrollTop(page: Page): Promise<number> {
  return page.locator(ids.conversation).evaluate((thread) => thread.scrollTop);
}

/**
 * A wheel or a key scrolls smoothly, over a few frames: where the thread comes to rest, once it
 * has left the bottom (and reached `where`), is where the reader is.
 */
async function restingScrollTop(
  page: Page,
  where: (top: number) => boolean = () => true,
): Promise<number> {
  let top = Number.NaN;
  await expect
    .poll(async () => {
      const last = top;
      top = await scrollTop(page);
      return top === last && where(top) && (await scrollGap(page)) > 8;
    })
    .toBe(true);
  return top;
}

const length = (page: Page) => outputText(page).then((text) => text.length);

test('Enter sends, Shift+Enter adds a line, Escape stops', async ({ page }) => {
  const requests = recordChatRequests(page);
  const prompt = page.locator(ids.prompt);
  await prompt.focus();
  await page.keyboard.type('first line');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('second line');
  await expect(prompt).toHaveValue('first line\nsecond line');
  expect(requests).toEqual([]);

  await page.keyboard.press('Enter');
  await expect(status(page)).toHaveAttribute('data-state', 'streaming');
  // Sent as typed, without a newline for the Enter: the prompt moved into the thread.
  await expect(page.locator(`${ids.conversation} [data-role="user"] .turn-content`)).toHaveText(
    'first line\nsecond line',
  );
  await expect(prompt).toHaveValue('');
  await expect.poll(() => length(page)).toBeGreaterThan(0);

  await page.keyboard.press('Escape');
  await expect(status(page)).toHaveAttribute('data-state', 'stopped');
  expect(requests[0]).toBe('POST /api/chat');
});

test('the metrics show time to first token, tokens and tokens/s, live and at the end', async ({
  page,
}) => {
  const metrics = page.locator(ids.metrics);
  await page.locator(ids.prompt).fill(numberedLines(25));
  await page.locator(ids.model).selectOption('echo');
  await page.locator(ids.send).click();

  // Live: the count grows while the stream is still running.
  await expect(status(page)).toHaveAttribute('data-state', 'streaming');
  await expect
    .poll(async () => Number(await metrics.getAttribute('data-tokens')))
    .toBeGreaterThan(5);
  await expect(status(page)).toHaveAttribute('data-state', 'streaming');
  await expect(metrics).toHaveAttribute('data-tokens-per-second', /^\d+(\.\d+)?$/);

  await expect(status(page)).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
  await expect(metrics).toHaveAttribute('data-ttft-ms', /^\d+(\.\d+)?$/);
  // The server's count: echo cuts each line into "line", " N", " of", " the", " echo", "\n".
  await expect(metrics).toHaveAttribute('data-tokens', String(25 * 6 - 1));
  await expect(metrics).toContainText(/First token \d+ ms · 149 tokens · [\d.]+ tokens\/s/);
});

test('the thread is a polite live region, busy while an answer streams', async ({ page }) => {
  const thread = page.locator(ids.conversation);
  const output = page.locator(ids.output);
  await expect(thread).toHaveAttribute('aria-live', 'polite');
  await expect(page.locator(ids.status)).toHaveAttribute('role', 'status');
  await expect(page.locator(ids.error)).toHaveAttribute('role', 'alert');

  await page.locator(ids.prompt).fill(numberedLines(10));
  await page.locator(ids.model).selectOption('echo');
  await page.locator(ids.send).click();
  await expect(status(page)).toHaveAttribute('data-state', 'streaming');
  await expect(thread).toHaveAttribute('aria-busy', 'true');
  await expect(output).toHaveAttribute('aria-busy', 'true');
  await expect(status(page)).toHaveAttribute('data-state', 'done');
  await expect(thread).toHaveAttribute('aria-busy', 'false');
  await expect(output).toHaveAttribute('aria-busy', 'false');
});

test('the thread follows new text, unless the reader has scrolled up', async ({ page }) => {
  await page.setViewportSize({ width: 800, height: 500 });
  await page.locator(ids.prompt).fill(numberedLines(100));
  await page.locator(ids.model).selectOption('echo');
  await page.locator(ids.send).click();

  // Following: once the text overflows, the newest line stays in view.
  await expect
    .poll(() => page.locator(ids.conversation).evaluate((o) => o.scrollHeight - o.clientHeight))
    .toBeGreaterThan(200);
  await expect.poll(() => scrollGap(page)).toBeLessThanOrEqual(8);
  const followedTo = await scrollTop(page);
  expect(followedTo).toBeGreaterThan(200);

  // Scrolled up to reread, with the wheel, near the top: new text arrives below, the view stays
  // where the reader put it.
  await page.locator(ids.conversation).hover();
  await page.mouse.wheel(0, -(followedTo + 1000));
  const readAt = await restingScrollTop(page, (top) => top < 100);
  const grownFrom = await length(page);
  await expect.poll(() => length(page)).toBeGreaterThan(grownFrom + 100);
  expect(await scrollTop(page)).toBe(readAt);
  await expect(status(page)).toHaveAttribute('data-state', 'streaming');

  // Back at the bottom: following again.
  await page.locator(ids.conversation).evaluate((thread) => {
    thread.scrollTop = thread.scrollHeight;
  });
  const backAt = await scrollTop(page);
  await expect.poll(() => scrollTop(page)).toBeGreaterThan(backAt);
  await expect.poll(() => scrollGap(page)).toBeLessThanOrEqual(8);
});

test('the thread follows a reader who scrolls up with the keyboard, and not a script', async ({
  page,
}) => {
  await page.setViewportSize({ width: 800, height: 500 });
  await page.locator(ids.prompt).fill(numberedLines(150));
  await page.locator(ids.model).selectOption('echo');
  await page.locator(ids.send).click();
  await expect
    .poll(() => page.locator(ids.conversation).evaluate((o) => o.scrollHeight - o.clientHeight))
    .toBeGreaterThan(400);
  await expect.poll(() => scrollGap(page)).toBeLessThanOrEqual(8);

  // A scroll up that no reader made (the browser's own, as the thread shrinks under a clamp, or
  // a script's) does not stop following.
  await page.locator(ids.conversation).evaluate((thread) => {
    thread.scrollTop = 0;
  });
  await expect.poll(() => scrollGap(page)).toBeLessThanOrEqual(8);

  // The thread takes the focus, as a keyboard reader tabs to it, and pages up.
  await page.locator(ids.conversation).focus();
  await page.keyboard.press('PageUp');
  const readAt = await restingScrollTop(page);
  const grownFrom = await length(page);
  await expect.poll(() => length(page)).toBeGreaterThan(grownFrom + 100);
  expect(await scrollTop(page)).toBe(readAt);
  await expect(status(page)).toHaveAttribute('data-state', 'streaming');
});

test('a long answer, written in blocks, looks and copies exactly like one run of text', async ({
  page,
}) => {
  // Long words, few tokens: well over one block of text in a few seconds of echo.
  const words = ' streaming responsive rendering paragraph';
  const prompt = Array.from({ length: 32 }, (_, line) => `${line}${words.repeat(2)}`).join('\n');
  await page.locator(ids.prompt).fill(prompt);
  await page.locator(ids.model).selectOption('echo');
  await page.locator(ids.send).click();
  await expect(status(page)).toHaveAttribute('data-state', 'done', { timeout: 20_000 });

  const rendering = await page.locator(ids.output).evaluate((output: HTMLElement) => {
    // The same text as one text node, in a twin of the output with the same width and style.
    const twin = output.cloneNode(false) as HTMLElement;
    twin.removeAttribute('id');
    twin.style.maxHeight = 'none';
    output.style.maxHeight = 'none';
    // All of it in view: blocks out of view are laid out at an estimated size.
    (output.closest('#conversation') as HTMLElement).style.maxHeight = 'none';
    twin.textContent = output.textContent;
    output.after(twin);
    // innerText is what copying and screen readers get: block elements would add line breaks.
    const result = {
      blocks: output.children.length,
      height: output.getBoundingClientRect().height,
      twinHeight: twin.getBoundingClientRect().height,
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point.
      copied: output.innerText,
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point.
      twinCopied: twin.innerText,
    };
    twin.remove();
    return result;
  });
  expect(await outputText(page)).toBe(prompt);
  expect(rendering.blocks).toBeGreaterThan(1);
  expect(rendering.height).toBe(rendering.twinHeight);
  expect(rendering.copied).toBe(rendering.twinCopied);
});
