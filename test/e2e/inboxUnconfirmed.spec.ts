// Issue 7, seed §5: a message whose send timed out after it may have reached WhatsApp (UNKNOWN_OUTCOME) is
// shown as "unconfirmed" with why, never resent by itself, and is settled by the status webhook that
// echoes its client id as biz_opaque_callback_data. The unknown row is written while the app is closed
// (the Sandbox answers every send, so a real timeout cannot be provoked from the page); the webhook
// arrives signed at the app's own webhook server, as Meta's would.
import { join } from 'node:path';
import { newId } from '../../src-main/db/ids';
import { openDatabase } from '../../src-main/db/open';
import { startHostProcess } from '../helpers/browserHostProcess';
import {
  cloudNumber,
  dataFolderWithCloudNumber,
  seedCustomerConversation,
} from '../helpers/cloudNumberStore';
import { signedPost, statusEvent } from '../helpers/metaWebhooks';
import { expect, openApp, test } from './fixtures';
import { InboxPage } from './pages/inboxPage';

test('an unconfirmed message says so, and its status webhook settles it without a resend', async ({
  page,
}) => {
  const { dataDir, connectionId } = await dataFolderWithCloudNumber(
    'EAAGunconfirmedTOKEN0123456789abcdefXYZa1b2',
  );

  // While the app is closed: the customer wrote an hour ago, and the reply's send ended unconfirmed.
  const db = openDatabase(join(dataDir, 'bellhop.sqlite'));
  const now = Date.now();
  const clientId = newId();
  try {
    const conversationId = seedCustomerConversation(db, connectionId, {
      name: 'Rita Unconfirmed',
      at: now - 3_600_000,
    });
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

  const host = await startHostProcess({ dataDir });
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
    const response = await signedPost(
      `${webhookUrl}/webhooks/whatsapp/${connectionId}`,
      statusEvent(
        'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJDQjZCMzlEMDU5RUQ3OUVGQUUA',
        'delivered',
        Math.floor(now / 1000),
        {
          biz_opaque_callback_data: clientId,
        },
      ),
      cloudNumber.appSecret,
    );
    expect(response.status).toBe(200);
    await expect(mark).toHaveAttribute('data-status', 'delivered', { timeout: 15_000 });
    await expect(message.getByText('unconfirmed')).toHaveCount(0);
    await expect(inbox.outbound().filter({ hasText: 'Your order ships today' })).toHaveCount(1);
  } finally {
    await host.stop();
  }
});
