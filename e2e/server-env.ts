/** The server's settings for every spec: the specs rely on these numbers. */
export const E2E_SERVER_ENV = {
  /** Slow enough that a stream spans seconds and many frames, fast enough for a quick suite. */
  MOCK_DELAY_MS: '15',
  MAX_PROMPT_CHARS: '4000',
};
