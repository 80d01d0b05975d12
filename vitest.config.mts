import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    // Forks, not threads: native better-sqlite3 handles and real child processes behave as in the app.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores here: more workers only adds contention to the race tests.
    maxWorkers: 2,
  },
});
