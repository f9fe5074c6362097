import { API_PATHS, chatStreamPath, RESUME_AFTER_PARAM } from '@gpt-stream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { testModels } from '../test-support/scripted-models.ts';
import { postChat, readStream, startTestServer, type TestServer } from '../test-support/server.ts';
import { REQUEST_ID_HEADER } from './request-logger.ts';

let server: TestServer;

afterEach(async () => {
  await server.close();
});

function linesWith(msg: string) {
  return server.logs.filter((line) => line.msg === msg);
}

describe('the log', () => {
  it('has one line per stream end: id, model, tokens, duration and how it ended', async () => {
    server = await startTestServer({ models: testModels });
    const done = await readStream(await postChat(server, { prompt: 'Hi', model: 'steady' }));
    const failed = await readStream(await postChat(server, { prompt: 'Hi', model: 'broken' }));
    // Its prefix: see the test of stream ids below.
    const idOf = ({ events }: typeof done) =>
      events[0]?.event.type === 'start'
        ? `${events[0].event.data.streamId.slice(0, 8)}…`
        : undefined;

    await expect
      .poll(() => linesWith('stream ended').length + linesWith('stream failed').length)
      .toBe(2);
    expect(linesWith('stream ended')).toEqual([
      expect.objectContaining({
        level: 'info',
        streamId: idOf(done),
        model: 'steady',
        outcome: 'done',
        finishReason: 'stop',
        tokens: 3,
        durationMs: expect.any(Number),
        firstTokenMs: expect.any(Number),
      }),
    ]);
    const [failure] = linesWith('stream failed');
    expect(failure).toMatchObject({
      level: 'error',
      streamId: idOf(failed),
      model: 'broken',
      outcome: 'model_failed',
      tokens: 1,
    });
    // The cause stays in the log, with its stack, and nowhere else.
    expect(failure?.err).toMatchObject({ message: expect.stringContaining('secret upstream key') });
    expect((failure?.err as { stack?: string } | undefined)?.stack).toContain('broken');
    expect(JSON.stringify(failed)).not.toContain('secret');
  });

  it('says when the reader left before the end', async () => {
    server = await startTestServer({ models: testModels });
    const leaving = new AbortController();
    const response = await postChat(
      server,
      { prompt: 'Hi', model: 'endless', resumable: false },
      { signal: leaving.signal },
    );
    await (response.body as ReadableStream<Uint8Array>).getReader().read();
    leaving.abort();
    await expect
      .poll(() => linesWith('stream ended'))
      .toEqual([expect.objectContaining({ model: 'endless', outcome: 'client_left' })]);
  });

  it('has one line per request, tied to the X-Request-Id it answers with, without headers', async () => {
    server = await startTestServer();
    const response = await fetch(`${server.url}${API_PATHS.models}`, {
      headers: { Authorization: 'Bearer secret-token', Cookie: 'session=secret-cookie' },
    });
    const requestId = response.headers.get(REQUEST_ID_HEADER);
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const missing = await fetch(`${server.url}/api/nope`);
    expect(missing.status).toBe(404);

    await expect.poll(() => server.logs.filter((line) => 'responseTime' in line).length).toBe(2);
    const [ok, notFound] = server.logs.filter((line) => 'responseTime' in line);
    expect(ok).toMatchObject({
      level: 'info',
      req: { id: requestId, method: 'GET', url: API_PATHS.models },
      res: { statusCode: 200 },
      clientIp: '127.0.0.1',
      responseTime: expect.any(Number),
    });
    expect(notFound).toMatchObject({ level: 'warn', res: { statusCode: 404 } });
    expect(JSON.stringify(server.logs)).not.toContain('secret');
  });
});

describe('a stream id in the log', () => {
  it('appears only as a prefix: whoever has the whole id can read and stop the stream', async () => {
    server = await startTestServer({ models: testModels });
    const stream = await readStream(await postChat(server, { prompt: 'Hi', model: 'steady' }));
    const start = stream.events[0]?.event;
    const streamId = start?.type === 'start' ? start.data.streamId : '';
    const lastId = stream.events.at(-1)?.id ?? '';
    await readStream(await fetch(`${server.url}${chatStreamPath(streamId)}`));
    await fetch(
      `${server.url}${chatStreamPath(streamId)}?${RESUME_AFTER_PARAM}=${encodeURIComponent(lastId)}`,
    );
    await fetch(`${server.url}${chatStreamPath(streamId)}?${RESUME_AFTER_PARAM}=${lastId}`);
    await fetch(`${server.url}${chatStreamPath(streamId)}`, { method: 'DELETE' });
    await fetch(`${server.url}${chatStreamPath(streamId.toUpperCase())}/nope`);

    await expect.poll(() => server.logs.filter((line) => 'responseTime' in line).length).toBe(6);
    const logged = JSON.stringify(server.logs).toLowerCase();
    expect(logged).not.toContain(streamId);
    // Enough of it to tell streams apart and follow one through the log.
    const prefix = `${streamId.slice(0, 8)}…`;
    expect(linesWith('stream ended')).toEqual([expect.objectContaining({ streamId: prefix })]);
    const urls = server.logs.flatMap(({ req }) => (req ? [(req as { url: string }).url] : []));
    expect(urls).toContain(`${API_PATHS.chat}/${prefix}`);
    expect(urls).toContain(
      `${API_PATHS.chat}/${prefix}?${RESUME_AFTER_PARAM}=${prefix}:${lastId.split(':')[1]}`,
    );
  });
});
