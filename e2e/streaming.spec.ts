import { expect, test } from '@playwright/test';
import {
  activeStreams,
  busyFor,
  ids,
  outputText,
  sendPrompt,
  showExactText,
  status,
  twoFrames,
} from './chat-page.ts';

interface Snapshot {
  at: number;
  text: string;
}

declare global {
  interface Window {
    snapshots: Snapshot[];
    mainThreadFetches: string[];
  }
}

test.beforeEach(async ({ page }) => {
  await page.goto('/');
  await showExactText(page);
  await expect(status(page)).toHaveAttribute('data-state', 'idle');
});

test('the answer appears a piece at a time, not in one burst', async ({ page }) => {
  // The answer's element is added to the thread on Send: watch the thread, read the answer.
  await page.locator(ids.conversation).evaluate((thread) => {
    window.snapshots = [];
    new MutationObserver(() => {
      const text = document.getElementById('gpt-output')?.textContent ?? '';
      // Changes elsewhere in the thread (a prompt, its Edit button) leave the answer as it was.
      if (text !== window.snapshots.at(-1)?.text)
        window.snapshots.push({ at: performance.now(), text });
    }).observe(thread, { childList: true, characterData: true, subtree: true });
  });

  await sendPrompt(page, 'How do Server-Sent Events work?');
  await expect(status(page)).toHaveAttribute('data-state', 'streaming');
  await expect(status(page)).toHaveAttribute('data-state', 'done', { timeout: 20_000 });

  const final = await outputText(page);
  const snapshots = (await page.evaluate(() => window.snapshots)).filter(({ text }) => text !== '');
  expect(final.length).toBeGreaterThan(500);
  expect(snapshots.at(-1)?.text).toBe(final);
  // Many distinct, strictly growing prefixes of the final text, spread over seconds: the mock
  // writes a token every 15 ms, so a burst would show as one or two snapshots within one frame.
  expect(snapshots.length).toBeGreaterThanOrEqual(20);
  for (const [index, snapshot] of snapshots.entries()) {
    expect(final.startsWith(snapshot.text)).toBe(true);
    if (index > 0)
      expect(snapshot.text.length).toBeGreaterThan(snapshots[index - 1]?.text.length ?? 0);
  }
  const spanMs = (snapshots.at(-1)?.at ?? 0) - (snapshots[0]?.at ?? 0);
  expect(spanMs).toBeGreaterThan(1000);
  await expect(page.locator(ids.metrics)).toContainText(/\d/);
});

test('echo returns a CJK, emoji and multi-line prompt exactly', async ({ page }) => {
  const prompt = [
    '  two leading spaces, then a tab:\tend',
    '你好，世界。日本語のテキスト。한국어',
    '👩‍👩‍👧 family, 🇩🇪 flag, 👍🏽 thumbs',
    '',
    'data: looks like a field',
    '',
    'event: done',
    ': not a comment',
    'last line',
  ].join('\n');
  await sendPrompt(page, prompt, 'echo');
  await expect(status(page)).toHaveAttribute('data-state', 'done');
  expect(await outputText(page)).toBe(prompt);
});

test('a stream that piles up while the page is busy is joined off the main thread, exactly', async ({
  page,
}) => {
  // Once its worker runs, the page has it make the stream request and join the events that
  // arrive together: the main thread never fetches the answer itself.
  const streamWorker = () =>
    page.workers().find((worker) => worker.url().includes('stream.worker'));
  await expect.poll(() => streamWorker()?.url()).toBeDefined();
  await expect
    .poll(() => streamWorker()?.evaluate(() => typeof self.onmessage === 'function'))
    .toBe(true);
  await page.evaluate(() => {
    window.mainThreadFetches = [];
    const { fetch } = window;
    window.fetch = (input, init) => {
      window.mainThreadFetches.push(input instanceof Request ? input.url : String(input));
      return fetch(input, init);
    };
  });
  const prompt = Array.from({ length: 12 }, (_, line) =>
    [`${line}: 你好 👩‍👩‍👧 \ttab "quotes" \\`, 'data: looks like a field', '', 'event: done'].join(
      '\n',
    ),
  ).join('\n');
  await sendPrompt(page, prompt, 'echo');
  await expect(status(page)).toHaveAttribute('data-state', 'streaming');
  // Events pile up meanwhile: the page reads them joined, in a few large ones.
  await busyFor(page, 1500);
  await expect(status(page)).toHaveAttribute('data-state', 'done');
  expect(await outputText(page)).toBe(prompt);
  expect(await page.evaluate(() => window.mainThreadFetches)).not.toContainEqual(
    expect.stringContaining('/api/chat'),
  );
});

test('the status says done only once the whole answer is on screen', async ({ page }) => {
  const prompt = Array.from({ length: 10 }, (_, line) => `line ${line}: some words`).join('\n');
  // What the answer showed at the moment the status changed, for every change.
  await page.locator(ids.status).evaluate((element) => {
    window.snapshots = [];
    new MutationObserver(() => {
      const text = document.getElementById('gpt-output')?.textContent ?? '';
      window.snapshots.push({ at: performance.now(), text: `${element.dataset.state}:${text}` });
    }).observe(element, { attributeFilter: ['data-state'] });
  });
  await sendPrompt(page, prompt, 'echo');
  await expect(status(page)).toHaveAttribute('data-state', 'streaming');
  // The page is busy while the whole answer arrives: it is all queued when `done` comes in.
  await busyFor(page, 3000);
  await expect(status(page)).toHaveAttribute('data-state', 'done');
  const states = await page.evaluate(() => window.snapshots.map(({ text }) => text));
  expect(states.at(-1)).toBe(`done:${prompt}`);
});

test('Stop halts the text and frees the stream on the server', async ({ page, request }) => {
  await sendPrompt(page, 'Write a long answer, please.');
  await expect.poll(() => outputText(page).then((text) => text.length)).toBeGreaterThan(20);
  expect(await activeStreams(request)).toBe(1);

  await page.locator(ids.stop).click();
  await expect(status(page)).toHaveAttribute('data-state', 'stopped');
  await expect.poll(() => activeStreams(request), { timeout: 1000 }).toBe(0);

  const stoppedAt = await outputText(page);
  await twoFrames(page);
  expect(await outputText(page)).toBe(stoppedAt);
  await expect(status(page)).toHaveAttribute('data-state', 'stopped');
  await expect(page.locator(ids.error)).toBeEmpty();
});

test('model output that contains HTML is shown as text and never run', async ({ page }) => {
  const prompt =
    '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script><b>bold?</b> &amp; <i>';
  await sendPrompt(page, prompt, 'echo');
  await expect(status(page)).toHaveAttribute('data-state', 'done');
  expect(await outputText(page)).toBe(prompt);
  // The only elements are the page's own blocks of text: plain spans, nothing the model wrote.
  const elements = await page
    .locator(`${ids.output} *`)
    .evaluateAll((nodes) =>
      nodes.map((node) => `${node.tagName} ${node.attributes.length} ${node.children.length}`),
    );
  expect(elements).toEqual(['SPAN 0 0']);
  expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
});
