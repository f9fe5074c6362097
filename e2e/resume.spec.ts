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

test('a reload mid-stream resumes the same stream and ends with the exact full text', async ({
  page,
}) => {
  const requests = recordChatRequests(page);
  const prompt = numberedLines(40);
  await page.goto('/');
  await showExactText(page);
  await sendPrompt(page, prompt, 'echo');
  await expect.poll(() => outputText(page).then((text) => text.length)).toBeGreaterThan(50);

  await page.reload();
  await expect(status(page)).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
  expect(await outputText(page)).toBe(prompt);
  await expect(page.locator(ids.error)).toBeHidden();
  // One generation: the reload replayed the same stream from its start instead of sending again.
  expect(requests.filter((request) => request.startsWith('POST'))).toEqual(['POST /api/chat']);
  const resumes = requests.filter((request) => request.startsWith('GET'));
  expect(resumes).toHaveLength(1);
  expect(resumes[0]).toMatch(/^GET \/api\/chat\/[^/?]+$/);

  // Once the stream has ended, the page forgets it: the next load starts idle and empty.
  await page.reload();
  await expect(status(page)).toHaveAttribute('data-state', 'idle');
  await expect(page.locator(ids.output)).toBeEmpty();
});

test('a saved stream the server does not know ends in a clear error, not a new answer', async ({
  page,
}) => {
  const requests = recordChatRequests(page);
  await page.goto('/');
  await showExactText(page);
  await page.evaluate(() =>
    sessionStorage.setItem(
      'gpt-stream:active-stream',
      JSON.stringify({ streamId: 'no-such-stream', lastEventId: null }),
    ),
  );

  await page.reload();
  await expect(status(page)).toHaveAttribute('data-state', 'error');
  await expect(page.locator(ids.error)).toContainText(/unknown|expired/i);
  await expect(page.locator(ids.output)).toBeEmpty();
  expect(requests).toEqual(['GET /api/chat/no-such-stream']);
});
