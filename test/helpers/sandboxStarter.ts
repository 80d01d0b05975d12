// A real process that starts the Sandbox on a shared data folder, for the first-start race in
// test/integration/connections.sandbox.test.ts. Started with `node --import tsx sandboxStarter.ts <dir>`;
// it reports 'ready', waits for 'go' (so every child starts at the same moment), starts the Sandbox, and
// reports what it found: whether it created the Sandbox, and the credentials its simulator runs with.
import { join } from 'node:path';
import { createConnectionsModule } from '../../src-main/connections/connections.module';
import { startSandbox } from '../../src-main/connections/sandbox';
import { openDatabase } from '../../src-main/db/open';
import { createEventBus } from '../../src-main/events';
import { createMemoryLogger } from '../../src-main/log';
import { createRateLimiter } from '../../src-main/ratelimit/limiter';
import { createKeyFileSecretBox } from '../../src-main/secrets/secretBox';
import { createSettingsRepo } from '../../src-main/settings/settings.repo';

export interface StarterReport {
  type: 'started';
  created: boolean;
  connectionId: string;
  appSecret: string;
  accessToken: string;
  phoneNumberId: string;
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: sandboxStarter.ts <data dir>');
  // The parent migrated the store and created the key file; a child only opens them.
  const db = openDatabase(join(dir, 'bellhop.sqlite'), { busyTimeoutMs: 20_000 });
  const secrets = createKeyFileSecretBox(dir);
  const settings = createSettingsRepo(db);
  const limiter = createRateLimiter({ db });
  const log = createMemoryLogger();
  const module = createConnectionsModule({ db, secrets, limiter, log, events: createEventBus(), settings });
  await new Promise<void>((resolve) => {
    process.once('message', () => resolve());
    process.send?.({ type: 'ready' });
  });
  const sandbox = await startSandbox({
    module,
    db,
    secrets,
    settings,
    log,
    webhookUrlFor: (id) => `http://127.0.0.1:9/webhooks/whatsapp/${id}`,
  });
  if (!sandbox) throw new Error('the Sandbox did not start');
  const report: StarterReport = {
    type: 'started',
    created: sandbox.created,
    connectionId: sandbox.connectionId,
    appSecret: sandbox.simulator.appSecret,
    accessToken: sandbox.simulator.accessToken,
    phoneNumberId: sandbox.simulator.phoneNumberId,
  };
  await sandbox.close();
  module.close();
  limiter.close();
  db.close();
  process.send?.(report, () => process.exit(0));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
