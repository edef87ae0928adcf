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
    // Integration tests race real processes for real locks; on a shared, loaded machine a
    // scheduling stall can starve one run of the contention it needs. A behaviour that is really
    // broken fails every attempt; a run that was merely starved gets another try.
    retry: 2,
  },
});
