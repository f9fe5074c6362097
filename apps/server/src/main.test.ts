import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_PATHS, HealthSchema } from '@gpt-stream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { readStream } from './test-server.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

interface Running {
  child: ChildProcess;
  output: () => string;
}

const started: ChildProcess[] = [];

/** Runs the real entry point, as `pnpm dev` does, with the given environment. */
function run(env: Record<string, string>): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  return { child, output: () => output };
}

async function listening(running: Running): Promise<string> {
  await expect.poll(running.output, { timeout: 15_000 }).toMatch(/http:\/\/127\.0\.0\.1:\d+/);
  return running.output().match(/http:\/\/127\.0\.0\.1:\d+/)?.[0] as string;
}

afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('the server process', () => {
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

  it('names the upstream models it offers at start, never the key or URL credentials', async () => {
    const running = run({
      OPENAI_BASE_URL: 'http://user:hunter2@127.0.0.1:9/v1',
      OPENAI_API_KEY: 'sk-start-secret',
      OPENAI_MODEL: 'llama3.2',
      OPENAI_EXTRA_MODELS: 'qwen2.5',
    });
    await listening(running);
    await expect
      .poll(running.output)
      .toContain('Offering llama3.2, qwen2.5 from http://127.0.0.1:9/v1');
    expect(running.output()).not.toMatch(/sk-start-secret|hunter2/);
  });

  it('refuses to start with an upstream but no model, naming the variable', async () => {
    const running = run({ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' });
    const [code] = await once(running.child, 'exit');
    expect(code).toBe(1);
    expect(running.output()).toContain('OPENAI_MODEL is required with OPENAI_BASE_URL');
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
