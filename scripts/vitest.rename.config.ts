import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['src/**/*.copy.test.ts'], testTimeout: 600_000, hookTimeout: 60_000 },
});
