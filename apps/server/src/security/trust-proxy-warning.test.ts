import { API_PATHS } from '@gpt-stream/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { killStartedServers, listening, runServer } from '../test-support/process.ts';

afterEach(killStartedServers);

describe('X-Forwarded-For without TRUST_PROXY', { timeout: 30_000 }, () => {
  it('is reported once, as one JSON log line', async () => {
    const running = runServer({ MOCK_DELAY_MS: '0' });
    const url = await listening(running);
    for (let index = 0; index < 3; index++) {
      const response = await fetch(`${url}${API_PATHS.chat}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '203.0.113.7' },
        body: JSON.stringify({ prompt: 'Hi' }),
      });
      expect(response.status).toBe(200);
      await response.text();
    }
    await expect
      .poll(() => running.output().match(/"msg":"POST \/api\/chat 200"/g)?.length)
      .toBe(3);

    // Every line is one JSON document: nothing multi-line from a library on stderr.
    const lines = running
      .output()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const warnings = lines.filter(({ msg }) => String(msg).includes('TRUST_PROXY'));
    expect(warnings).toEqual([expect.objectContaining({ level: 'warn' })]);
  });
});
