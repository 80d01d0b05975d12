// Templates in Chromium against the real browser host and its Sandbox (the embedded Cloud API
// simulator): the sample templates listed after a sync with their status, category and quality badges, the preview filling variables as they are typed,
// a created template shown PENDING and then APPROVED by the simulator's review, delete with confirmation,
// and "New message" to a number that is not a contact — a double click sends one message; a template with
// an image header gets its sample uploaded from the form, and a send uploads its header image.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { expect, openApp, test } from './fixtures';
import { TemplatesPage } from './pages/templatesPage';

const sandboxTemplates = ['appointment_reminder', 'order_update', 'weekly_deals', 'welcome_offer'];

test('Sandbox templates are listed after a sync; filters and the preview work', async ({ page, host }) => {
  await openApp(page, host, '#/templates');
  const templates = new TemplatesPage(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Templates' })).toBeVisible();

  // Sync on connect: the never-synced Sandbox connection syncs by itself at start-up.
  for (const name of sandboxTemplates) {
    await expect(templates.statusBadge(name)).toHaveText('APPROVED');
  }
  await expect(templates.lastSynced()).not.toHaveText('never');
  // Each row carries its category and Meta's quality rating as badges, coloured by how good it is.
  const badges = {
    order_update: ['UTILITY', 'GREEN', /tpl-badge-ok/],
    welcome_offer: ['MARKETING', 'GREEN', /tpl-badge-ok/],
    weekly_deals: ['MARKETING', 'YELLOW', /tpl-badge-warn/],
    appointment_reminder: ['UTILITY', 'UNKNOWN', /tpl-badge-muted/],
  } as const;
  for (const [name, [category, quality, tone]] of Object.entries(badges)) {
    await expect(templates.categoryBadge(name)).toHaveText(category);
    await expect(templates.qualityBadge(name)).toHaveText(quality);
    await expect(templates.qualityBadge(name)).toHaveClass(tone);
  }

  // "Sync now": the limit (10 a minute, spread out) may refuse a click right after the start-up sync,
  // and says when to retry; clicking again later syncs.
  await templates.syncButton().click();
  await expect(templates.syncStatus()).toHaveText(
    /^(Synced 4 templates\.|Templates can be synced at most 10 times a minute; try again in \d+ s\.)$/,
  );
  await expect(async () => {
    await templates.syncButton().click();
    await expect(templates.syncStatus()).toHaveText('Synced 4 templates.', { timeout: 2_000 });
  }).toPass({ timeout: 30_000, intervals: [1_000] });

  await templates.filter('Category').selectOption('MARKETING');
  await expect(templates.table().locator('tbody tr')).toHaveCount(2);
  await templates.filter('Category').selectOption('');
  await templates.filter('Quality').selectOption('YELLOW');
  await expect(templates.table().locator('tbody tr')).toHaveCount(1);
  await expect(templates.row('weekly_deals')).toBeVisible();
  await templates.filter('Quality').selectOption('');
  await templates.search().fill('appointment');
  await expect(templates.table().locator('tbody tr')).toHaveCount(1);
  await templates.search().fill('');

  await templates.open('weekly_deals');
  const details = templates.details('weekly_deals');
  await expect(details.getByLabel(/^Category: /)).toHaveText('MARKETING');
  await expect(details.getByLabel(/^Quality: /)).toHaveText('YELLOW');
  const preview = templates.preview('weekly_deals');
  await expect(preview).toContainText("This week's deals");
  // Unfilled variables stay visible as their placeholders; the quick replies show as buttons.
  await expect(preview.locator('mark')).toHaveText(['{{1}}', '{{2}}']);
  await expect(preview.getByRole('list', { name: 'Buttons' }).getByRole('listitem')).toHaveText([
    /Show me/,
    /Stop/,
  ]);
  await templates.open('welcome_offer');
  await expect(templates.preview('welcome_offer').getByRole('img', { name: /image header/ })).toBeVisible();
});

test('create a template: PENDING, then APPROVED by the review; then delete it', async ({ page, host }) => {
  await openApp(page, host, '#/templates');
  const templates = new TemplatesPage(page);
  await expect(templates.statusBadge('order_update')).toHaveText('APPROVED');

  await page.getByRole('button', { name: 'New template' }).click();
  const form = templates.createForm();
  await form.getByLabel('Template name').fill('Spring Sale');
  await form.getByLabel('Category').selectOption('MARKETING');
  await form.getByLabel('Body').fill('Hi {{1}}, *20% off* until Sunday with code ');
  await form.getByRole('button', { name: 'Add variable' }).click();
  await expect(form.getByLabel('Body')).toHaveValue('Hi {{1}}, *20% off* until Sunday with code {{2}}');
  await form.getByLabel('Sample for {{1}}').fill('Ana');
  await form.getByRole('button', { name: 'Add quick reply' }).click();
  await form.getByLabel('Button 1 label').fill('Stop');
  // The live preview renders the formatting and the samples.
  const livePreview = form.getByRole('figure');
  await expect(livePreview.locator('strong')).toHaveText('20% off');
  await expect(livePreview.locator('.tpl-var-filled')).toHaveText(['Ana']);

  await form.getByRole('button', { name: 'Submit for review' }).click();
  await expect(form.getByText('Use lowercase letters, digits and _ only, like spring_sale.')).toBeVisible();
  await expect(form.getByText('Give a sample value for {{2}}.')).toBeVisible();
  await form.getByLabel('Template name').fill('spring_sale');
  await form.getByLabel('Sample for {{2}}').fill('SPRING20');
  await form.getByRole('button', { name: 'Submit for review' }).click();
  await expect(form).toBeHidden();

  // Submitted: PENDING first, then the Sandbox's review approves it (its webhook refreshes the list).
  await expect(templates.statusBadge('spring_sale')).toHaveText(/^(PENDING|APPROVED)$/);
  await expect(templates.details('spring_sale')).toBeVisible();
  await expect(templates.statusBadge('spring_sale')).toHaveText('APPROVED', { timeout: 20_000 });

  await templates.details('spring_sale').getByRole('button', { name: 'Delete template' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Delete spring_sale' });
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(templates.row('spring_sale')).toBeVisible();
  await templates.details('spring_sale').getByRole('button', { name: 'Delete template' }).click();
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(templates.row('spring_sale')).toBeHidden();
  await templates.showDeleted().check();
  await expect(templates.statusBadge('spring_sale')).toHaveText('DELETED');
});

test('"New message" to a new number sends one template message on a double click', async ({ page, host }) => {
  await openApp(page, host, '#/templates');
  const templates = new TemplatesPage(page);
  await expect(templates.statusBadge('order_update')).toHaveText('APPROVED');

  await page.getByRole('button', { name: 'New message' }).click();
  const dialog = templates.newMessageDialog();
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Default country').selectOption('US');

  // A number that cannot be valid: the clear error, and nothing is created.
  await dialog.getByLabel('To (phone number)').fill('12');
  await dialog.getByRole('radio', { name: /order_update/ }).check();
  const send = dialog.getByRole('button', { name: 'Send', exact: true });
  await expect(send).toBeDisabled();
  await dialog.getByLabel('Body {{1}}').fill('Ana');
  await expect(send).toBeDisabled();
  await dialog.getByLabel('Body {{2}}').fill('#2001');
  await expect(dialog.getByRole('figure')).toContainText('Hi Ana, your order #2001 is on its way.');
  await send.click();
  await expect(dialog.getByTestId('new-message-error')).toContainText(
    'Enter the number with its country code, like +16505551234.',
  );

  // A local US number (the default country), written loosely, to someone who is not a contact.
  await dialog.getByLabel('To (phone number)').fill('(202) 555-0188');
  await send.dblclick();
  const status = dialog.getByTestId('new-message-status');
  await expect(dialog.getByRole('status', { name: 'Send result' })).toContainText('+12025550188');
  await expect(status).toHaveAttribute('data-status', /^(sent|delivered|read)$/, { timeout: 20_000 });

  // Exactly one message went out: one row for the number, accepted by the simulator (it has a wamid).
  const db = new Database(join(host.dataDir, 'bellhop.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(
        `SELECT m.wamid, m.status, m.origin, ct.source AS contact_source FROM messages m
         JOIN conversations c ON c.id = m.conversation_id JOIN contacts ct ON ct.id = c.contact_id
         WHERE ct.phone_e164 = ?`,
      )
      .all('+12025550188') as {
      wamid: string | null;
      status: string;
      origin: string;
      contact_source: string;
    }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]?.wamid).toMatch(/^wamid\./);
    expect(rows[0]?.origin).toBe('template_send');
    expect(rows[0]?.contact_source).toBe('template_send');
  } finally {
    db.close();
  }
});

test('a template with an image header: the sample is uploaded from the form, and a send uploads its header image', async ({
  page,
  host,
}) => {
  await openApp(page, host, '#/templates');
  const templates = new TemplatesPage(page);
  await expect(templates.statusBadge('order_update')).toHaveText('APPROVED');
  const jpeg = Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
    Buffer.alloc(20_000, 3),
    Buffer.from([0xff, 0xd9]),
  ]);

  await page.getByRole('button', { name: 'New template' }).click();
  const form = templates.createForm();
  await form.getByLabel('Template name').fill('menu_photo');
  await form.getByLabel('Category').selectOption('MARKETING');
  await form.getByLabel('Header').selectOption('IMAGE');
  await form.getByLabel('Body').fill('Hi {{1}}, here is this week’s menu.');
  await form.getByLabel('Sample for {{1}}').fill('Ana');
  await form
    .getByLabel('Sample image')
    .setInputFiles({ name: 'menu.jpg', mimeType: 'image/jpeg', buffer: jpeg });
  await expect(form.getByRole('status')).toHaveText('Uploaded menu.jpg.');
  await expect(form.getByLabel('Sample media handle')).not.toHaveValue('');
  await form.getByRole('button', { name: 'Submit for review' }).click();
  await expect(form).toBeHidden();
  await expect(templates.statusBadge('menu_photo')).toHaveText('APPROVED', { timeout: 20_000 });

  await page.getByRole('button', { name: 'New message' }).click();
  const dialog = templates.newMessageDialog();
  await dialog.getByLabel('To (phone number)').fill('+12025550177');
  await dialog.getByRole('radio', { name: /menu_photo/ }).check();
  await dialog.getByLabel('Body {{1}}').fill('Ana');
  await dialog.getByLabel('Upload the header image').setInputFiles({
    name: 'week.jpg',
    mimeType: 'image/jpeg',
    buffer: jpeg,
  });
  await expect(dialog.getByText('Uploaded week.jpg.')).toBeVisible();
  await expect(dialog.getByLabel('Header image (media id)')).toHaveValue(/^\d+$/);
  await dialog.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(dialog.getByTestId('new-message-status')).toHaveAttribute(
    'data-status',
    /^(sent|delivered|read)$/,
    {
      timeout: 20_000,
    },
  );
});
