import {
  API_PATHS,
  ApiErrorBodySchema,
  type ChatMessage,
  type ChatRequest,
} from '@gpt-stream/protocol';
import { expect, type Page, test } from '@playwright/test';
import {
  ids,
  numberedLines,
  outputText,
  recordChatRequests,
  sendPrompt,
  showExactText,
  status,
} from './chat-page.ts';
import { E2E_SERVER_ENV } from './server-env.ts';

/** The body of every POST the page makes to the chat API, as the server receives it. */
function recordChatBodies(page: Page): ChatRequest[] {
  const bodies: ChatRequest[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === API_PATHS.chat) {
      bodies.push(JSON.parse(request.postData() ?? 'null') as ChatRequest);
    }
  });
  return bodies;
}

/** The thread as the page shows it: each turn's role and exact text. */
function thread(page: Page): Promise<ChatMessage[]> {
  return page.locator(`${ids.conversation} > .turn`).evaluateAll((turns) =>
    turns.map((turn) => ({
      role: (turn as HTMLElement).dataset.role as ChatMessage['role'],
      content: turn.querySelector('.turn-content')?.textContent ?? '',
    })),
  );
}

async function ask(page: Page, prompt: string, model?: string): Promise<void> {
  await sendPrompt(page, prompt, model);
  await expect(status(page)).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
}

const lastAnswer = (page: Page) =>
  page.locator(`${ids.conversation} > [data-role="assistant"]`).last();

test.beforeEach(async ({ page }) => {
  await page.goto('/');
  await expect(status(page)).toHaveAttribute('data-state', 'idle');
  // The thread is compared with what was sent, character for character.
  await showExactText(page);
});

test('a second message carries the first exchange exactly, and the thread shows both', async ({
  page,
}) => {
  const bodies = recordChatBodies(page);
  const first = '  A question with leading spaces,\n\ttabs, 你好 and 👩‍👩‍👧';
  await ask(page, first, 'mock');
  const answer = await outputText(page);
  expect(answer.length).toBeGreaterThan(100);

  await ask(page, 'And a follow-up', 'echo');
  expect(bodies.map((body) => body.messages)).toEqual([
    [{ role: 'user', content: first }],
    [
      { role: 'user', content: first },
      { role: 'assistant', content: answer },
      { role: 'user', content: 'And a follow-up' },
    ],
  ]);
  expect(await thread(page)).toEqual([
    { role: 'user', content: first },
    { role: 'assistant', content: answer },
    { role: 'user', content: 'And a follow-up' },
    { role: 'assistant', content: 'And a follow-up' },
  ]);
  // One #gpt-output, the latest answer's text.
  await expect(page.locator(ids.output)).toHaveCount(1);
  await expect(lastAnswer(page).locator(ids.output)).toHaveCount(1);
});

test('a reload mid-thread and mid-answer restores the thread and resumes the answer in its turn', async ({
  page,
}) => {
  const requests = recordChatRequests(page);
  await ask(page, 'the first prompt', 'echo');
  const second = numberedLines(40);
  await sendPrompt(page, second, 'echo');
  await expect.poll(() => outputText(page).then((text) => text.length)).toBeGreaterThan(50);

  await page.reload();
  await expect(status(page)).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
  const expected: ChatMessage[] = [
    { role: 'user', content: 'the first prompt' },
    { role: 'assistant', content: 'the first prompt' },
    { role: 'user', content: second },
    { role: 'assistant', content: second },
  ];
  expect(await thread(page)).toEqual(expected);
  expect(await outputText(page)).toBe(second);
  await expect(page.locator(ids.output)).toHaveCount(1);
  expect(requests.filter((request) => request.startsWith('POST'))).toHaveLength(2);
  expect(requests.filter((request) => request.startsWith('GET'))).toHaveLength(1);

  // Idle now: a reload shows the same thread and asks for nothing.
  const before = requests.length;
  await page.reload();
  await expect(status(page)).toHaveAttribute('data-state', 'idle');
  expect(await thread(page)).toEqual(expected);
  expect(requests).toHaveLength(before);
});

test('a stopped answer stays, marked, and is the next request’s assistant message', async ({
  page,
}) => {
  const bodies = recordChatBodies(page);
  await sendPrompt(page, numberedLines(60), 'echo');
  await expect.poll(() => outputText(page).then((text) => text.length)).toBeGreaterThan(40);
  await page.locator(ids.stop).click();
  await expect(status(page)).toHaveAttribute('data-state', 'stopped');
  const partial = await outputText(page);
  expect(numberedLines(60).startsWith(partial)).toBe(true);
  expect(partial.length).toBeLessThan(numberedLines(60).length);
  await expect(lastAnswer(page)).toHaveAttribute('data-state', 'stopped');
  await expect(lastAnswer(page).locator('.turn-note')).toContainText('sent with your next message');

  await ask(page, 'Go on', 'echo');
  expect(bodies[1]?.messages).toEqual([
    { role: 'user', content: numberedLines(60) },
    { role: 'assistant', content: partial },
    { role: 'user', content: 'Go on' },
  ]);
  // Still marked after a reload: the mark is stored with the turn.
  await page.reload();
  await expect(
    page.locator(`${ids.conversation} > [data-role="assistant"]`).first(),
  ).toHaveAttribute('data-state', 'stopped');
});

