import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { BUILT_IN_MODEL_IDS } from './models/registry.ts';

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

/** `a, b,,c` -> ['a', 'b', 'c']: a trailing or doubled comma is not a model. */
function list() {
  return z
    .string()
    .optional()
    .transform((raw) =>
      (raw ?? '')
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== ''),
    );
}

const EnvSchema = z.object({
  PORT: wholeNumber('PORT', { min: 0, max: 65_535, fallback: 8080 }),
  HOST: text('127.0.0.1'),
  MOCK_DELAY_MS: wholeNumber('MOCK_DELAY_MS', { min: 0, max: 60_000, fallback: 30 }),
  HEARTBEAT_MS: wholeNumber('HEARTBEAT_MS', { min: 10, max: 3_600_000, fallback: 15_000 }),
  MAX_PROMPT_CHARS: wholeNumber('MAX_PROMPT_CHARS', { min: 1, max: 1_000_000, fallback: 32_000 }),
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
});

type Env = z.infer<typeof EnvSchema>;

/** An OpenAI-compatible server (OpenAI, Ollama, vLLM, llama.cpp, LM Studio) and the models to offer from it. */
export interface OpenAIUpstreamConfig {
  /** Up to and including the API version, e.g. `https://api.openai.com/v1`; no trailing slash. */
  baseURL: string;
  /** Sent as a bearer token; servers that need none get no Authorization header at all. */
  apiKey?: string;
  /** The upstream's own model names; the first is the page's default. */
  models: string[];
}

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
  /** Pause before each token of the built-in models, to look like a real model. */
  mockDelayMs: number;
  /** How long a stream may stay silent before a `: ping` comment keeps it open. */
  heartbeatMs: number;
  /** Longest prompt accepted, in UTF-16 code units (what `String.length` and `maxlength` count). */
  maxPromptChars: number;
  /** The built page, served when it exists. */
  webDir: string;
  /** Set when `OPENAI_BASE_URL` is: real models next to the built-in ones. */
  openai: OpenAIUpstreamConfig | undefined;
  /** An upstream silent this long (before or during its answer) ends the stream with a retryable error. */
  upstreamIdleTimeoutMs: number;
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
  const problems: string[] = [];
  const openai = readUpstream(result.data, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port: PORT,
    host: HOST,
    mockDelayMs: MOCK_DELAY_MS,
    heartbeatMs: HEARTBEAT_MS,
    maxPromptChars: MAX_PROMPT_CHARS,
    webDir: WEB_DIR,
    openai,
    upstreamIdleTimeoutMs: result.data.UPSTREAM_IDLE_TIMEOUT_MS,
  };
}
