import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // These tests wait on real sockets and processes while the other packages' suites share the
    // same cores: an event that takes a second under load is slow, not missing.
    expect: { poll: { timeout: 5000 } },
  },
});
