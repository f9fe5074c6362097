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
      streamStore: 'memory',
      redisUrl: 'redis://127.0.0.1:6379',
      streamRetentionMs: 300_000,
      memoryStoreMaxStreams: 10_000,
      memoryStoreMaxBytes: 256 * 1024 * 1024,
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
        STREAM_STORE: 'redis',
        REDIS_URL: 'rediss://user:secret@cache.internal:6380/2',
        STREAM_RETENTION_MS: '60000',
        MEMORY_STORE_MAX_STREAMS: '50',
        MEMORY_STORE_MAX_BYTES: '1048576',
      }),
    ).toEqual({
      port: 9000,
      host: '0.0.0.0',
      mockDelayMs: 0,
      heartbeatMs: 5000,
      maxPromptChars: 100,
      webDir: '/srv/page',
      streamStore: 'redis',
      redisUrl: 'rediss://user:secret@cache.internal:6380/2',
      streamRetentionMs: 60_000,
      memoryStoreMaxStreams: 50,
      memoryStoreMaxBytes: 1_048_576,
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
    ['STREAM_RETENTION_MS', '0'],
    ['MEMORY_STORE_MAX_STREAMS', 'lots'],
    ['MEMORY_STORE_MAX_BYTES', '10'],
  ])('rejects %s=%s with a message naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(
      new RegExp(`${name} must be a whole number from \\d+ to \\d+, got "${value}"`),
    );
  });

  it.each([
    ['STREAM_STORE', 'mongo', 'STREAM_STORE must be memory or redis, got "mongo"'],
    ['REDIS_URL', 'localhost:6379', 'REDIS_URL must start with redis:// or rediss://'],
  ])('rejects %s=%s, naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('takes the store name in any case', () => {
    expect(loadConfig({ STREAM_STORE: ' Redis ' }).streamStore).toBe('redis');
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
