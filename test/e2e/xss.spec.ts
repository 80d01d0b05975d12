// Renderer XSS: hostile contact names, tags and attribute values, workspace and connection names render
// as text on the Contacts screen, in Settings (connections, workspace switcher, diagnostics) and leave
// the status bar intact; nothing they contain runs or becomes markup.
import { connectHostIpc } from '../helpers/hostIpc';
import { openApp, test, expect } from './fixtures';
import {
  armXssTrap,
  compactHostileText,
  expectNoInjectedMarkup,
  expectRenderedAsText,
  hostileText,
} from './xss';

test('hostile contact names, tags and attributes stay text on the Contacts screen', async ({
  host,
  page,
}) => {
  const ipc = await connectHostIpc(host);
  const name = hostileText('Name');
  const tag = compactHostileText('Tag');
  const attributeValue = hostileText('Value');
  const { rows } = await ipc.call<{ rows: { id: string }[] }>('contacts:list', {});
  const target = rows[0];
  expect(target).toBeTruthy();
  await ipc.call('contacts:update', {
    contactId: target!.id,
    name,
    tags: [tag],
    attributes: { city: attributeValue },
  });
  // An inbound message from a customer whose WhatsApp profile name is hostile creates its own contact.
  const profileName = compactHostileText('Profile');
  await ipc.call('sandbox:simulate-message', {
    from: '+14155550199',
    profileName,
    type: 'text',
    text: hostileText('Message'),
  });
  ipc.close();

  await armXssTrap(page);
  await openApp(page, host, '#/contacts');
  const main = page.locator('#main');
  await expectRenderedAsText(main, name);
  await expectRenderedAsText(main, tag);
  await expect(async () => {
    await page.reload();
    await expectRenderedAsText(main, profileName);
  }).toPass({ timeout: 30_000 });

  await main.getByText(name, { exact: true }).first().click();
  const editor = page.getByRole('complementary', { name: 'Edit contact' });
  await expect(editor.getByRole('heading', { name })).toBeVisible();
  await expect(editor.getByLabel('Value of city')).toHaveValue(attributeValue);
  await expectNoInjectedMarkup(page);
});

test('hostile workspace and connection names stay text in Settings and the status bar', async ({
  host,
  page,
}) => {
  const ipc = await connectHostIpc(host);
  const workspaces = await ipc.call<{ currentId: string }>('workspaces:list');
  const workspaceName = compactHostileText('Shop');
  await ipc.call('workspaces:rename', { workspaceId: workspaces.currentId, name: workspaceName });
  const connectionName = compactHostileText('Line');
  await ipc.call('connections:create', {
    name: connectionName,
    phoneNumberId: '106540352242922',
    wabaId: '102290129340398',
    accessToken: 'EAAGxssTOKEN0123456789abcdefXYZa1b2c3d4',
    appSecret: '0123456789abcdef0123456789abcdef',
  });
  ipc.close();

  await armXssTrap(page);
  await openApp(page, host, '#/settings');
  const main = page.locator('#main');
  await expectRenderedAsText(main.getByRole('region', { name: 'Connections' }), connectionName);
  await expectRenderedAsText(main.getByRole('region', { name: 'Diagnostics and logs' }), connectionName);
  await expect(page.getByText(workspaceName, { exact: true }).first()).toBeAttached();
  const statusBar = page.getByRole('status', { name: 'Status' });
  await expect(statusBar.getByTestId('status-connection')).toBeVisible();
  expect(await statusBar.locator('img, script, b').count()).toBe(0);
  await expectNoInjectedMarkup(page);
});
