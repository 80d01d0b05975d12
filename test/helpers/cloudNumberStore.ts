// For e2e tests that need rows the Sandbox cannot produce from the page (an unanswered send, a number
// that has gone silent): a data folder with a Cloud API number of known app secret, made through the
// app itself, then a customer and conversation on it written while the app is closed.
import { createConversationsRepo } from '../../src-main/conversations/conversations.repo';
import type { Db } from '../../src-main/db/open';
import { startHostProcess } from './browserHostProcess';
import { connectHostIpc } from './hostIpc';

export const cloudNumber = {
  name: 'Shop line',
  phoneNumberId: '106540352242922',
  wabaId: '102290129340398',
  appSecret: '0123456789abcdef0123456789abcdef',
} as const;

/** Starts a host, adds `cloudNumber` with the tunnel off, and stops the host again. */
export async function dataFolderWithCloudNumber(
  accessToken: string,
): Promise<{ dataDir: string; connectionId: string }> {
  const host = await startHostProcess();
  try {
    const ipc = await connectHostIpc(host);
    try {
      await ipc.call('tunnel:configure', { mode: 'off' });
      await ipc.call('connections:create', {
        name: cloudNumber.name,
        phoneNumberId: cloudNumber.phoneNumberId,
        wabaId: cloudNumber.wabaId,
        accessToken,
        appSecret: cloudNumber.appSecret,
      });
      const connections = await ipc.call<{ id: string; name: string }[]>('connections:list', {});
      return {
        dataDir: host.dataDir,
        connectionId: connections.find((c) => c.name === cloudNumber.name)!.id,
      };
    } finally {
      ipc.close();
    }
  } finally {
    await host.stop();
  }
}

/** A customer (+16505551234) and their conversation on the number, in a closed app's store. */
export function seedCustomerConversation(
  db: Db,
  connectionId: string,
  customer: { name: string | null; at: number },
): string {
  const repo = createConversationsRepo(db);
  const { workspace_id: workspaceId } = db
    .prepare('SELECT workspace_id FROM connections WHERE id = ?')
    .get(connectionId) as { workspace_id: string };
  const contactId = repo.getOrCreateContact({
    workspaceId,
    phoneE164: '+16505551234',
    waId: '16505551234',
    name: customer.name,
    source: 'manual',
    now: customer.at,
  });
  return repo.getOrCreateConversation(connectionId, contactId, 'manual', customer.at);
}
