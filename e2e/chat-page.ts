import { API_PATHS, HealthSchema } from '@gpt-stream/protocol';
import type { APIRequestContext, Page, Request } from '@playwright/test';

/** The ids of the page contract. */
export const ids = {
  prompt: '#prompt',
  model: '#model',
  send: '#send',
  stop: '#stop',
  output: '#gpt-output',
  reasoning: '#gpt-reasoning',
  renderMode: '#render-mode',
  conversation: '#conversation',
  regenerate: '#regenerate',
  /** The Try again button of a failed answer. */
  retry: '#retry',
  newChat: '#new-chat',
  status: '#status',
  error: '#error',
  metrics: '#metrics',
} as const;

export async function sendPrompt(page: Page, prompt: string, model?: string): Promise<void> {
  if (model) await page.locator(ids.model).selectOption(model);
  await page.locator(ids.prompt).fill(prompt);
  await page.locator(ids.send).click();
}

/**
 * Shows answers as their exact text instead of rendered Markdown: what the tests that compare
 * the text on screen with what was sent need. The choice is kept across reloads.
 */
export async function showExactText(page: Page): Promise<void> {
  await page.locator(ids.renderMode).selectOption('text');
}

/** The exact text, newlines and all: `innerText` would normalise it. */
export function outputText(page: Page): Promise<string> {
  return page.locator(ids.output).evaluate((element) => element.textContent ?? '');
}

/** The latest answer's thinking, exactly, without the section's summary line. */
export function reasoningText(page: Page): Promise<string> {
  return page
    .locator(`${ids.reasoning} .reasoning-text`)
    .evaluate((element) => element.textContent ?? '');
}

export function status(page: Page) {
  return page.locator(`${ids.status}`);
}

export async function activeStreams(request: APIRequestContext): Promise<number> {
  const response = await request.get(API_PATHS.health);
  return HealthSchema.parse(await response.json()).activeStreams;
}

/** Resolves after the page has painted twice: anything already received is on screen by then. */
export function twoFrames(page: Page): Promise<void> {
  return page.evaluate(
    () =>
      new Promise<void>((resolve) =>
        requestAnimationFrame(() => requestAnimationFrame(() => resolve())),
      ),
  );
}

/** Keeps the page's main thread busy for `ms`: what arrives meanwhile waits to be read. */
export function busyFor(page: Page, ms: number): Promise<void> {
  return page.evaluate((until) => {
    const end = performance.now() + until;
    while (performance.now() < end);
  }, ms);
}

/** The id of the stream the page is reading, as it keeps it to resume after a reload. */
export async function streamInFlight(page: Page): Promise<string> {
  const saved = await page.evaluate(() => sessionStorage.getItem('gpt-stream:active-stream'));
  const streamId: unknown = saved === null ? undefined : JSON.parse(saved).streamId;
  if (typeof streamId !== 'string') throw new Error(`the page reads no stream (it saved ${saved})`);
  return streamId;
}

/** Every request the page makes to the chat API (POST, resumes, stops), as "METHOD /path?query". */
export function recordChatRequests(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (request: Request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith(API_PATHS.chat)) {
      seen.push(`${request.method()} ${url.pathname}${url.search}`);
    }
  });
  return seen;
}

/** The prompt's text at echo's pace: enough tokens that the stream lasts a few seconds. */
export function numberedLines(count: number): string {
  return Array.from({ length: count }, (_, index) => `line ${index + 1} of the echo`).join('\n');
}

declare global {
  interface Window {
    cspViolations: string[];
  }
}

/** Collects, from the page's first script on, every Content-Security-Policy violation. */
export async function recordCspViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return () => page.evaluate(() => window.cspViolations);
}
