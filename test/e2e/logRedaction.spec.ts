// After a real run of the browser host on its own data folder — a cloud connection added through IPC
// with a known token and app secret, a connection test and sends that fail against the unreachable
// Graph API, signed and forged webhooks, Sandbox traffic, the page itself — no log file in the data
// folder holds the token, the app secret or the verify token.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inboundText, postWebhook, signedPost } from '../helpers/metaWebhooks';
import { connectHostIpc } from '../helpers/hostIpc';
import { waitFor } from '../helpers/waitFor';
import { test, expect, openApp } from './fixtures';

const TOKEN = 'EAAGlogScanTOKEN0123456789abcdefXYZa1b2c3d4';
const APP_SECRET = '9f8e7d6c5b4a39281706f5e4d3c2b1a0';
const VERIFY_TOKEN = 'verify-logscan-31415926';

test('no log file holds a configured secret after a full run', async ({ host, page }) => {
  test.setTimeout(120_000);
  const ipc = await connectHostIpc(host);
  const connection = await ipc.call<{ id: string }>('connections:create', {
    name: 'Log scan shop',
    phoneNumberId: '106540352242922',
    wabaId: '102290129340398',
    accessToken: TOKEN,
    appSecret: APP_SECRET,
    verifyToken: VERIFY_TOKEN,
  });
  // Graph is unreachable here: the test and the sends fail, and their failures are logged.
  await ipc.invoke('connections:test', { connectionId: connection.id });

  const webhookBase = /Webhooks: (http:\/\/127\.0\.0\.1:\d+)\/webhooks/.exec(host.output())?.[1];
  expect(webhookBase).toBeTruthy();
  const url = `${webhookBase}/webhooks/whatsapp/${connection.id}`;
  const inbound = inboundText(
    '14155550123',
    'wamid.logscan1',
    'Hello, is the shop open?',
    Math.floor(Date.now() / 1000),
  );
  expect((await signedPost(url, inbound, APP_SECRET)).status).toBe(200);
  expect((await postWebhook(url, JSON.stringify(inbound), 'sha256=forged')).status).toBe(401);
  await fetch(`${url}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=42`);
  await fetch(`${url}?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=42`);

  const conversation = await waitFor(
    async () =>
      (await ipc.call<{ items: { id: string }[] }>('conversations:list', { connectionId: connection.id }))
        .items[0]?.id,
    { timeoutMs: 30_000, intervalMs: 100, what: 'the inbound conversation' },
  );
  await ipc.invoke('messages:send', {
    connectionId: connection.id,
    conversationId: conversation,
    clientId: 'logscan-send-0001',
    content: { type: 'text', body: 'We are open until six.' },
  });
  await ipc.invoke('sandbox:simulate-message', { type: 'text', text: 'hi' });
  await ipc.call('backups:create');
  await ipc.call('diagnostics:get');
  await openApp(page, host, '#/settings');
  const diagnostics = page.getByRole('region', { name: 'Diagnostics and logs' });
  await diagnostics.getByRole('button', { name: 'Open logs folder' }).click();
  await expect(diagnostics.getByTestId('logs-folder')).toContainText(join(host.dataDir, 'logs'));
  ipc.close();
  await host.stop();

  const logsDir = join(host.dataDir, 'logs');
  const files = readdirSync(logsDir);
  expect(files.length).toBeGreaterThan(0);
  let total = '';
  for (const name of files) {
    const text = readFileSync(join(logsDir, name), 'utf8');
    total += text;
    for (const secret of [TOKEN, APP_SECRET, VERIFY_TOKEN])
      expect(text, `${name} holds a secret`).not.toContain(secret);
  }
  // The run was really logged (so an empty log cannot pass): the failed connection test, the webhooks.
  expect(total.split('\n').length).toBeGreaterThan(5);
  expect(total).toMatch(/core: closed/);
  // And the host's own terminal output (stderr mirror) is clean too.
  for (const secret of [TOKEN, APP_SECRET, VERIFY_TOKEN]) expect(host.output()).not.toContain(secret);
});
