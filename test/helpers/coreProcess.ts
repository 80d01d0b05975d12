// A whole core (store, queue, webhook server) in a child process, for tests that kill the app for real.
// Sends { webhookUrl } over IPC once it is listening.
import { createCore } from '../../src-main/core';
import { createLogger } from '../../src-main/log';

const [dataDir = ''] = process.argv.slice(2);

async function main(): Promise<void> {
  const core = await createCore({ dataDir, hostKind: 'browser', log: createLogger(() => undefined) });
  process.send?.({ webhookBase: `${core.webhooks.server.localUrl}/webhooks/whatsapp` });
  process.on('SIGTERM', () => void core.close().then(() => process.exit(0)));
}

void main();
