import { expect, test } from '@playwright/test';
import {
  type FakeOpenAI,
  startFakeOpenAI,
} from '../apps/server/src/test-support/openai-fake-server.ts';
import { ids, outputText, sendPrompt, showExactText, status } from './chat-page.ts';
import { type OwnServer, startOwnServer } from './own-server.ts';

const ANSWER = [
  'Hello',
  ' from',
  ' the',
  ' upstream',
  ':',
  ' 你好',
  ' 👩‍👩‍👧',
  '\n\n',
  'Done',
  '.',
];

let fake: FakeOpenAI;
let app: OwnServer | undefined;
let appURL: string;

/**
 * This spec needs a server configured with an upstream, so it starts its own production server
 * (on a free port) in front of a fake OpenAI-compatible upstream run by the test itself.
 */
test.beforeAll(async () => {
  fake = await startFakeOpenAI({
    'fake-llm': { kind: 'answer', pieces: ANSWER },
    'fake-stall': { kind: 'answer', pieces: ANSWER, stallAfter: 3 },
  });
  app = await startOwnServer({
    OPENAI_BASE_URL: fake.baseURL,
    OPENAI_API_KEY: 'sk-e2e-never-in-the-page',
    OPENAI_MODEL: 'fake-llm',
    OPENAI_EXTRA_MODELS: 'fake-stall',
  });
  appURL = app.url;
});

test.afterAll(async () => {
  await app?.kill();
  await fake?.close();
});

test('the upstream models are in #model, the first selected, and stream exactly', async ({
  page,
}) => {
  await page.goto(appURL);
  await showExactText(page);
  await expect(page.locator(`${ids.model} option`)).toHaveText([
    'fake-llm',
    'fake-stall',
    'mock',
    'mock-reasoning',
    'echo',
  ]);
  await expect(page.locator(ids.model)).toHaveValue('fake-llm');
  await sendPrompt(page, 'Say hello');
  await expect(status(page)).toHaveAttribute('data-state', 'done');
  expect(await outputText(page)).toBe(ANSWER.join(''));
  expect(await page.content()).not.toContain('sk-e2e-never-in-the-page');
});

test('Stop closes the upstream connection within a second', async ({ page }) => {
  await page.goto(appURL);
  await showExactText(page);
  await sendPrompt(page, 'Say hello', 'fake-stall');
  await expect(page.locator(ids.output)).toHaveText(ANSWER.slice(0, 3).join(''));
  await expect(status(page)).toHaveAttribute('data-state', 'streaming');
  const request = fake.requests.at(-1);
  expect(request?.body.model).toBe('fake-stall');
  expect(request?.closedEarlyAt).toBeUndefined();

  const stoppedAt = Date.now();
  await page.locator(ids.stop).click();
  await expect(status(page)).toHaveAttribute('data-state', 'stopped');
  await expect.poll(() => request?.closedEarlyAt).toBeDefined();
  expect((request?.closedEarlyAt ?? Number.POSITIVE_INFINITY) - stoppedAt).toBeLessThan(1000);
});
