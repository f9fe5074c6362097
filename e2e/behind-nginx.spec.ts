import { API_PATHS, chatStreamPath, ERROR_CODES } from '@gpt-stream/protocol';
import { expect, type Page, type Response as PageResponse, test } from '@playwright/test';
import {
  ids,
  numberedLines,
  outputText,
  sendPrompt,
  showExactText,
  status,
  streamInFlight,
} from './chat-page.ts';
import { type Cluster, startCluster } from './cluster.ts';
import { documentedSite, siteFor } from './nginx.ts';
import type { OwnServer } from './own-server.ts';
import {
  type ReceivedFrame,
  readEventsThenCut,
  readFrames,
  sequencesOf,
  textOf,
} from './sse-frames.ts';

test('the tests run the site docs/operations.md gives, with only its instances and port swapped', async () => {
  const site = await documentedSite();
  const run = siteFor(site, ['127.0.0.1:4001', '127.0.0.1:4002'], 4000);
  const swapped = /^\s*(server [^{\s]+;|listen [^;]+;)$/;
  const kept = (text: string) => text.split('\n').filter((line) => !swapped.test(line));
  expect(kept(run)).toEqual(kept(site));
  expect(run).toContain('    server 127.0.0.1:4001;\n    server 127.0.0.1:4002;\n');
  expect(run).toMatch(/^ {4}listen 127\.0\.0\.1:4000;$/m);
});

test.describe('three instances on one Redis behind nginx', () => {
  // Three servers, Redis and nginx start for each test; the instance-loss test waits out a lease.
  test.describe.configure({ timeout: 60_000 });

  let cluster: Cluster;

  test.beforeEach(async () => {
    cluster = await startCluster(3);
  });

  test.afterEach(async () => {
    await cluster?.stop();
  });

  function post(prompt: string): Promise<Response> {
    return fetch(`${cluster.url}${API_PATHS.chat}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ prompt, model: 'echo' }),
    });
  }

  function servedBy(response: Response | PageResponse): OwnServer {
    const headers = response.headers;
    return cluster.servedBy(
      typeof headers === 'function'
        ? headers.call(response)['x-upstream']
        : headers.get('x-upstream'),
    );
  }

  function chatPost(page: Page): Promise<PageResponse> {
    return page.waitForResponse(
      (response) =>
        response.request().method() === 'POST' &&
        new URL(response.url()).pathname === API_PATHS.chat,
    );
  }

  /** Spread of a reader's deltas in time: a stream replayed only once it ended arrives at once. */
  function deltaSpreadMs(frames: readonly ReceivedFrame[]): number {
    const deltas = frames.filter(({ event }) => event.type === 'delta');
    return (deltas.at(-1)?.at ?? 0) - (deltas[0]?.at ?? 0);
  }

  test('the page streams through nginx, live, with the exact text', async ({ page }) => {
    const prompt = numberedLines(20);
    await page.goto(cluster.url);
    await showExactText(page);
    const posted = chatPost(page);
    await sendPrompt(page, prompt, 'echo');
    servedBy(await posted);
    await expect(status(page)).toHaveAttribute('data-state', 'streaming');
    await expect
      .poll(() => outputText(page).then((text) => text.length))
      .toBeGreaterThan(prompt.length / 10);
    expect((await outputText(page)).length).toBeLessThan(prompt.length);
    await expect(status(page)).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
    expect(await outputText(page)).toBe(prompt);
  });

  test('a stream cut at the proxy resumes exactly, and live, on each of the three instances', async () => {
    const prompt = numberedLines(40);
    const started = await post(prompt);
    const generator = servedBy(started);
    const cut = await readEventsThenCut(started, 6);
    const after = cut.at(-1)?.id ?? '';
    const streamId = after.split(':')[0] as string;

    // Three resumes at once: round robin hands one to each instance.
    const resumes = await Promise.all(
      [0, 1, 2].map(() => fetch(`${cluster.url}${chatStreamPath(streamId, after)}`)),
    );
    const servers = resumes.map(servedBy);
    expect(new Set(servers).size).toBe(3);
    const rests = await Promise.all(resumes.map((response) => readFrames(response)));

    for (const [index, rest] of rests.entries()) {
      expect(textOf(cut) + textOf(rest)).toBe(prompt);
      const sequences = sequencesOf([...cut, ...rest]);
      expect(sequences).toEqual(sequences.map((_, seq) => seq));
      expect(rest.at(-1)?.event.type).toBe('done');
      // Followed as generated, on the generating instance and through Redis on the others alike.
      const where = servers[index] === generator ? 'the generator' : 'another instance';
      expect(deltaSpreadMs(rest), `spread of the resume on ${where}`).toBeGreaterThan(500);
    }
  });

  test('a reload mid-stream replays the stream from another instance, exactly', async ({
    page,
  }) => {
    const prompt = numberedLines(120);
    await page.goto(cluster.url);
    await showExactText(page);
    const posted = chatPost(page);
    await sendPrompt(page, prompt, 'echo');
    const generator = servedBy(await posted);
    await expect.poll(() => outputText(page).then((text) => text.length)).toBeGreaterThan(50);

    // Where a reload's resume lands depends on how many requests came before it; requests of
    // our own between reloads shift round robin until it lands on another instance.
    let resumedOn = generator;
    for (let shift = 0; resumedOn === generator; shift++) {
      expect(shift, 'reloads until a resume lands on another instance').toBeLessThan(3);
      for (let probe = 0; probe < shift; probe++) await fetch(`${cluster.url}${API_PATHS.health}`);
      const resumed = page.waitForResponse(
        (response) =>
          response.request().method() === 'GET' &&
          new URL(response.url()).pathname.startsWith(`${API_PATHS.chat}/`),
      );
      await page.reload();
      resumedOn = servedBy(await resumed);
      await expect(status(page)).toHaveAttribute('data-state', 'streaming');
    }

    await expect(status(page)).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
    expect(await outputText(page)).toBe(prompt);
    await expect(page.locator(ids.error)).toBeHidden();
  });

  test('an instance killed mid-stream: survivors finish exact, its readers learn so within 5 s, the page regenerates', async ({
    page,
  }) => {
    const prompt = numberedLines(100);
    await page.goto(cluster.url);
    await showExactText(page);
    const posted = chatPost(page);
    await sendPrompt(page, prompt, 'echo');
    const victim = servedBy(await posted);
    await expect.poll(() => outputText(page).then((text) => text.length)).toBeGreaterThan(20);

    // One stream on each instance (round robin); the victim's is cut and followed on a survivor.
    const started = await Promise.all([0, 1, 2].map(() => post(prompt)));
    expect(new Set(started.map(servedBy)).size).toBe(3);
    const onVictim = started.find((response) => servedBy(response) === victim) as Response;
    const onSurvivors = started
      .filter((response) => response !== onVictim)
      .map((r) => readFrames(r));
    const cut = await readEventsThenCut(onVictim, 3);
    const survivor = cluster.instances.find((instance) => instance !== victim) as OwnServer;
    const after = cut.at(-1)?.id ?? '';
    const follower = await fetch(
      `${survivor.url}${chatStreamPath(after.split(':')[0] ?? '', after)}`,
    );
    const following = readFrames(follower);

    // The victim dies before storing its last events, which the page has: Redis holds every
    // write meanwhile and drops the victim's with its connection.
    await cluster.redisCommand('CLIENT', 'PAUSE', '10000', 'WRITE');
    let killedAt: number;
    let pageStreamId: string;
    try {
      const heldFrom = (await outputText(page)).length;
      await expect
        .poll(() => outputText(page).then((text) => text.length))
        .toBeGreaterThan(heldFrom + 40);
      await victim.kill();
      killedAt = Date.now();
      pageStreamId = await streamInFlight(page);
    } finally {
      await cluster.redisCommand('CLIENT', 'UNPAUSE');
    }
    // The page was reading from the victim: it resumes through nginx and is told the same.
    const pageToldAt = expect(status(page))
      .toHaveAttribute('data-state', 'error', { timeout: 8_000 })
      .then(() => Date.now());

    const followed = await following;
    const lost = followed.at(-1);
    expect(lost?.event).toEqual({
      type: 'error',
      data: { code: ERROR_CODES.instanceLost, message: expect.any(String), retryable: true },
    });
    expect((lost?.at ?? Infinity) - killedAt).toBeLessThan(5_000);
    // What was generated before the kill arrives once, in order: nothing lost, nothing twice.
    expect(prompt.startsWith(textOf(cut) + textOf(followed))).toBe(true);
    const sequences = sequencesOf([...cut, ...followed.slice(0, -1)]);
    expect(sequences).toEqual(sequences.map((_, seq) => seq));

    for (const frames of await Promise.all(onSurvivors)) {
      expect(textOf(frames)).toBe(prompt);
      expect(frames.at(-1)?.event.type).toBe('done');
    }

    // Its own retry's backoff comes on top of the 5 s. It is told of the loss, not of a cut,
    // though it had read further than Redis got.
    expect((await pageToldAt) - killedAt).toBeLessThan(8_000);
    await expect(page.locator(ids.error)).toContainText('stopped responding');
    const pageHad = await outputText(page);
    expect(prompt.startsWith(pageHad)).toBe(true);
    const stored = await readFrames(await fetch(`${survivor.url}${chatStreamPath(pageStreamId)}`));
    expect(stored.at(-1)?.event).toEqual(lost?.event);
    expect(textOf(stored).length, 'text Redis holds, beside what the page had').toBeLessThan(
      pageHad.length,
    );

    // The page offers to regenerate the lost answer, and the new one streams from a survivor.
    const lostTurn = page.locator(`${ids.conversation} [data-role="assistant"]`).last();
    await expect(lostTurn).toHaveAttribute('data-state', 'error');
    await expect(page.locator(ids.regenerate)).toBeEnabled();
    const retry = lostTurn.locator(ids.retry);
    await expect(retry).toBeVisible();
    const regenerated = chatPost(page);
    await retry.click();
    expect(servedBy(await regenerated)).not.toBe(victim);
    await expect(status(page)).toHaveAttribute('data-state', 'streaming');
    await expect(status(page)).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
    expect(await outputText(page)).toBe(prompt);
    await expect(page.locator(ids.error)).toBeHidden();

    // New streams keep working: nginx passes over the dead instance, for the page and others.
    await sendPrompt(page, 'after the loss', 'echo');
    await expect(status(page)).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
    expect(await outputText(page)).toBe('after the loss');
    for (const response of await Promise.all([0, 1, 2].map(() => post('again')))) {
      expect(servedBy(response)).not.toBe(victim);
      expect(textOf(await readFrames(response))).toBe('again');
    }
  });
});
