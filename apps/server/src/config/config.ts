import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { MAX_MESSAGES_LIMIT } from '@gpt-stream/protocol';
import { z } from 'zod';
import { BUILT_IN_MODEL_IDS } from '../models/built-in-ids.ts';
import type { OpenAIUpstreamConfig } from '../models/openai.ts';
import { THINK_TAG_MODES, type ThinkTagMode } from '../models/think-tags.ts';
import { LOG_LEVELS, type LogLevel } from '../observability/logger.ts';

/** The server package's folder, seen from this source file (dev) or from the bundle, dist/main.js. */
const SERVER_DIR = new URL(import.meta.url.endsWith('.ts') ? '../../' : '../', import.meta.url);
/** Where `pnpm build` puts the page. */
const DEFAULT_WEB_DIR = fileURLToPath(new URL('../web/dist', SERVER_DIR));

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

/** Kept exactly as written, inner and outer whitespace included; blank is unset. */
function exactText() {
  return z
    .string()
    .optional()
    .transform((raw) => (raw === undefined || raw.trim() === '' ? undefined : raw));
}

function url(name: string) {
  return z
    .string()
    .optional()
    .transform((raw, context) => {
      const value = raw?.trim();
      if (value === undefined || value === '') return undefined;
      if (/^https?:\/\/[^/]/.test(value) && URL.canParse(value)) return value.replace(/\/+$/, '');
      context.addIssue({
        code: 'custom',
        message: `${name} must be an http:// or https:// URL such as http://127.0.0.1:11434/v1, got "${raw}"`,
      });
      return z.NEVER;
    });
}

/** One of a few words, case-insensitive; unset is the fallback. */
function oneOf<const T extends string>(name: string, choices: readonly T[], fallback: T) {
  return z
    .string()
    .optional()
    .transform((raw, context) => {
      const value = raw?.trim().toLowerCase() || fallback;
      const choice = choices.find((known) => known === value);
      if (choice) return choice;
      const expected = choices.length === 2 ? choices.join(' or ') : `one of ${choices.join(', ')}`;
      context.addIssue({ code: 'custom', message: `${name} must be ${expected}, got "${raw}"` });
      return z.NEVER;
    });
}

/** `a, b,,c` -> ['a', 'b', 'c']: a trailing or doubled comma is not an entry. */
function commaList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** Exact origins only (`https://app.example.com`): a path, a wildcard or a typo would fail open. */
function originList(name: string) {
  return z
    .string()
    .optional()
    .transform((raw, context) => {
      const origins = commaList(raw);
      for (const origin of origins) {
        if (URL.canParse(origin) && new URL(origin).origin === origin) continue;
        context.addIssue({
          code: 'custom',
          message: `${name} must be a comma-separated list of origins like https://app.example.com, got "${origin}"`,
        });
        return z.NEVER;
      }
      return origins;
    });
}

