import type { ChatMessage } from '@gpt-stream/protocol';
import { expect, type Page, test } from '@playwright/test';
import { writeMockAnswer } from '../apps/server/src/models/mock-answer.ts';
import { writeMockThinking } from '../apps/server/src/models/mock-thinking.ts';
import { countTokens } from '../apps/server/src/models/tokenize.ts';
import {
  type FakeOpenAI,
  startFakeOpenAI,
} from '../apps/server/src/test-support/openai-fake-server.ts';
import {
  ids,
  outputText,
  reasoningText,
  recordChatRequests,
  sendPrompt,
  showExactText,
  status,
} from './chat-page.ts';
import { type OwnServer, startOwnServer } from './own-server.ts';

const PROMPT = 'How should a chat page show a model thinking?';
const ASKED: ChatMessage[] = [{ role: 'user', content: PROMPT }];

function thinkingSection(page: Page) {
  return page.locator(ids.reasoning);
}

/** What the page shows at one moment: thinking, open or not, and the answer. */
function snapshot(page: Page) {
  return page.evaluate(
    ({ reasoning, output }) => {
      const details = document.querySelector<HTMLDetailsElement>(reasoning);
      return {
        thinking: details?.querySelector('.reasoning-text')?.textContent ?? '',
        open: details?.open ?? false,
        answer: document.querySelector(output)?.textContent ?? '',
      };
    },
    { reasoning: ids.reasoning, output: ids.output },
  );
}

test('mock-reasoning thinks in an open section, then answers, and the thinking collapses', async ({
  page,
}) => {
  await page.goto('/');
  await showExactText(page);
  await expect(thinkingSection(page)).toBeHidden();
  await sendPrompt(page, PROMPT, 'mock-reasoning');

  // While it thinks: the section is open and growing, and the answer has not begun.
  await expect
    .poll(async () => {
      const now = await snapshot(page);
      return now.thinking.length > 40 && now.open && now.answer === '';
    })
    .toBe(true);
  await expect(page.locator(`${ids.reasoning} summary`)).toHaveText('Thinking…');

  await expect(status(page)).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
  expect(await reasoningText(page)).toBe(writeMockThinking(ASKED));
  expect(await outputText(page)).toBe(writeMockAnswer(ASKED));
  // Collapsed once the answer started, kept, and saying how long it took.
  await expect(thinkingSection(page)).toBeVisible();
  await expect(thinkingSection(page)).not.toHaveAttribute('open');
  await expect(page.locator(`${ids.reasoning} summary`)).toHaveText(/^Thought for \d+ s$/);
  // The metrics count the two apart.
  await expect(page.locator(ids.metrics)).toContainText('thinking tokens');
  await expect(page.locator(ids.metrics)).toHaveAttribute(
    'data-reasoning-tokens',
    String(countTokens(writeMockThinking(ASKED))),
  );
  await expect(page.locator(ids.metrics)).toHaveAttribute(
    'data-tokens',
    String(countTokens(writeMockAnswer(ASKED))),
  );

  // A model that does not think shows no section at all; the earlier answer keeps its thinking,
  // collapsed.
  await sendPrompt(page, 'Hello', 'mock');
  await expect(status(page)).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
  await expect(thinkingSection(page)).toBeHidden();
  const earlier = page.locator(`${ids.conversation} [data-role="assistant"]`).first();
  await expect(earlier.locator('details.reasoning')).toBeVisible();
  await expect(earlier.locator('details.reasoning')).not.toHaveAttribute('open');
  expect(
    await earlier.locator('.reasoning-text').evaluate((element) => element.textContent ?? ''),
  ).toBe(writeMockThinking(ASKED));
});

test('a reload mid-thinking resumes the thinking, then the answer, each exact', async ({
  page,
}) => {
  const requests = recordChatRequests(page);
  await page.goto('/');
  await showExactText(page);
  await sendPrompt(page, PROMPT, 'mock-reasoning');
  await expect.poll(async () => (await snapshot(page)).thinking.length).toBeGreaterThan(20);
  expect((await snapshot(page)).answer).toBe('');

  await page.reload();
  // Still thinking after the reload: the replay brought the thinking so far, and more follows.
  await expect
    .poll(async () => {
      const now = await snapshot(page);
      return now.open && now.thinking.length > 20 && now.answer === '';
    })
    .toBe(true);
  await expect(status(page)).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
  expect(await reasoningText(page)).toBe(writeMockThinking(ASKED));
  expect(await outputText(page)).toBe(writeMockAnswer(ASKED));
  expect(requests.filter((request) => request.startsWith('POST'))).toEqual(['POST /api/chat']);
});

test.describe('an upstream reasoning model', () => {
  let fake: FakeOpenAI;
  let app: OwnServer | undefined;

  test.beforeAll(async () => {
    fake = await startFakeOpenAI({
      'fake-thinker': {
        kind: 'answer',
        dialect: 'reasoning',
        reasoning: ['Let me', ' think', ' about', ' this', ' slowly.'],
        pieces: ['The', ' answer.'],
        // Thinks, then goes quiet mid-thought: a Stop comes while the model thinks.
        stallAfter: 3,
      },
    });
    app = await startOwnServer({
      OPENAI_BASE_URL: fake.baseURL,
      OPENAI_MODEL: 'fake-thinker',
      UPSTREAM_IDLE_TIMEOUT_MS: '60000',
    });
  });

  test.afterAll(async () => {
    await app?.kill();
    await fake?.close();
  });

  test('Stop during thinking stops the upstream and keeps what it thought', async ({ page }) => {
    await page.goto(app?.url ?? '');
    await showExactText(page);
    await sendPrompt(page, 'Think about it', 'fake-thinker');
    await expect.poll(() => reasoningText(page)).toBe('Let me think about');
    expect(fake.requests.at(-1)?.closedEarlyAt).toBeUndefined();

    await page.locator(ids.stop).click();
    await expect(status(page)).toHaveAttribute('data-state', 'stopped');
    await expect.poll(() => fake.requests.at(-1)?.closedEarlyAt).toBeDefined();
    expect(await reasoningText(page)).toBe('Let me think about');
    expect(await outputText(page)).toBe('');
  });
});
