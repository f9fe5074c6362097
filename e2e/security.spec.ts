import { expect, test } from '@playwright/test';
import {
  ids,
  outputText,
  recordCspViolations,
  sendPrompt,
  showExactText,
  status,
} from './chat-page.ts';

test('the page runs under its Content-Security-Policy without a single violation', async ({
  page,
}) => {
  const cspViolations = await recordCspViolations(page);
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });

  const response = await page.goto('/');
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");

  // Rendered Markdown, with the renderer and the highlighter loaded on demand.
  await sendPrompt(page, 'Hello under a strict policy');
  await expect(status(page)).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
  expect((await outputText(page)).length).toBeGreaterThan(100);
  await sendPrompt(page, '# Code\n\n```ts\nconst a: number = 1; /* one */\n```\n', 'echo');
  await expect(page.locator(`${ids.output} .token.comment`)).toHaveText('/* one */');

  // The exact text: pre-wrap (the stylesheet applied) keeps the streamed newlines.
  await showExactText(page);
  await expect(page.locator(ids.output)).toHaveCSS('white-space', 'pre-wrap');
  await sendPrompt(page, 'line one\nline two', 'echo');
  await expect(status(page)).toHaveAttribute('data-state', 'done');

  expect(await cspViolations()).toEqual([]);
  expect(consoleErrors.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual(
    [],
  );
  expect(consoleErrors).toEqual([]);
});
