/**
 * The thread half of the rendering benchmark: a page that restores a stored thread of 0, 10 and
 * 200 turns (the empty one is the baseline), measured two ways in the same Chromium:
 *
 * - load: from navigation until the restored thread is painted (two frames after
 *   DOMContentLoaded, which waits for the page's module script and so for the restore);
 * - first token: from pressing Send for a new answer until its first text is painted, and until
 *   it arrived (the page's own #metrics): the difference is what painting it cost, while the
 *   arrival grows with the history the request carries.
 */
import type { Browser } from '@playwright/test';
import { textOfTokens } from './exact-tokens.ts';

/** Tokens per exchange: a short prompt and a long answer, as chats go. */
const PROMPT_TOKENS = 20;
const ANSWER_TOKENS = 980;
const THREAD_KEY = 'gpt-stream:thread:v1:bench';

export const THREAD_SIZES = [0, 10, 200] as const;

export interface ThreadRun {
  turns: number;
  loadMs: number;
  firstTokenMs: number;
  /** The page's own time to first token (#metrics): until the first text arrived, unpainted. */
  arrivedMs: number;
}

/** A stored thread of `turns` turns, (turns / 2) * 1,000 tokens in all, as the page stores it. */
export function storedThread(turns: number): string {
  const prompt = textOfTokens(PROMPT_TOKENS);
  const answer = textOfTokens(ANSWER_TOKENS);
  const list = Array.from({ length: turns }, (_, index) =>
    index % 2 === 0
      ? { role: 'user', content: `${index / 2}${prompt}` }
      : { role: 'assistant', content: answer, state: 'done' },
  );
  return JSON.stringify({ updatedAt: Date.now(), turns: list });
}

export function threadTokens(turns: number): number {
  return (turns / 2) * (PROMPT_TOKENS + ANSWER_TOKENS);
}

/** A string, not a function: tsx would wrap a function in a helper the page does not have. */
function seedScript(value: string): string {
  return `{
    if (${JSON.stringify(value)} !== '') localStorage.setItem(${JSON.stringify(THREAD_KEY)}, ${JSON.stringify(value)});
    document.addEventListener('DOMContentLoaded', () => {
      requestAnimationFrame(() => requestAnimationFrame(() => { window.threadPaintedAt = performance.now(); }));
    });
  }`;
}

export async function threadRun(browser: Browser, url: string, turns: number): Promise<ThreadRun> {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.addInitScript(seedScript(turns === 0 ? '' : storedThread(turns)));
    await page.goto(url);
    await page.waitForFunction(() => 'threadPaintedAt' in window);
    await page.locator('#model option[value="echo"]').waitFor({ state: 'attached' });
    await page.locator('#model').selectOption('echo');
    const result = await page.evaluate(async () => {
      const thread = document.getElementById('conversation') as HTMLElement;
      const status = document.getElementById('status') as HTMLElement;
      const prompt = document.getElementById('prompt') as HTMLTextAreaElement;
      const restored = thread.children.length;
      prompt.value = 'A new question, after all those turns.';
      const painted = new Promise<number>((resolve) => {
        const observer = new MutationObserver(() => {
          if (!document.getElementById('gpt-output')?.textContent) return;
          observer.disconnect();
          requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now())));
        });
        observer.observe(thread, { childList: true, subtree: true, characterData: true });
      });
      const ended = new Promise<void>((resolve) => {
        new MutationObserver(() => {
          if (['done', 'stopped', 'error'].includes(status.dataset.state ?? '')) resolve();
        }).observe(status, { attributeFilter: ['data-state'] });
      });
      const sentAt = performance.now();
      (document.getElementById('send') as HTMLElement).click();
      const firstTokenMs = (await painted) - sentAt;
      await ended;
      return {
        restored,
        loadMs: (window as unknown as { threadPaintedAt: number }).threadPaintedAt,
        firstTokenMs,
        arrivedMs: Number(document.getElementById('metrics')?.dataset.ttftMs),
        state: status.dataset.state,
        answer: document.getElementById('gpt-output')?.textContent,
        notice: document.getElementById('thread-notice')?.textContent,
        error: document.getElementById('error')?.textContent,
      };
    });
    if (
      result.restored !== turns ||
      result.state !== 'done' ||
      result.answer !== 'A new question, after all those turns.' ||
      result.notice
    ) {
      throw new Error(
        `thread of ${turns}: restored ${result.restored}, ended ${result.state}. ${result.error}${result.notice}`,
      );
    }
    const { loadMs, firstTokenMs, arrivedMs } = result;
    return { turns, loadMs, firstTokenMs, arrivedMs };
  } finally {
    await context.close();
  }
}
