import { expect, test } from '@playwright/test';
import {
  ids,
  outputText,
  recordChatRequests,
  sendPrompt,
  showExactText,
  status,
} from './chat-page.ts';
import { type OwnServer, startOwnServer } from './own-server.ts';

let server: OwnServer;

test.beforeEach(async () => {
  server = await startOwnServer();
});

test.afterEach(async () => {
  await server.kill();
});

test('a server killed mid-stream leaves the page showing a cut stream, after few requests', async ({
  page,
}) => {
  const requests = recordChatRequests(page);
  await page.goto(server.url);
  await showExactText(page);
  await sendPrompt(page, 'Tell me a long story about streaming.');
  await expect.poll(() => outputText(page).then((text) => text.length)).toBeGreaterThan(40);
  await expect(status(page)).toHaveAttribute('data-state', 'streaming');

  await server.kill();
  const killedAt = Date.now();
  // What the server had sent before it died may still be on its way to the screen.
  const shownAtKill = await outputText(page);

  // At once it stops claiming to stream; then a few bounded attempts to resume, and it gives up.
  await expect(status(page)).not.toHaveAttribute('data-state', 'streaming', { timeout: 2_000 });
  await expect(status(page)).toHaveAttribute('data-state', 'error', { timeout: 8_000 });
  const tookMs = Date.now() - killedAt;
  await expect(page.locator(ids.error)).toContainText('cut off before it finished');
  await expect(page.locator(ids.error)).toContainText('could not be reached');
  expect(tookMs).toBeLessThan(8_000);

  // Nothing shown is lost, and it was never re-generated: one POST, then resumes from the
  // last event the page had.
  const shown = await outputText(page);
  expect(shown.startsWith(shownAtKill)).toBe(true);
  const [post, ...resumes] = requests;
  expect(post).toBe('POST /api/chat');
  expect(resumes.length).toBeGreaterThanOrEqual(1);
  expect(resumes.length).toBeLessThanOrEqual(3);
  for (const resume of resumes) expect(resume).toMatch(/^GET \/api\/chat\/[^/?]+\?after=/);

  // A retry loop that outlived the error would show up here, however long its delays.
  const counted = requests.length;
  await page.clock.install();
  await page.clock.runFor(60_000);
  expect(requests).toHaveLength(counted);
  await expect(status(page)).toHaveAttribute('data-state', 'error');
  expect(await outputText(page)).toBe(shown);
});
