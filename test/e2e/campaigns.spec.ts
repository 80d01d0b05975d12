// A campaign from the Sandbox's demo customers and its approved order_update template, in Chromium
// against the real browser host: create, preflight, send, watch the counters and the funnel chart move
// as the simulator's status webhooks come in, and export the results as CSV.
import { readFileSync } from 'node:fs';
import { expect, openApp, test } from './fixtures';
import { CampaignsPage } from './pages/campaignsPage';

test('create, preflight, send, watch counters and chart, export results', async ({ page, host }) => {
  await openApp(page, host, '#/campaigns');
  const campaigns = new CampaignsPage(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Campaigns' })).toBeVisible();
  await campaigns.newButton().click();
  await expect(page.getByRole('heading', { level: 1, name: 'New campaign' })).toBeVisible();

  await campaigns.nameInput().fill('Order follow-up');
  // The Sandbox's templates are synced in the background at its first start.
  await expect(campaigns.templateSelect()).toContainText('order_update', { timeout: 30_000 });
  await campaigns.templateSelect().selectOption({ label: 'order_update (en_US, utility)' });
  await expect(campaigns.variableSource('1')).toHaveValue('name');
  await campaigns.variableSource('2').selectOption('constant');
  await campaigns.variableText('2').fill('#2001');
  await campaigns.checkButton().click();

  await expect(campaigns.preflight()).toBeVisible({ timeout: 30_000 });
  await expect(campaigns.preflightRecipients()).not.toHaveText('0');
  const recipients = Number((await campaigns.preflightRecipients().innerText()).replace(/\D/g, ''));
  expect(recipients).toBeGreaterThan(0);
  await expect(page.getByLabel('Sample messages')).toContainText('your order #2001 is on its way');
  await expect(page.getByText(/Time zone: /)).toBeVisible();

  await campaigns.sendNow().click();
  await expect(page.getByRole('heading', { level: 1, name: 'Order follow-up' })).toBeVisible();
  // The counters and the funnel move as statuses arrive, up to every recipient delivered.
  await expect(campaigns.counter('sent')).not.toHaveText('0', { timeout: 30_000 });
  await expect(campaigns.counter('delivered')).toHaveText(recipients.toLocaleString('en-US'), {
    timeout: 60_000,
  });
  await expect(campaigns.funnelBar('delivered')).toHaveAttribute('data-value', String(recipients));
  await expect(campaigns.status()).toHaveText('Completed', { timeout: 30_000 });
  await expect(campaigns.recipientRows()).toHaveCount(recipients);

  await campaigns.exportButton().click();
  await expect(campaigns.exportLink()).toBeVisible();
  const downloading = page.waitForEvent('download');
  await campaigns.exportLink().click();
  const download = await downloading;
  const text = readFileSync(await download.path(), 'utf8');
  const lines = text.trim().split(/\r\n/);
  expect(lines[0]).toContain('phone,name,state');
  expect(lines).toHaveLength(recipients + 1);
  expect(text).toMatch(/delivered|read/);

  await page.getByRole('button', { name: 'All campaigns' }).click();
  await expect(page.getByRole('progressbar', { name: 'Progress of Order follow-up' })).toHaveAttribute(
    'aria-valuenow',
    '100',
  );
});
