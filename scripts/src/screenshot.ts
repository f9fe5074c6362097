/**
 * `pnpm screenshot`: docs/screenshot.png, the page in a two-turn conversation with the built-in
 * `mock` model, its last answer rendered as Markdown. Runs the production build (`pnpm build`
 * first) on a free loopback port in a process of its own, and ends it however the capture goes.
 */
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromiumExecutable } from '@gpt-stream/e2e/browser';
import { startOwnServer } from '@gpt-stream/e2e/own-server';
import { chromium, type Page } from '@playwright/test';

const OUTPUT = fileURLToPath(new URL('../../docs/screenshot.png', import.meta.url));
/** Wide enough for the page's full layout, small enough for a light PNG. */
const VIEWPORT = { width: 1040, height: 1120 };
/** The mock's second answer to these shows a heading, a list and a highlighted code block. */
const QUESTIONS = ['Why stream at all?', 'Can you show me the code?'];

/**
 * Run in the page, as text: this package has no DOM types. Turns out of view skip their layout
 * (`content-visibility`), so it resolves once the page has painted them twice.
 */
const SHOW_LAST_QUESTION = `(() => {
  const questions = document.querySelectorAll('#conversation article[data-role="user"]');
  questions[questions.length - 1].scrollIntoView({ block: 'start' });
  window.scrollTo(0, 0);
  return new Promise((painted) => requestAnimationFrame(() => requestAnimationFrame(painted)));
})()`;

/** Resolves once the answer of this turn has streamed to its end. */
async function ask(page: Page, question: string, turn: number): Promise<void> {
  await page.locator('#prompt').fill(question);
  await page.locator('#send').click();
  const answers = page.locator('#conversation article[data-role="assistant"][data-state="done"]');
  await answers.nth(turn).waitFor();
}

async function capture(url: string): Promise<void> {
  const executablePath = chromiumExecutable();
  const browser = await chromium.launch(executablePath ? { executablePath } : {});
  try {
    const page = await browser.newPage({ viewport: VIEWPORT, colorScheme: 'light' });
    await page.goto(url);
    await page.locator('#render-mode').selectOption('markdown');
    for (const [turn, question] of QUESTIONS.entries()) await ask(page, question, turn);
    // Code is coloured in idle time after the answer: wait for the highlighter's tokens.
    await page.locator('#gpt-output pre code .token').first().waitFor();
    await page.locator('#prompt').blur();
    // The thread scrolls inside the page: show the last question at its top, the page at its own.
    await page.evaluate(SHOW_LAST_QUESTION);
    await page.screenshot({ path: OUTPUT, fullPage: true });
  } finally {
    await browser.close();
  }
}

const server = await startOwnServer({ MOCK_DELAY_MS: '5' });
try {
  await capture(server.url);
  const { size } = await stat(OUTPUT);
  console.log(`wrote ${OUTPUT} (${Math.round(size / 1024)} KB)`);
} finally {
  await server.kill();
}
