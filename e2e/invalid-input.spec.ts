import { API_PATHS, ApiErrorBodySchema } from '@gpt-stream/protocol';
import { expect, test } from '@playwright/test';
import { ids, sendPrompt, status } from './chat-page.ts';
import { E2E_SERVER_ENV } from './server-env.ts';

test('an invalid prompt shows the server’s message, after exactly one request', async ({
  page,
  request,
}) => {
  const prompt = 'x'.repeat(Number(E2E_SERVER_ENV.MAX_PROMPT_CHARS) + 1);
  // As the page sends it: a conversation of one message.
  const direct = await request.post(API_PATHS.chat, {
    data: { messages: [{ role: 'user', content: prompt }] },
  });
  expect(direct.status()).toBe(413);
  const { message } = ApiErrorBodySchema.parse(await direct.json()).error;

  // The page's timers are under the test's control, so a retry, however delayed, can be flushed.
  await page.clock.install();
  const posts: string[] = [];
  page.on('request', (sent) => {
    if (sent.method() === 'POST' && new URL(sent.url()).pathname === API_PATHS.chat) {
      posts.push(sent.url());
    }
  });
  await page.goto('/');
  await sendPrompt(page, prompt);

  await expect(page.locator(ids.error)).toContainText(message);
  await expect(status(page)).toHaveAttribute('data-state', 'error');
  await expect(page.locator(ids.output)).toBeEmpty();
  await page.clock.runFor(60_000);
  expect(posts).toHaveLength(1);
});