test('Regenerate asks again with the same history and replaces the last answer', async ({
  page,
}) => {
  const bodies = recordChatBodies(page);
  await ask(page, 'one', 'echo');
  const prompt = numberedLines(30);
  await sendPrompt(page, prompt, 'echo');
  await expect.poll(() => outputText(page).then((text) => text.length)).toBeGreaterThan(20);
  await page.locator(ids.stop).click();
  await expect(status(page)).toHaveAttribute('data-state', 'stopped');

  await page.locator(ids.regenerate).click();
  await expect(status(page)).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
  expect(bodies).toHaveLength(3);
  expect(bodies[2]).toEqual(bodies[1]);
  expect(await thread(page)).toEqual([
    { role: 'user', content: 'one' },
    { role: 'assistant', content: 'one' },
    { role: 'user', content: prompt },
    { role: 'assistant', content: prompt },
  ]);
  await expect(lastAnswer(page)).toHaveAttribute('data-state', 'done');
});

test('editing the last prompt replaces the last exchange', async ({ page }) => {
  const bodies = recordChatBodies(page);
  await ask(page, 'first', 'echo');
  await ask(page, 'secnod, with a typo', 'echo');

  // Up in the empty box brings the last prompt back, to edit.
  await page.locator(ids.prompt).focus();
  await page.keyboard.press('ArrowUp');
  await expect(page.locator(ids.prompt)).toHaveValue('secnod, with a typo');
  await expect(page.locator('#editing')).toBeVisible();
  await page.locator(ids.prompt).fill('second, fixed');
  await page.keyboard.press('Enter');
  await expect(status(page)).toHaveAttribute('data-state', 'done');

  expect(bodies[2]?.messages).toEqual([
    { role: 'user', content: 'first' },
    { role: 'assistant', content: 'first' },
    { role: 'user', content: 'second, fixed' },
  ]);
  expect((await thread(page)).map((turn) => turn.content)).toEqual([
    'first',
    'first',
    'second, fixed',
    'second, fixed',
  ]);
  await expect(page.locator('#editing')).toBeHidden();

  // The Edit button does the same; Escape gives up without changing anything.
  await page.getByRole('button', { name: 'Edit' }).click();
  await expect(page.locator(ids.prompt)).toHaveValue('second, fixed');
  await page.keyboard.press('Escape');
  await expect(page.locator('#editing')).toBeHidden();
  await expect(page.locator(ids.prompt)).toHaveValue('');
  expect(bodies).toHaveLength(3);
});

test('New chat empties the thread, here and after a reload, and the next request has no history', async ({
  page,
}) => {
  const bodies = recordChatBodies(page);
  await ask(page, 'before', 'echo');
  await page.locator(ids.newChat).click();
  await expect(page.locator(ids.conversation)).toBeEmpty();
  await expect(page.locator(ids.regenerate)).toBeDisabled();

  await page.reload();
  await expect(status(page)).toHaveAttribute('data-state', 'idle');
  await expect(page.locator(ids.conversation)).toBeEmpty();
  await ask(page, 'after', 'echo');
  expect(bodies[1]?.messages).toEqual([{ role: 'user', content: 'after' }]);
});

test('a history over the server’s limit shows its 413 on the page, once, with a way to retry', async ({
  page,
  request,
}) => {
  const limit = Number(E2E_SERVER_ENV.MAX_PROMPT_CHARS);
  const prompt = 'x'.repeat(Math.ceil(limit / 3));
  const direct = await request.post(API_PATHS.chat, {
    data: {
      messages: [
        { role: 'user', content: prompt },
        { role: 'assistant', content: prompt },
        { role: 'user', content: prompt },
      ],
    },
  });
  expect(direct.status()).toBe(413);
  const { message } = ApiErrorBodySchema.parse(await direct.json()).error;

  const bodies = recordChatBodies(page);
  await ask(page, prompt, 'echo');
  await sendPrompt(page, prompt, 'echo');
  await expect(status(page)).toHaveAttribute('data-state', 'error');
  await expect(page.locator(ids.error)).toContainText(message);
  await expect(lastAnswer(page)).toHaveAttribute('data-state', 'error');
  expect(bodies).toHaveLength(2);

  await page.getByRole('button', { name: 'Try again' }).click();
  await expect(status(page)).toHaveAttribute('data-state', 'error');
  expect(bodies).toHaveLength(3);
  expect(bodies[2]).toEqual(bodies[1]);
});

test('two tabs keep a thread each: neither writes over the other', async ({ page, context }) => {
  await ask(page, 'from the first tab', 'echo');

  // A new tab starts from a copy of the latest thread, then goes its own way.
  const other = await context.newPage();
  await other.goto('/');
  expect((await thread(other)).map((turn) => turn.content)).toEqual([
    'from the first tab',
    'from the first tab',
  ]);
  await ask(other, 'from the second tab', 'echo');
  await ask(page, 'the first tab again', 'echo');

  await page.reload();
  await other.reload();
  await expect(status(page)).toHaveAttribute('data-state', 'idle');
  await expect(status(other)).toHaveAttribute('data-state', 'idle');
  expect((await thread(page)).map((turn) => turn.content)).toEqual([
    'from the first tab',
    'from the first tab',
    'the first tab again',
    'the first tab again',
  ]);
  expect((await thread(other)).map((turn) => turn.content)).toEqual([
    'from the first tab',
    'from the first tab',
    'from the second tab',
    'from the second tab',
  ]);
});

test('a stored thread that cannot be read is discarded with a message, not a crash', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.evaluate(() => {
    sessionStorage.setItem('gpt-stream:thread-id', 'mine');
    localStorage.setItem('gpt-stream:thread:v1:mine', '{"turns": "not a thread"');
  });
  await page.reload();
  await expect(page.locator('#thread-notice')).toContainText('could not be read');
  await expect(page.locator(ids.conversation)).toBeEmpty();
  await ask(page, 'still works', 'echo');
  expect(errors).toEqual([]);
});
