import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  // The renamed copy of the whole repository takes minutes: `pnpm test:rename` runs it.
  test: {
    exclude: [...configDefaults.exclude, '**/*.copy.test.ts'],
    // Each test runs git (and one tsx) as child processes on cores the other suites share.
    testTimeout: 30_000,
  },
});
