import { defineConfig } from '@playwright/test';

// Runs only where the Electron binary exists (scripts/electron-suite.mjs checks first).
export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  workers: 1,
  timeout: 60_000,
  reporter: [['list']],
});
