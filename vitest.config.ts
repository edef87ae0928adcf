import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start the compiled CLI; build it once before any test runs.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests spawn dozens of processes; on a 2-core machine running test files in
    // parallel only makes timing-dependent assertions flaky.
    fileParallelism: false,
  },
});
