import { API_PATHS, chatStreamPath } from '@gpt-stream/protocol';
import { expect, test } from '@playwright/test';
import { numberedLines } from './chat-page.ts';
import { parseFrames, readEventsThenCut, sequencesOf, textOf } from './sse-frames.ts';

test("Chromium's own EventSource gets the rest of a cut stream once, then stops for good", async ({
  page,
  baseURL,
}) => {
  const prompt = numberedLines(30);
  const started = await fetch(`${baseURL}${API_PATHS.chat}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ prompt, model: 'echo' }),
  });
  const cut = await readEventsThenCut(started, 5);
  const lastId = cut.at(-1)?.id ?? '';
  const streamId = lastId.split(':')[0] ?? '';
  const path = chatStreamPath(streamId, lastId);

  const requests: { lastEventId: string | undefined; status: number }[] = [];
  page.on('response', async (response) => {
    if (new URL(response.url()).pathname !== chatStreamPath(streamId)) return;
    const headers = await response.request().allHeaders();
    requests.push({ lastEventId: headers['last-event-id'], status: response.status() });
  });
  await page.goto('/');
  // Each event as EventSource hands it over, then its readyState once it gives up.
  const { frames, closed } = await page.evaluate(
    (url) =>
      new Promise<{ frames: string; closed: boolean }>((resolve) => {
        const source = new EventSource(url);
        let frames = '';
        for (const type of ['start', 'delta', 'done', 'error']) {
          source.addEventListener(type, (event) => {
            if (event instanceof MessageEvent)
              frames += `event: ${type}\nid: ${event.lastEventId}\ndata: ${event.data}\n\n`;
          });
        }
        source.onerror = () => {
          if (source.readyState === EventSource.CLOSED) {
            resolve({ frames, closed: source.readyState === EventSource.CLOSED });
          }
        };
      }),
    path,
  );
  const rest = parseFrames(frames);

  expect(textOf(cut) + textOf(rest)).toBe(prompt);
  const sequences = sequencesOf([...cut, ...rest]);
  expect(sequences).toEqual(sequences.map((_, index) => index));
  expect(rest.at(-1)?.event.type).toBe('done');
  expect(closed).toBe(true);
  // The response ended, EventSource reconnected by itself with the id of `done`, got 204, stopped.
  await expect.poll(() => requests.length).toBe(2);
  expect(requests).toEqual([
    { lastEventId: undefined, status: 200 },
    { lastEventId: rest.at(-1)?.id, status: 204 },
  ]);
});
