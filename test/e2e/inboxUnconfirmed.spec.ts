// Issue 7, seed §5: a message whose send timed out after it may have reached WhatsApp (UNKNOWN_OUTCOME) is
// shown as "unconfirmed" with why, never resent by itself, and is settled by the status webhook that
// echoes its client id as biz_opaque_callback_data. The unknown row is written while the app is closed
// (the Sandbox answers every send, so a real timeout cannot be provoked from the page); the webhook
// arrives signed at the app's own webhook server, as Meta's would.
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { createConversationsRepo } from '../../src-main/conversations/conversations.repo';
import { newId } from '../../src-main/db/ids';
import { openDatabase } from '../../src-main/db/open';
import { startHostProcess } from '../helpers/browserHostProcess';
import { connectHostIpc } from '../helpers/hostIpc';
import { expect, openApp, test } from './fixtures';
import { InboxPage } from './pages/inboxPage';

const appSecret = '0123456789abcdef0123456789abcdef';
const phoneNumberId = '106540352242922';

test('an unconfirmed message says so, and its status webhook settles it without a resend', async ({
  page,
}) => {
  const first = await startHostProcess();
  const ipc = await connectHostIpc(first);
  await ipc.call('tunnel:configure', { mode: 'off' });
  await ipc.call('connections:create', {
    name: 'Shop line',
    phoneNumberId,
    wabaId: '102290129340398',
    accessToken: 'EAAGunconfirmedTOKEN0123456789abcdefXYZa1b2',
    appSecret,
  });
  const connections = await ipc.call<{ id: string; name: string }[]>('connections:list', {});
  ipc.close();
  const connectionId = connections.find((c) => c.name === 'Shop line')!.id;
  await first.stop();

  // While the app is closed: the customer wrote an hour ago, and the reply's send ended unconfirmed.
  const db = openDatabase(join(first.dataDir, 'bellhop.sqlite'));
  const now = Date.now();
  const clientId = newId();
  try {
    const repo = createConversationsRepo(db);
    const workspaceId = (
      db.prepare('SELECT workspace_id FROM connections WHERE id = ?').get(connectionId) as {
        workspace_id: string;
      }
    ).workspace_id;
    const contactId = repo.getOrCreateContact({
      workspaceId,
      phoneE164: '+16505551234',
      waId: '16505551234',
      name: 'Rita Unconfirmed',
      source: 'manual',
      now,
    });
    const conversationId = repo.getOrCreateConversation(connectionId, contactId, 'manual', now - 3_600_000);
    db.prepare('UPDATE conversations SET last_inbound_at = ?, last_message_at = ? WHERE id = ?').run(
      now - 3_600_000,
      now - 60_000,
      conversationId,
    );
    db.prepare(
      `INSERT INTO messages (id, conversation_id, direction, origin, type, body, status, status_at, error_message,
         client_id, biz_opaque_callback_data, seq, created_at, updated_at)
       VALUES (?, ?, 'outbound', 'agent', 'text', ?, 'unknown', ?, 'WhatsApp did not answer in time.', ?, ?, 1, ?, ?)`,
    ).run(
      newId(now - 60_000),
      conversationId,
      JSON.stringify({ type: 'text', text: { body: 'Your order ships today' } }),
      now - 60_000,
      clientId,
      clientId,
      now - 60_000,
      now - 60_000,
    );
  } finally {
    db.close();
  }

  const host = await startHostProcess({ dataDir: first.dataDir });
  try {
    await openApp(page, host, '#/inbox');
    const inbox = new InboxPage(page);
    await inbox.conversation(/Rita Unconfirmed/).click();
    const message = inbox.outbound().filter({ hasText: 'Your order ships today' });
    const mark = message.getByTestId('message-status');
    await expect(mark).toHaveAttribute('data-status', 'unknown');
    await expect(mark).toHaveText('unconfirmed');
    await expect(mark).toHaveAttribute('title', /may have gone out.*never sends it again by itself/);

    // Meta's status webhook for it: no wamid known to the app, matched by the echoed client id.
    const webhookUrl = /Webhooks: (http:\/\/127\.0\.0\.1:\d+)\/webhooks\/whatsapp\//.exec(host.output())![1]!;
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '102290129340398',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '16505550000', phone_number_id: phoneNumberId },
                statuses: [
                  {
                    id: 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJDQjZCMzlEMDU5RUQ3OUVGQUUA',
                    status: 'delivered',
                    timestamp: String(Math.floor(now / 1000)),
                    recipient_id: '16505551234',
                    biz_opaque_callback_data: clientId,
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    const response = await fetch(`${webhookUrl}/webhooks/whatsapp/${connectionId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': 'sha256=' + createHmac('sha256', appSecret).update(body).digest('hex'),
      },
      body,
    });
    expect(response.status).toBe(200);
    await expect(mark).toHaveAttribute('data-status', 'delivered', { timeout: 15_000 });
    await expect(message.getByText('unconfirmed')).toHaveCount(0);
    await expect(inbox.outbound().filter({ hasText: 'Your order ships today' })).toHaveCount(1);
  } finally {
    await host.stop();
  }
});
