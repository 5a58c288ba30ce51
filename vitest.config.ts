import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // The emulator and the client share one machine with 2 cores; forks keep tests isolated.
    pool: 'forks',
  },
});
