// Each test gets its own browser host process and data folder; pages wait on the app's readiness
// signal (data-app-ready), never on fixed sleeps.
import { test as base, expect, type Page } from '@playwright/test';
import { startHostProcess, type RunningHost } from '../helpers/browserHostProcess';
import { AppShell } from './pages/appShell';

interface Fixtures {
  host: RunningHost;
  app: AppShell;
}

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form for fixtures.
  host: async ({}, use) => {
    const host = await startHostProcess();
    await use(host);
    await host.stop();
  },
  app: async ({ page, host }, use) => {
    await openApp(page, host);
    await use(new AppShell(page));
  },
});

export async function openApp(page: Page, host: RunningHost, hash = ''): Promise<void> {
  await page.goto(host.url + hash);
  await expect(page.locator('.app[data-app-ready="true"]')).toBeVisible();
}

export { expect };