/** Host names, or `.example.com` for a domain and its subdomains, or `*` for any. */
function hostList(name: string) {
  return z
    .string()
    .optional()
    .transform((raw, context) => {
      const hosts = commaList(raw).map((entry) => entry.toLowerCase());
      for (const host of hosts) {
        if (host === '*' || /^\.?[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(host)) continue;
        context.addIssue({
          code: 'custom',
          message: `${name} must be a comma-separated list of host names like chat.example.com or .example.com (no scheme, no port), or *, got "${host}"`,
        });
        return z.NEVER;
      }
      return hosts;
    });
}

/**
 * How far a reader whose socket is full may fall behind, in bytes of the stream's log, before
 * it is cut and left to resume: far beyond what a model writes while a working connection
 * drains, and the bound on what one stopped reader costs the server.
 */
export const DEFAULT_READER_MAX_LAG_BYTES = 1024 * 1024;

const TRUST_PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function isAddressOrSubnet(entry: string): boolean {
  const [address = '', bits, ...rest] = entry.split('/');
  if (rest.length > 0) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (bits === undefined) return true;
  return /^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/** Express's `trust proxy`: a hop count, or the proxies' addresses; unset trusts nobody. */
function trustProxy(name: string) {
  return z
    .string()
    .optional()
    .transform((raw, context): TrustProxy => {
      const value = raw?.trim() ?? '';
      if (value === '') return false;
      if (/^\d+$/.test(value) && Number(value) <= 10) return Number(value);
      const entries = commaList(value);
      if (entries.every((entry) => TRUST_PROXY_NAMES.includes(entry) || isAddressOrSubnet(entry))) {
        return entries;
      }
      context.addIssue({
        code: 'custom',
        message: `${name} must be a number of proxy hops (0 to 10) or a comma-separated list of addresses, subnets or ${TRUST_PROXY_NAMES.join('/')}, got "${raw}"`,
      });
      return z.NEVER;
    });
}

export type TrustProxy = false | number | string[];

function list() {
  return z.string().optional().transform(commaList);
}

/** Redis's own bound on `databases`; whether the server has that many is checked at connect. */
const MAX_REDIS_DATABASE = 2 ** 31 - 1;

/** What can be told from the URL alone; credentials and the database's existence need Redis. */
function redisUrlProblem(value: string): string | undefined {
  if (!/^rediss?:\/\/./.test(value) || !URL.canParse(value)) {
    return 'must start with redis:// or rediss://, like redis://127.0.0.1:6379/0';
  }
  const database = new URL(value).pathname.replace(/^\//, '');
  if (database !== '' && !(/^\d+$/.test(database) && Number(database) <= MAX_REDIS_DATABASE)) {
    return `must end in a database number (/0, /1, ...) or nothing, not "/${database}"`;
  }
  return undefined;
}

function redisUrl(fallback: string) {
  return text(fallback).transform((value, context) => {
    const problem = redisUrlProblem(value);
    if (problem === undefined) return value;
    // The URL may carry a password: it is not repeated.
    context.addIssue({ code: 'custom', message: `REDIS_URL ${problem}` });
    return z.NEVER;
  });
}

const EnvSchema = z.object({
  PORT: wholeNumber('PORT', { min: 0, max: 65_535, fallback: 8080 }),
  HOST: text('127.0.0.1'),
  ALLOWED_HOSTS: hostList('ALLOWED_HOSTS'),
  MOCK_DELAY_MS: wholeNumber('MOCK_DELAY_MS', { min: 0, max: 60_000, fallback: 30 }),
  HEARTBEAT_MS: wholeNumber('HEARTBEAT_MS', { min: 10, max: 3_600_000, fallback: 15_000 }),
  MAX_PROMPT_CHARS: wholeNumber('MAX_PROMPT_CHARS', { min: 1, max: 1_000_000, fallback: 32_000 }),
  MAX_MESSAGES: wholeNumber('MAX_MESSAGES', { min: 1, max: MAX_MESSAGES_LIMIT, fallback: 1000 }),
  SYSTEM_PROMPT: exactText(),
  WEB_DIR: text(DEFAULT_WEB_DIR),
  OPENAI_BASE_URL: url('OPENAI_BASE_URL'),
  OPENAI_API_KEY: text(''),
  OPENAI_MODEL: text(''),
  OPENAI_EXTRA_MODELS: list(),
  UPSTREAM_IDLE_TIMEOUT_MS: wholeNumber('UPSTREAM_IDLE_TIMEOUT_MS', {
    min: 100,
    max: 3_600_000,
    fallback: 60_000,
  }),
  UPSTREAM_THINK_TAGS: oneOf('UPSTREAM_THINK_TAGS', THINK_TAG_MODES, 'split'),
  SHUTDOWN_GRACE_MS: wholeNumber('SHUTDOWN_GRACE_MS', { min: 100, max: 600_000, fallback: 5000 }),
  LOG_LEVEL: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
  CORS_ORIGINS: originList('CORS_ORIGINS'),
  TRUST_PROXY: trustProxy('TRUST_PROXY'),
  RATE_LIMIT_WINDOW_MS: wholeNumber('RATE_LIMIT_WINDOW_MS', {
    min: 1000,
    max: 86_400_000,
    fallback: 60_000,
  }),
  RATE_LIMIT_MAX: wholeNumber('RATE_LIMIT_MAX', { min: 0, max: 1_000_000, fallback: 60 }),
  MAX_CONCURRENT_STREAMS: wholeNumber('MAX_CONCURRENT_STREAMS', {
    min: 0,
    max: 1_000_000,
    fallback: 1000,
  }),
  MAX_CONCURRENT_READERS: wholeNumber('MAX_CONCURRENT_READERS', {
    min: 0,
    max: 1_000_000,
    fallback: 2000,
  }),
  READER_MAX_LAG_BYTES: wholeNumber('READER_MAX_LAG_BYTES', {
    min: 64 * 1024,
    max: 2 ** 32,
    fallback: DEFAULT_READER_MAX_LAG_BYTES,
  }),
  MAX_STREAMS_PER_CLIENT: wholeNumber('MAX_STREAMS_PER_CLIENT', {
    min: 0,
    max: 1_000_000,
    fallback: 50,
  }),
  STREAM_STORE: oneOf('STREAM_STORE', ['memory', 'redis'], 'memory'),
  REDIS_URL: redisUrl('redis://127.0.0.1:6379'),
  STREAM_RETENTION_MS: wholeNumber('STREAM_RETENTION_MS', {
    min: 1,
    max: 86_400_000,
    fallback: 300_000,
  }),
  INSTANCE_LEASE_MS: wholeNumber('INSTANCE_LEASE_MS', {
    min: 1000,
    max: 60_000,
    fallback: 3000,
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

/** Every variable the server reads; docs/configuration.md and `.env.example` list exactly these. */
export const CONFIG_VARIABLES = Object.keys(EnvSchema.shape);

type Env = z.infer<typeof EnvSchema>;

/** Checks the upstream variables together: they only make sense as a set. */
function readUpstream(env: Env, problems: string[]): OpenAIUpstreamConfig | undefined {
  const { OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_MODEL, OPENAI_EXTRA_MODELS } = env;
  const models = [OPENAI_MODEL, ...OPENAI_EXTRA_MODELS].filter((model) => model !== '');
  if (OPENAI_BASE_URL === undefined) {
    const stray = [
      ...(OPENAI_API_KEY ? ['OPENAI_API_KEY'] : []),
      ...(OPENAI_MODEL ? ['OPENAI_MODEL'] : []),
      ...(OPENAI_EXTRA_MODELS.length > 0 ? ['OPENAI_EXTRA_MODELS'] : []),
    ];
    if (stray.length > 0) {
      problems.push(
        `${stray.join(', ')} need OPENAI_BASE_URL, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1`,
      );
    }
    return undefined;
  }
  if (OPENAI_MODEL === '') {
    problems.push('OPENAI_MODEL is required with OPENAI_BASE_URL: the upstream model to offer');
  }
  for (const id of new Set(models)) {
    if ((BUILT_IN_MODEL_IDS as readonly string[]).includes(id)) {
      problems.push(
        `OPENAI_MODEL and OPENAI_EXTRA_MODELS must not name the built-in model "${id}"`,
      );
    }
  }
  if (new Set(models).size !== models.length) {
    problems.push('OPENAI_MODEL and OPENAI_EXTRA_MODELS must not name a model twice');
  }
  return {
    baseURL: OPENAI_BASE_URL,
    ...(OPENAI_API_KEY ? { apiKey: OPENAI_API_KEY } : {}),
    models,
  };
}

export interface Config {
  /** 0 picks a free port. */
  port: number;
  host: string;
  /**
   * Host names the server answers to besides loopback names (and, bound to the network, IP
   * addresses); `*` for any. Guards against DNS rebinding.
   */
  allowedHosts: string[];
  /** Pause before each token of the built-in models, to look like a real model. */
  mockDelayMs: number;
  /** How long a stream may stay silent before a `: ping` comment keeps it open. */
  heartbeatMs: number;
  /**
   * Most characters a conversation may hold, all its messages together, in UTF-16 code units (what
   * `String.length` and `maxlength` count).
   */
  maxPromptChars: number;
  /** Most messages a conversation may hold, the new question included. */
  maxMessages: number;
  /**
   * Sent to the model as the first message when a conversation brings no system message of its
   * own; not counted against `maxPromptChars`, which bounds what the client sends.
   */
  systemPrompt: string | undefined;
  /** The built page, served when it exists. */
  webDir: string;
  /** Set when `OPENAI_BASE_URL` is: real models next to the built-in ones. */
  openai: OpenAIUpstreamConfig | undefined;
  /** An upstream silent this long (before or during its answer) ends the stream with a retryable error. */
  upstreamIdleTimeoutMs: number;
  /** How an upstream's `<think>` block in the answer is split off as thinking (see think-tags.ts). */
  upstreamThinkTags: ThinkTagMode;
  /** How long shutdown waits for streams to end and connections to close before exiting anyway. */
  shutdownGraceMs: number;
  logLevel: LogLevel;
  /** Other origins whose pages may call the API; empty means same origin only. */
  corsOrigins: string[];
  /** Which proxies' `X-Forwarded-For` to believe, so that rate limits see the real client. */
  trustProxy: TrustProxy;
  rateLimitWindowMs: number;
  /** Streams one client address may start per window; 0 turns the limit off. */
  rateLimitMax: number;
  /** Streams open at once on this process; 0 turns the cap off. */
  maxConcurrentStreams: number;
  /** Responses reading a stream at once on this process (starts and resumes); 0: no cap. */
  maxConcurrentReaders: number;
  /** Running streams one client address may hold at once; 0: no cap. */
  maxStreamsPerClient: number;
  /** How far (bytes of the stream's log) a reader whose socket is full may fall behind before it is cut. */
  readerMaxLagBytes: number;
  /** Where streams are kept for resuming: this process alone, or Redis shared by every instance. */
  streamStore: 'memory' | 'redis';
  redisUrl: string;
  /**
   * How long a stream keeps generating with nobody reading, and how long its events stay
   * resumable after it ended.
   */
  streamRetentionMs: number;
  /**
   * With Redis: how long an instance's lease on its streams lasts unrenewed (it renews every
   * third of it); a reader learns that the instance is gone within about 4/3 of it.
   */
  instanceLeaseMs: number;
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
  const data = result.data;
  const problems: string[] = [];
  const openai = readUpstream(data, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port: data.PORT,
    host: data.HOST,
    allowedHosts: data.ALLOWED_HOSTS,
    mockDelayMs: data.MOCK_DELAY_MS,
    heartbeatMs: data.HEARTBEAT_MS,
    maxPromptChars: data.MAX_PROMPT_CHARS,
    maxMessages: data.MAX_MESSAGES,
    systemPrompt: data.SYSTEM_PROMPT,
    webDir: data.WEB_DIR,
    openai,
    upstreamIdleTimeoutMs: data.UPSTREAM_IDLE_TIMEOUT_MS,
    upstreamThinkTags: data.UPSTREAM_THINK_TAGS,
    shutdownGraceMs: data.SHUTDOWN_GRACE_MS,
    logLevel: data.LOG_LEVEL,
    corsOrigins: data.CORS_ORIGINS,
    trustProxy: data.TRUST_PROXY,
    rateLimitWindowMs: data.RATE_LIMIT_WINDOW_MS,
    rateLimitMax: data.RATE_LIMIT_MAX,
    maxConcurrentStreams: data.MAX_CONCURRENT_STREAMS,
    maxConcurrentReaders: data.MAX_CONCURRENT_READERS,
    maxStreamsPerClient: data.MAX_STREAMS_PER_CLIENT,
    readerMaxLagBytes: data.READER_MAX_LAG_BYTES,
    streamStore: data.STREAM_STORE,
    redisUrl: data.REDIS_URL,
    streamRetentionMs: data.STREAM_RETENTION_MS,
    instanceLeaseMs: data.INSTANCE_LEASE_MS,
    memoryStoreMaxStreams: data.MEMORY_STORE_MAX_STREAMS,
    memoryStoreMaxBytes: data.MEMORY_STORE_MAX_BYTES,
  };
}
