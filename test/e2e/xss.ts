// Hostile text for renderer XSS tests, and the checks that it stayed text. Every screen that shows
// customer- or user-supplied text should get a spec using these (Inbox, Templates, Campaigns and
// Chatbots add theirs the same way: put `hostileText(...)` into their data, open the screen, then
// `expectRenderedAsText` and `expectNoInjectedMarkup`).
import { expect, type Locator, type Page } from '@playwright/test';

/** What a successful injection would do: mark the window. The CSP should stop inline handlers even
 * if markup got through, so the DOM checks below are what really catch a leak. */
const FIRED = '__bellhopXssFired';

/** A label followed by markup that would run script if inserted as HTML. Stays within the contract's
 * limits (no , ; | so it is also a valid tag) and is unique per label so the text can be found. */
export function hostileText(label: string): string {
  return `${label} <img src="x" data-xss="${label}" onerror="window.${FIRED}=1"><script>window.${FIRED}=1</script><b>bold</b>`;
}

/** For fields limited to ~64 characters (tags): one element with an inline handler. */
export function compactHostileText(label: string): string {
  return `${label}<img src=x data-xss onerror=alert(1)>`;
}

/** Arms the trap before any page script runs; alerts and confirms fail the test. */
export async function armXssTrap(page: Page): Promise<void> {
  await page.addInitScript((flag) => {
    (window as unknown as Record<string, unknown>)[flag] = 0;
  }, FIRED);
  page.on('dialog', (dialog) => {
    void dialog.dismiss();
    throw new Error(`A dialog opened (injected script?): ${dialog.message()}`);
  });
}

/** The hostile string is on screen character for character (so React escaped it instead of parsing it). */
export async function expectRenderedAsText(scope: Locator, text: string): Promise<void> {
  await expect(scope.getByText(text, { exact: true }).first()).toBeVisible();
}

/** No element or script from the hostile strings made it into the DOM, and nothing ran. */
export async function expectNoInjectedMarkup(page: Page): Promise<void> {
  expect(await page.locator('img[data-xss]').count()).toBe(0);
  expect(await page.locator('#main script, #main b').count()).toBe(0);
  expect(await page.evaluate((flag) => (window as unknown as Record<string, unknown>)[flag], FIRED)).toBe(0);
}
