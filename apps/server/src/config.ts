import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** Where `pnpm build` puts the page, seen from both src/ (dev) and dist/ (production). */
const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

function wholeNumber(
  name: string,
  { min, max, fallback }: { min: number; max: number; fallback: number },
) {
  return z
    .string()
    .optional()
    .transform((raw, context) => {
      const value = raw?.trim();
      if (value === undefined || value === '') return fallback;
      const parsed = Number(value);
      if (/^\d+$/.test(value) && parsed >= min && parsed <= max) return parsed;
      context.addIssue({
        code: 'custom',
        message: `${name} must be a whole number from ${min} to ${max}, got "${raw}"`,
      });
      return z.NEVER;
    });
}

function text(fallback: string) {
  return z
    .string()
    .optional()
    .transform((raw) => raw?.trim() || fallback);
}

function oneOf<const T extends string>(name: string, choices: readonly T[], fallback: T) {
  return z
    .string()
    .optional()
    .transform((raw, context) => {
      const value = raw?.trim().toLowerCase() || fallback;
      const choice = choices.find((known) => known === value);
      if (choice) return choice;
      context.addIssue({
        code: 'custom',
        message: `${name} must be ${choices.join(' or ')}, got "${raw}"`,
      });
      return z.NEVER;
    });
}

function redisUrl(fallback: string) {
  return text(fallback).transform((value, context) => {
    if (/^rediss?:\/\/./.test(value)) return value;
    context.addIssue({
      code: 'custom',
      message: `REDIS_URL must start with redis:// or rediss://, got "${value}"`,
    });
    return z.NEVER;
  });
}

const EnvSchema = z.object({
  PORT: wholeNumber('PORT', { min: 0, max: 65_535, fallback: 8080 }),
  HOST: text('127.0.0.1'),
  MOCK_DELAY_MS: wholeNumber('MOCK_DELAY_MS', { min: 0, max: 60_000, fallback: 30 }),
  HEARTBEAT_MS: wholeNumber('HEARTBEAT_MS', { min: 10, max: 3_600_000, fallback: 15_000 }),
  MAX_PROMPT_CHARS: wholeNumber('MAX_PROMPT_CHARS', { min: 1, max: 1_000_000, fallback: 32_000 }),
  WEB_DIR: text(DEFAULT_WEB_DIR),
  STREAM_STORE: oneOf('STREAM_STORE', ['memory', 'redis'], 'memory'),
  REDIS_URL: redisUrl('redis://127.0.0.1:6379'),
  STREAM_RETENTION_MS: wholeNumber('STREAM_RETENTION_MS', {
    min: 1,
    max: 86_400_000,
    fallback: 300_000,
  }),
  MEMORY_STORE_MAX_STREAMS: wholeNumber('MEMORY_STORE_MAX_STREAMS', {
    min: 1,
    max: 10_000_000,
    fallback: 10_000,
  }),
  MEMORY_STORE_MAX_BYTES: wholeNumber('MEMORY_STORE_MAX_BYTES', {
    min: 1024,
    max: 2 ** 40,
    fallback: 256 * 1024 * 1024,
  }),
});

export interface Config {
  /** 0 picks a free port. */
  port: number;
  host: string;
  /** Pause before each token of the built-in models, to look like a real model. */
  mockDelayMs: number;
  /** How long a stream may stay silent before a `: ping` comment keeps it open. */
  heartbeatMs: number;
  /** Longest prompt accepted, in UTF-16 code units (what `String.length` and `maxlength` count). */
  maxPromptChars: number;
  /** The built page, served when it exists. */
  webDir: string;
  /** Where streams are kept for resuming: this process alone, or Redis shared by every instance. */
  streamStore: 'memory' | 'redis';
  redisUrl: string;
  /**
   * How long a stream keeps generating with nobody reading, and how long its events stay
   * resumable after it ended.
   */
  streamRetentionMs: number;
  /** Bounds of the memory store; the oldest finished streams make room first. */
  memoryStoreMaxStreams: number;
  memoryStoreMaxBytes: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads the configuration from environment variables; throws ConfigError naming every bad one. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const result = EnvSchema.safeParse(env);
  if (!result.success) throw new ConfigError(result.error.issues.map((issue) => issue.message));
  const { PORT, HOST, MOCK_DELAY_MS, HEARTBEAT_MS, MAX_PROMPT_CHARS, WEB_DIR } = result.data;
  const { STREAM_STORE, REDIS_URL, STREAM_RETENTION_MS } = result.data;
  const { MEMORY_STORE_MAX_STREAMS, MEMORY_STORE_MAX_BYTES } = result.data;
  return {
    port: PORT,
    host: HOST,
    mockDelayMs: MOCK_DELAY_MS,
    heartbeatMs: HEARTBEAT_MS,
    maxPromptChars: MAX_PROMPT_CHARS,
    webDir: WEB_DIR,
    streamStore: STREAM_STORE,
    redisUrl: REDIS_URL,
    streamRetentionMs: STREAM_RETENTION_MS,
    memoryStoreMaxStreams: MEMORY_STORE_MAX_STREAMS,
    memoryStoreMaxBytes: MEMORY_STORE_MAX_BYTES,
  };
}
