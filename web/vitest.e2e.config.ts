// End-to-end tests: a real `catachess serve` (embedded PostgreSQL in a temporary
// directory) and one headless Debian Chromium for the whole run; see tests/e2e/harness.ts.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    globalSetup: ['tests/e2e/globalSetup.ts'],
    // Generous: these run beside other test suites on two shared cores (a slow machine is
    // not a failure; speed is measured in bench/, not here).
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Two cores shared with other work: two test files at a time, one browser for all.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
