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

  // Once the stream has ended, the page forgets it: the next load resumes nothing and shows the
  // answer from the stored thread.
  const before = requests.length;
  await page.reload();
  await expect(status(page)).toHaveAttribute('data-state', 'idle');
  expect(await outputText(page)).toBe(prompt);
  expect(requests).toHaveLength(before);
});

test('a saved stream the server does not know ends in a clear error, not a new answer', async ({
  page,
}) => {
  const requests = recordChatRequests(page);
  await page.goto('/');
  await showExactText(page);
  // A tab that was streaming an answer into its thread when it reloaded.
  await page.evaluate(() => {
    sessionStorage.setItem('gpt-stream:thread-id', 'reloaded');
    sessionStorage.setItem(
      'gpt-stream:active-stream',
      JSON.stringify({ streamId: 'no-such-stream', lastEventId: null }),
    );
    localStorage.setItem(
      'gpt-stream:thread:v1:reloaded',
      JSON.stringify({
        updatedAt: Date.now(),
        turns: [
          { role: 'user', content: 'a question' },
          { role: 'assistant', content: 'half an ans', state: 'streaming' },
        ],
      }),
    );
  });

  await page.reload();
  await expect(status(page)).toHaveAttribute('data-state', 'error');
  await expect(page.locator(ids.error)).toContainText(/unknown|expired/i);
  // What the tab had of the answer stays, marked as failed, with a way to ask again.
  expect(await outputText(page)).toBe('half an ans');
  await expect(page.locator('[data-role="assistant"]')).toHaveAttribute('data-state', 'error');
  await expect(page.getByRole('button', { name: 'Try again' })).toBeVisible();
  expect(requests).toEqual(['GET /api/chat/no-such-stream']);
});
