/** The server's settings for every spec: the specs rely on these numbers. */
export const E2E_SERVER_ENV = {
  /** Slow enough that a stream spans seconds and many frames, fast enough for a quick suite. */
  MOCK_DELAY_MS: '15',
  MAX_PROMPT_CHARS: '4000',
  /** Every spec starts its streams from 127.0.0.1; the limit has its own tests in apps/server. */
  RATE_LIMIT_MAX: '0',
  /** Warnings and failures only: a line per request would bury Playwright's own report. */
  LOG_LEVEL: 'warn',
};
