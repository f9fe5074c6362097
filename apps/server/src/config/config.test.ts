import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { MAX_MESSAGES_LIMIT } from '@gpt-stream/protocol';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from './config.ts';

const repoFile = (name: string) =>
  readFileSync(new URL(`../../../../${name}`, import.meta.url), 'utf8');

describe('loadConfig', () => {
  it('has defaults for everything', () => {
    expect(loadConfig({})).toEqual({
      port: 8080,
      host: '127.0.0.1',
      allowedHosts: [],
      mockDelayMs: 30,
      heartbeatMs: 15_000,
      maxPromptChars: 32_000,
      maxMessages: 1000,
      systemPrompt: undefined,
      webDir: expect.stringMatching(/apps\/web\/dist$/),
      openai: undefined,
      upstreamIdleTimeoutMs: 60_000,
      upstreamThinkTags: 'split',
      shutdownGraceMs: 5000,
      logLevel: 'info',
      corsOrigins: [],
      trustProxy: false,
      rateLimitWindowMs: 60_000,
      rateLimitMax: 60,
      maxConcurrentStreams: 1000,
      maxConcurrentReaders: 2000,
      maxStreamsPerClient: 50,
      readerMaxLagBytes: 1_048_576,
      streamStore: 'memory',
      redisUrl: 'redis://127.0.0.1:6379',
      streamRetentionMs: 300_000,
      instanceLeaseMs: 3000,
      memoryStoreMaxStreams: 10_000,
      memoryStoreMaxBytes: 256 * 1024 * 1024,
    });
  });

  it('reads every variable', () => {
    expect(
      loadConfig({
        PORT: '9000',
        HOST: '0.0.0.0',
        ALLOWED_HOSTS: 'chat.example.com, .Corp.example',
        MOCK_DELAY_MS: '0',
        HEARTBEAT_MS: '5000',
        MAX_PROMPT_CHARS: '100',
        MAX_MESSAGES: '20',
        SYSTEM_PROMPT: 'Answer in French.',
        WEB_DIR: '/srv/page',
        OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1/',
        OPENAI_API_KEY: 'sk-local',
        OPENAI_MODEL: 'llama3.2',
        OPENAI_EXTRA_MODELS: 'qwen2.5, mistral',
        UPSTREAM_IDLE_TIMEOUT_MS: '5000',
        UPSTREAM_THINK_TAGS: 'Open',
        SHUTDOWN_GRACE_MS: '2000',
        LOG_LEVEL: 'WARN',
        CORS_ORIGINS: 'https://app.example.com, http://localhost:3000',
        TRUST_PROXY: '1',
        RATE_LIMIT_WINDOW_MS: '10000',
        RATE_LIMIT_MAX: '0',
        MAX_CONCURRENT_STREAMS: '50',
        MAX_CONCURRENT_READERS: '0',
        MAX_STREAMS_PER_CLIENT: '5',
        READER_MAX_LAG_BYTES: '8388608',
        STREAM_STORE: 'redis',
        REDIS_URL: 'rediss://user:secret@cache.internal:6380/2',
        STREAM_RETENTION_MS: '60000',
        INSTANCE_LEASE_MS: '5000',
        MEMORY_STORE_MAX_STREAMS: '50',
        MEMORY_STORE_MAX_BYTES: '1048576',
      }),
    ).toEqual({
      port: 9000,
      host: '0.0.0.0',
      allowedHosts: ['chat.example.com', '.corp.example'],
      mockDelayMs: 0,
      heartbeatMs: 5000,
      maxPromptChars: 100,
      maxMessages: 20,
      systemPrompt: 'Answer in French.',
      webDir: '/srv/page',
      openai: {
        baseURL: 'http://127.0.0.1:11434/v1',
        apiKey: 'sk-local',
        models: ['llama3.2', 'qwen2.5', 'mistral'],
      },
      upstreamIdleTimeoutMs: 5000,
      upstreamThinkTags: 'open',
      shutdownGraceMs: 2000,
      logLevel: 'warn',
      corsOrigins: ['https://app.example.com', 'http://localhost:3000'],
      trustProxy: 1,
      rateLimitWindowMs: 10_000,
      rateLimitMax: 0,
      maxConcurrentStreams: 50,
      maxConcurrentReaders: 0,
      maxStreamsPerClient: 5,
      readerMaxLagBytes: 8_388_608,
      streamStore: 'redis',
      redisUrl: 'rediss://user:secret@cache.internal:6380/2',
      streamRetentionMs: 60_000,
      instanceLeaseMs: 5000,
      memoryStoreMaxStreams: 50,
      memoryStoreMaxBytes: 1_048_576,
    });
  });

  it.each([
    ['loopback', ['loopback']],
    ['10.0.0.0/8, 127.0.0.1, ::1', ['10.0.0.0/8', '127.0.0.1', '::1']],
  ])('reads TRUST_PROXY=%s as a list of proxies', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(expected);
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
    ['MAX_MESSAGES', '0'],
    ['MAX_MESSAGES', 'all'],
    ['UPSTREAM_IDLE_TIMEOUT_MS', '50'],
    ['SHUTDOWN_GRACE_MS', '5s'],
    ['SHUTDOWN_GRACE_MS', '0'],
    ['RATE_LIMIT_WINDOW_MS', '10'],
    ['RATE_LIMIT_MAX', '-3'],
    ['MAX_CONCURRENT_STREAMS', 'many'],
    ['STREAM_RETENTION_MS', '0'],
    ['MEMORY_STORE_MAX_STREAMS', 'lots'],
    ['MEMORY_STORE_MAX_BYTES', '10'],
    ['READER_MAX_LAG_BYTES', '1024'],
  ])('rejects %s=%s with a message naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(
      new RegExp(`${name} must be a whole number from \\d+ to \\d+, got "${value}"`),
    );
  });

  it('rejects an UPSTREAM_THINK_TAGS it does not know, naming the choices', () => {
    expect(() => loadConfig({ UPSTREAM_THINK_TAGS: 'strip' })).toThrow(
      'UPSTREAM_THINK_TAGS must be one of split, open, off, got "strip"',
    );
  });

  it('offers an upstream without a key, and with a list of extra models that tolerates stray commas', () => {
    expect(
      loadConfig({
        OPENAI_BASE_URL: 'https://api.openai.com/v1',
        OPENAI_MODEL: ' gpt-4o-mini ',
        OPENAI_EXTRA_MODELS: ',gpt-4o,, ',
      }).openai,
    ).toEqual({ baseURL: 'https://api.openai.com/v1', models: ['gpt-4o-mini', 'gpt-4o'] });
  });

  it.each([
    [{ OPENAI_BASE_URL: 'localhost:11434' }, 'OPENAI_BASE_URL must be an http:// or https:// URL'],
    [
      { OPENAI_BASE_URL: 'ftp://example.com/v1' },
      'OPENAI_BASE_URL must be an http:// or https:// URL',
    ],
    [
      { OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' },
      'OPENAI_MODEL is required with OPENAI_BASE_URL',
    ],
    [{ OPENAI_MODEL: 'gpt-4o-mini' }, 'OPENAI_MODEL need OPENAI_BASE_URL'],
    [
      { OPENAI_API_KEY: 'sk-x', OPENAI_EXTRA_MODELS: 'a' },
      'OPENAI_API_KEY, OPENAI_EXTRA_MODELS need OPENAI_BASE_URL',
    ],
    [
      { OPENAI_BASE_URL: 'http://h/v1', OPENAI_MODEL: 'mock' },
      'must not name the built-in model "mock"',
    ],
    [
      { OPENAI_BASE_URL: 'http://h/v1', OPENAI_MODEL: 'a', OPENAI_EXTRA_MODELS: 'echo' },
      'must not name the built-in model "echo"',
    ],
    [
      { OPENAI_BASE_URL: 'http://h/v1', OPENAI_MODEL: 'a', OPENAI_EXTRA_MODELS: 'b,a' },
      'must not name a model twice',
    ],
  ])('rejects the upstream settings %j, saying what to fix', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never repeats the API key in its errors', () => {
    expect(() => loadConfig({ OPENAI_API_KEY: 'sk-secret-123' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('sk-secret-123') }),
    );
  });

  it.each([
    ['LOG_LEVEL', 'verbose', /LOG_LEVEL must be one of fatal, error, .*, got "verbose"/],
    [
      'CORS_ORIGINS',
      'https://a.example/path',
      /CORS_ORIGINS must be .*origins.*"https:\/\/a\.example\/path"/,
    ],
    ['CORS_ORIGINS', '*', /CORS_ORIGINS must be .*, got "\*"/],
    ['ALLOWED_HOSTS', 'https://chat.example.com', /ALLOWED_HOSTS must be .*host names/],
    ['ALLOWED_HOSTS', 'chat.example.com:443', /ALLOWED_HOSTS must be .*no port/],
    ['TRUST_PROXY', 'yes', /TRUST_PROXY must be .*, got "yes"/],
    ['TRUST_PROXY', '10.0.0.0/33', /TRUST_PROXY must be .*, got "10\.0\.0\.0\/33"/],
    ['STREAM_STORE', 'mongo', 'STREAM_STORE must be memory or redis, got "mongo"'],
    ['REDIS_URL', 'localhost:6379', 'REDIS_URL must start with redis:// or rediss://'],
    ['REDIS_URL', 'http://127.0.0.1:6379', 'REDIS_URL must start with redis:// or rediss://'],
    ['REDIS_URL', 'redis://127.0.0.1:6379/abc', 'REDIS_URL must end in a database number'],
    ['REDIS_URL', 'redis://127.0.0.1:6379/1/2', 'REDIS_URL must end in a database number'],
    ['REDIS_URL', 'redis://127.0.0.1:6379/-1', 'REDIS_URL must end in a database number'],
    ['REDIS_URL', 'redis://127.0.0.1/99999999999', 'REDIS_URL must end in a database number'],
    ['INSTANCE_LEASE_MS', '500', 'INSTANCE_LEASE_MS must be a whole number from 1000 to 60000'],
  ])('rejects %s=%s with a message naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it("caps MAX_MESSAGES at the protocol's own limit, and says so", () => {
    expect(loadConfig({ MAX_MESSAGES: String(MAX_MESSAGES_LIMIT) }).maxMessages).toBe(
      MAX_MESSAGES_LIMIT,
    );
    expect(() => loadConfig({ MAX_MESSAGES: String(MAX_MESSAGES_LIMIT + 1) })).toThrow(
      `MAX_MESSAGES must be a whole number from 1 to ${MAX_MESSAGES_LIMIT}`,
    );
  });

  it('keeps SYSTEM_PROMPT exactly, and a blank one as none', () => {
    const prompt = '  You are terse.\nAnswer in French.  ';
    expect(loadConfig({ SYSTEM_PROMPT: prompt }).systemPrompt).toBe(prompt);
    expect(loadConfig({ SYSTEM_PROMPT: ' \n ' }).systemPrompt).toBeUndefined();
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

describe('the documentation of the configuration', () => {
  it('lists every variable once in docs/configuration.md’s table', () => {
    const rows = repoFile('docs/configuration.md')
      .split('\n')
      .map((line) => /^\| `([A-Z0-9_]+)` +\| `?[^|]*\| /.exec(line)?.[1])
      .filter((name) => name !== undefined);
    for (const name of CONFIG_VARIABLES) expect(rows.filter((row) => row === name)).toHaveLength(1);
  });

  it('has .env.example set every variable, to values that load as the defaults', () => {
    const example = parseEnv(repoFile('.env.example'));
    expect(Object.keys(example).sort()).toEqual([...CONFIG_VARIABLES].sort());
    expect(loadConfig(example)).toEqual(loadConfig({}));
  });
});
