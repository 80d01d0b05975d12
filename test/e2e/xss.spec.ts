// Renderer XSS: hostile contact names, tags and attribute values, workspace and connection names render
// as text on the Contacts screen, in Settings (connections, workspace switcher, diagnostics) and leave
// the status bar intact; a hostile error string from a remote server (the tunnel server) reaches the
// status bar and Diagnostics as text; nothing they contain runs or becomes markup.
import { startHostProcess } from '../helpers/browserHostProcess';
import { startFakeLocaltunnelServer } from '../helpers/fakeLocaltunnelServer';
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

test('a hostile error from the tunnel server reaches the status bar and Diagnostics as text', async ({
  page,
}) => {
  // The tunnel server is remote and not ours: whatever it answers ends up in the tunnel's last error,
  // which the status bar shows (app:health-changed, details.tunnel) and Diagnostics lists.
  const serverMessage = hostileText('Tunnel');
  const tunnelServer = await startFakeLocaltunnelServer();
  tunnelServer.rejectControlRequests({ status: 403, message: serverMessage });
  const host = await startHostProcess({ env: { BELLHOP_TUNNEL_SERVER: tunnelServer.url } });
  try {
    await armXssTrap(page);
    await openApp(page, host, '#/settings');
    const tunnelStatus = page.getByRole('status', { name: 'Status' }).getByTestId('status-tunnel');
    await expect(tunnelStatus).toHaveText('Tunnel: Off');

    // A real number needs the tunnel: adding one starts it, and the server refuses with its message.
    const ipc = await connectHostIpc(host);
    await ipc.call('connections:create', {
      name: 'Shop line',
      phoneNumberId: '106540352242922',
      wabaId: '102290129340398',
      accessToken: 'EAAGxssTOKEN0123456789abcdefXYZa1b2c3d4',
      appSecret: '0123456789abcdef0123456789abcdef',
    });
    ipc.close();

    // The push event carries the string to the page; it lands in the title attribute character for
    // character (React set it as an attribute value, never parsed it).
    await expect(tunnelStatus).toHaveAttribute('title', `The tunnel server answered 403: ${serverMessage}`, {
      timeout: 30_000,
    });
    const statusBar = page.getByRole('status', { name: 'Status' });
    expect(await statusBar.locator('img, script, b').count()).toBe(0);
    await expectNoInjectedMarkup(page);
    await expect(tunnelStatus).toHaveText('Tunnel: Down');

    await page.reload();
    await expect(page.locator('.app[data-app-ready="true"]')).toBeVisible();
    await expect(tunnelStatus).toHaveAttribute('title', `The tunnel server answered 403: ${serverMessage}`);
    const diagnostics = page.locator('#main').getByRole('region', { name: 'Diagnostics and logs' });
    await expect(diagnostics).toContainText(serverMessage);
    expect(await diagnostics.locator('img, script, b').count()).toBe(0);
    await expectNoInjectedMarkup(page);
    expect(tunnelServer.controlRequests.length).toBeGreaterThan(0);
  } finally {
    await host.stop();
    await tunnelServer.stop();
  }
});
