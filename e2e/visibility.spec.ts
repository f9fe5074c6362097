import { expect, test } from '@playwright/test';
import {
  ids,
  numberedLines,
  outputText,
  recordChatRequests,
  sendPrompt,
  showExactText,
  status,
} from './chat-page.ts';

/** What a browser does when the tab goes to the background or comes back. */
function setVisibility(page: import('@playwright/test').Page, hidden: boolean): Promise<void> {
  return page.evaluate((isHidden) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => isHidden });
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => (isHidden ? 'hidden' : 'visible'),
    });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

const length = (page: import('@playwright/test').Page) =>
  outputText(page).then((text) => text.length);

test('hiding the tab mid-stream and showing it again keeps one request and the exact text', async ({
  page,
}) => {
  const requests = recordChatRequests(page);
  const prompt = numberedLines(40);
  await page.goto('/');
  await showExactText(page);
  await sendPrompt(page, prompt, 'echo');
  await expect.poll(() => length(page)).toBeGreaterThan(30);

  await setVisibility(page, true);
  const hiddenAt = await length(page);
  // The stream goes on in the background: the text keeps growing while the tab is hidden.
  await expect.poll(() => length(page)).toBeGreaterThan(hiddenAt + 30);
  await expect(status(page)).toHaveAttribute('data-state', 'streaming');
  await setVisibility(page, false);

  await expect(status(page)).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
  expect(await outputText(page)).toBe(prompt);
  expect(requests).toEqual(['POST /api/chat']);
  await expect(page.locator(ids.error)).toBeHidden();
});
