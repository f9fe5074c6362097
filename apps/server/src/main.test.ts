import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_PATHS, HealthSchema } from '@gpt-stream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { killStartedServers, listening, runServer as run } from './test-process.ts';
import { readStream } from './test-server.ts';

afterEach(killStartedServers);

// Each test starts real processes: generous limits for a busy machine.
describe('the server process', { timeout: 30_000 }, () => {
  it('refuses to start on a bad setting, naming it, without a stack trace', async () => {
    const running = run({ PORT: 'eighty', HEARTBEAT_MS: '-5' });
    const [code] = await once(running.child, 'exit');
    expect(code).toBe(1);
    expect(running.output()).toContain('PORT must be a whole number from 0 to 65535, got "eighty"');
    expect(running.output()).toContain('HEARTBEAT_MS must be a whole number');
    expect(running.output()).not.toMatch(/\n\s+at /);
  });

  it('says clearly when the port is taken', async () => {
    const first = run({});
    const url = await listening(first);
    const second = run({ PORT: new URL(url).port });
    const [code] = await once(second.child, 'exit');
    expect(code).toBe(1);
    expect(second.output()).toContain('is in use: set PORT to a free port');
  });

  it('on SIGTERM ends open streams with a retryable server_shutdown error, then exits', async () => {
    const running = run({ MOCK_DELAY_MS: '50' });
    const url = await listening(running);
    const response = await fetch(`${url}${API_PATHS.chat}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ prompt: 'Tell me a long story' }),
    });
    const reading = readStream(response);
    await expect
      .poll(async () => {
        const health = HealthSchema.parse(await (await fetch(`${url}${API_PATHS.health}`)).json());
        return health.activeStreams;
      })
      .toBe(1);

    running.child.kill('SIGTERM');
    const { events } = await reading;
    expect(events.at(-1)?.event).toEqual({
      type: 'error',
      data: { code: 'server_shutdown', message: expect.any(String), retryable: true },
    });
    const [code] = await once(running.child, 'exit');
    expect(code).toBe(0);
    expect(running.output()).toContain('SIGTERM: closing 1 open stream(s)');
  });

  it('serves the built page next to the API when there is one', async () => {
    const webDir = await mkdtemp(join(tmpdir(), 'gpt-stream-web-'));
    try {
      await writeFile(join(webDir, 'index.html'), '<!doctype html><title>gpt-stream</title>');
      const running = run({ WEB_DIR: webDir });
      const url = await listening(running);
      expect(running.output()).toContain(`the built page from ${webDir}`);
      const page = await fetch(`${url}/`);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('<title>gpt-stream</title>');
      expect((await fetch(`${url}${API_PATHS.health}`)).status).toBe(200);
    } finally {
      await rm(webDir, { recursive: true });
    }
  });
});
