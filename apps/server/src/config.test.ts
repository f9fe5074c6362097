import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has defaults for everything', () => {
    expect(loadConfig({})).toEqual({
      port: 8080,
      host: '127.0.0.1',
      mockDelayMs: 30,
      heartbeatMs: 15_000,
      maxPromptChars: 32_000,
      webDir: expect.stringMatching(/apps\/web\/dist$/),
    });
  });

  it('reads every variable', () => {
    expect(
      loadConfig({
        PORT: '9000',
        HOST: '0.0.0.0',
        MOCK_DELAY_MS: '0',
        HEARTBEAT_MS: '5000',
        MAX_PROMPT_CHARS: '100',
        WEB_DIR: '/srv/page',
      }),
    ).toEqual({
      port: 9000,
      host: '0.0.0.0',
      mockDelayMs: 0,
      heartbeatMs: 5000,
      maxPromptChars: 100,
      webDir: '/srv/page',
    });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', HOST: ' ' })).toMatchObject({ port: 8080, host: '127.0.0.1' });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '80.5'],
    ['MOCK_DELAY_MS', '-1'],
    ['HEARTBEAT_MS', '0'],
    ['MAX_PROMPT_CHARS', '1e3'],
  ])('rejects %s=%s with a message naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(
      new RegExp(`${name} must be a whole number from \\d+ to \\d+, got "${value}"`),
    );
  });

  it('names every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'x', HEARTBEAT_MS: 'y' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toHaveLength(2);
    }
  });
});
