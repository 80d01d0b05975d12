// "Contacts from this CSV" in the campaign wizard, in Chromium against the real browser host: a CSV
// dropped on the audience step goes through the contacts import (mapping, progress, summary, rejects
// file) and the audience becomes exactly its contacts, counted with who was left out and why. The
// unconfirmed-resend wait is off by default, explained, and shown in the campaign's summary once chosen.
import { expect, openApp, test } from './fixtures';
import { CampaignsPage } from './pages/campaignsPage';
import { ContactsPage } from './pages/contactsPage';

const audienceCsv = [
  'phone,name,code',
  '+4915110000001,Ana,A1',
  '+4915110000002,Bo,B2',
  '+49 151 10000001,Ana again,A1',
  '12,Too short,X',
  '+4915110000003,Cy,C3',
].join('\r\n');

test('drop a CSV on the audience step, import it, see the audience count; choose a resend wait', async ({
  page,
  host,
}) => {
  await openApp(page, host, '#/campaigns/new');
  const campaigns = new CampaignsPage(page);
  const contacts = new ContactsPage(page);
  await expect(page.getByRole('heading', { level: 1, name: 'New campaign' })).toBeVisible();
  await campaigns.nameInput().fill('From the fair');
  await expect(campaigns.templateSelect()).toContainText('order_update', { timeout: 30_000 });
  await campaigns.templateSelect().selectOption({ label: 'order_update (en_US, utility)' });
  await campaigns.variableSource('2').selectOption('constant');
  await campaigns.variableText('2').fill('#77');

  // Any audience can be counted before the check: here all contacts (the Sandbox's demo customers).
  await expect(campaigns.audienceOption('All contacts')).toBeChecked();
  await page.getByRole('button', { name: 'Count the audience' }).click();
  await expect(campaigns.audienceSize()).toContainText('will get this campaign');
  const everyone = Number((await campaigns.audienceCount().innerText()).replace(/\D/g, ''));
  expect(everyone).toBeGreaterThan(0);

  await campaigns.audienceOption('Contacts from a CSV file').check();
  await expect(campaigns.audienceSize()).toBeHidden();
  const transfer = await contacts.fileTransfer('fair-visitors.csv', audienceCsv);
  await contacts.drop(transfer, campaigns.audienceDropZone);
  // The overlay says where the file goes: the audience, not the contacts screen.
  await expect(contacts.overlay()).toContainText('its contacts become this campaign’s audience');
  await contacts.release(transfer, campaigns.audienceDropZone);
  await expect(page.getByRole('heading', { level: 1, name: 'New campaign' })).toBeVisible();

  // The contacts import's own mapping step, inside the wizard.
  await expect(contacts.mapping()).toBeVisible();
  await expect(contacts.mappingSelect(0)).toHaveValue('phone');
  await contacts.startButton().click();
  await expect(contacts.summary()).toHaveAttribute('data-phase', 'done', { timeout: 60_000 });
  await expect(contacts.count('created')).toHaveText('3');
  await expect(contacts.count('rejected')).toHaveText('2');

  // The audience: the file's three valid numbers; the repeat and the short number are left out.
  await expect(campaigns.audienceSize()).toBeVisible();
  await expect(campaigns.audienceCount()).toHaveText('3');
  await expect(campaigns.audienceSize()).toContainText('fair-visitors.csv');
  await expect(campaigns.audienceLeftOut()).toHaveText('Left out: 1 invalid number · 1 duplicate.');
  await expect(contacts.rejectsLink()).toHaveCount(1);
  // Once the import's summary is closed, the audience keeps its own link to the rows not imported.
  await page.getByRole('button', { name: 'Close' }).click();
  await expect(contacts.summary()).toBeHidden();
  await expect(campaigns.audienceCount()).toHaveText('3');
  await expect(contacts.rejectsLink()).toHaveCount(1);

  // Unconfirmed sends: never resent unless chosen, with the risk spelled out.
  await expect(campaigns.resendCheckbox()).not.toBeChecked();
  await expect(campaigns.resendWait()).toBeHidden();
  await campaigns.resendCheckbox().check();
  await expect(page.getByRole('note')).toContainText('Risk of a double send');
  await campaigns.resendWait().selectOption({ label: '2 h' });

  await campaigns.checkButton().click();
  await expect(campaigns.preflight()).toBeVisible({ timeout: 30_000 });
  await expect(campaigns.preflightRecipients()).toHaveText('3');
  await expect(campaigns.summaryResend()).toHaveText(
    'Sent again after 2 h without a status update (a customer may get it twice)',
  );
  await expect(
    page.getByRole('definition').filter({ hasText: 'Contacts from fair-visitors.csv' }),
  ).toBeVisible();

  // Turned off again, the saved campaign never resends.
  await campaigns.resendCheckbox().uncheck();
  await campaigns.checkButton().click();
  await expect(campaigns.summaryResend()).toHaveText(
    'Never sent again automatically: left for you to decide, so nobody gets it twice',
  );
});
