import { expect, test } from '@playwright/test';
import { ids, outputText, sendPrompt, status } from './chat-page.ts';

declare global {
  interface Window {
    cspViolations: string[];
  }
}

test('the page runs under its Content-Security-Policy without a single violation', async ({
  page,
}) => {
  // Listening from the first script on: a blocked script, style or request fires this event.
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });

  const response = await page.goto('/');
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
  await sendPrompt(page, 'Hello under a strict policy');
  await expect(status(page)).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
  // The stylesheet applied: pre-wrap is what keeps the streamed newlines.
  await expect(page.locator(ids.output)).toHaveCSS('white-space', 'pre-wrap');
  expect((await outputText(page)).length).toBeGreaterThan(100);
  await sendPrompt(page, 'line one\nline two', 'echo');
  await expect(status(page)).toHaveAttribute('data-state', 'done');

  expect(await page.evaluate(() => window.cspViolations)).toEqual([]);
  expect(consoleErrors.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual(
    [],
  );
  expect(consoleErrors).toEqual([]);
});
