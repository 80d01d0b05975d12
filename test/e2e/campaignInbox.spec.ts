// Campaign screens against the real browser host and its Sandbox, in Chromium (issue 8):
// - the preflight names who a problem concerns: a variable mapped to an attribute nobody has lists the
//   demo customers with their number and what is empty;
// - the campaign page shows the unconfirmed-resend setting and changes it while the campaign can still
//   send; once it is cancelled the setting is shown but no longer offered for change;
// - a sent campaign shows in the customer's chat: the message as the customer read it, marked as from the
//   campaign, with its ticks, and the customer's reply right after it;
// - an inbox already open in another tab shows the customer's chat with the campaign message as its
//   preview as the campaign sends, without a reload (the conversations:changed push).
import { expect, openApp, test } from './fixtures';
import { CampaignsPage } from './pages/campaignsPage';
import { InboxPage } from './pages/inboxPage';

test('preflight examples, the resend setting, and a campaign message in the customer chat', async ({
  page,
  host,
}) => {
  await openApp(page, host, '#/campaigns');
  const campaigns = new CampaignsPage(page);
  await campaigns.newButton().click();
  await campaigns.nameInput().fill('Loyalty codes');
  await expect(campaigns.templateSelect()).toContainText('order_update', { timeout: 30_000 });
  await campaigns.templateSelect().selectOption({ label: 'order_update (en_US, utility)' });
  // {{2}} from an attribute no demo customer has, without a fallback: every recipient would be skipped.
  await campaigns.variableSource('2').selectOption('attribute');
  await campaigns.variableAttribute('2').fill('vip_code');
  await campaigns.checkButton().click();
  const examples = campaigns.problemExamples(/empty variable/);
  await expect(examples).toBeVisible({ timeout: 30_000 });
  const maria = examples.getByRole('row').filter({ hasText: '+14155550123' });
  await expect(maria).toContainText('Maria Lopez');
  await expect(maria).toContainText('{{2}} is empty (attribute “vip_code”, no fallback)');
  // The header, five recipients, and "and N more".
  await expect(examples.getByRole('row')).toHaveCount(1 + 5 + 1);
  await expect(examples).toContainText(/and \d+ more/);
  await expect(campaigns.sendNow()).toBeDisabled();

  // Fixed: a constant for {{2}}; then scheduled for tomorrow.
  await campaigns.variableSource('2').selectOption('constant');
  await campaigns.variableText('2').fill('#3001');
  await campaigns.checkButton().click();
  await expect(campaigns.preflight()).toBeVisible({ timeout: 30_000 });
  await expect(campaigns.problemExamples(/empty variable/)).toHaveCount(0);
  const tomorrow = new Date(Date.now() + 24 * 3_600_000);
  const local = new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60_000)
    .toISOString()
    .slice(0, 16);
  await page.getByLabel('Or schedule for').fill(local);
  await page.getByRole('button', { name: 'Schedule', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Loyalty codes' })).toBeVisible();

  // The wizard's default: never resent by itself. Changed here to 2 h.
  await expect(campaigns.resendSetting()).toHaveText(/Never sent again automatically/);
  await campaigns.resendSettingChange().click();
  await campaigns.resendSettingSelect().selectOption({ label: 'After 2 h without a status update' });
  await expect(page.getByRole('note')).toContainText('Risk of a double send');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(campaigns.resendSetting()).toHaveText(/Sent again after 2 h without a status update/);
  // Still the saved value after a reload.
  await page.reload();
  await expect(campaigns.resendSetting()).toHaveText(/Sent again after 2 h/, { timeout: 30_000 });
  // A cancelled campaign keeps its setting, shown but not changeable.
  await page.getByRole('button', { name: 'Cancel campaign' }).click();
  await expect(campaigns.status()).toHaveText('Cancelled');
  await expect(campaigns.resendSetting()).toHaveText(/Sent again after 2 h/);
  await expect(campaigns.resendSettingChange()).toHaveCount(0);

  // A campaign sent now shows in the customer's chat.
  await page.getByRole('button', { name: 'All campaigns' }).click();
  await campaigns.newButton().click();
  await campaigns.nameInput().fill('Order follow-up');
  await expect(campaigns.templateSelect()).toContainText('order_update', { timeout: 30_000 });
  await campaigns.templateSelect().selectOption({ label: 'order_update (en_US, utility)' });
  await campaigns.variableSource('2').selectOption('constant');
  await campaigns.variableText('2').fill('#2001');
  await campaigns.checkButton().click();
  await expect(campaigns.preflight()).toBeVisible({ timeout: 30_000 });
  // The inbox open in a second tab before the send; it is never reloaded.
  const watcher = await page.context().newPage();
  await openApp(watcher, host, '#/inbox');
  const watched = new InboxPage(watcher);
  await expect(watched.list()).toBeVisible({ timeout: 30_000 });
  await expect(watched.conversation(/Maria Lopez/).filter({ hasText: '#2001' })).toHaveCount(0);
  await campaigns.sendNow().click();
  await expect(watched.conversation(/Maria Lopez/)).toContainText('#2001', { timeout: 30_000 });
  await watcher.close();
  await expect(campaigns.status()).toHaveText('Completed', { timeout: 60_000 });
  await expect(campaigns.counter('delivered')).not.toHaveText('0', { timeout: 60_000 });

  await page.goto(`${host.url}/#/inbox`);
  const inbox = new InboxPage(page);
  const chat = inbox.conversation(/Maria Lopez/);
  await expect(chat).toContainText('#2001', { timeout: 30_000 });
  await chat.click();
  const sent = inbox.outbound().filter({ hasText: 'Campaign “Order follow-up”' });
  await expect(sent).toHaveCount(1);
  await expect(sent.getByTestId('template-text')).toContainText('Maria');
  await expect(sent.getByTestId('template-text')).toContainText('#2001');
  await expect(sent.getByTestId('message-status')).toHaveAttribute('data-status', /delivered|read/, {
    timeout: 30_000,
  });
  await expect(sent.getByRole('button', { name: 'Reply' })).toHaveCount(0);

  await inbox.simulate({ from: '+14155550123', text: 'Thanks, when does #2001 arrive?' });
  const reply = inbox.inbound().filter({ hasText: 'when does #2001 arrive?' });
  await expect(reply).toBeVisible({ timeout: 30_000 });
  // In time order: the campaign message, then the reply right after it.
  const order = await inbox
    .messages()
    .evaluateAll((nodes) =>
      nodes.map((n) =>
        (n.textContent ?? '').includes('Campaign “Order follow-up”')
          ? 'campaign'
          : (n.textContent ?? '').includes('when does #2001 arrive?')
            ? 'reply'
            : 'other',
      ),
    );
  expect(order.indexOf('reply')).toBe(order.indexOf('campaign') + 1);
});
