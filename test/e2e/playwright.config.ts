import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from '../helpers/chromium';

// Drives the browser host in Debian's Chromium (never a downloaded browser build).
export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  // After the last spec: no secret of any data folder the run used is in its logs (logScan.global.ts).
  globalSetup: './logScan.global.ts',
  fullyParallel: true,
  workers: 2,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    launchOptions: chromiumLaunchOptions,
    trace: 'off',
    screenshot: 'off',
  },
});
