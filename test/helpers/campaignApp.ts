// The core in a child process (campaignCoreProcess.ts) for the campaign tests that SIGKILL it: started
// against a simulator the test process runs (it outlives every kill, as Meta does), with its webhook
// server on a fixed port the simulator posts to, and driven through the core's own IPC router.
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createKeyFileSecretBox } from '../../src-main/secrets/secretBox';
import type { Simulator } from '../../src-main/simulator/simulator';
import {
  campaignDraft,
  campaignTemplate,
  seedContacts,
  seedWorkspaceAndConnection,
} from './campaignFixtures';
import { openTempStore } from './storeFixtures';
import { waitFor } from './waitFor';

export interface CampaignApp {
  child: ChildProcess;
  call<T>(channel: string, payload: unknown): Promise<T>;
}

/** A port free now, for the webhook server of every restart of the app. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Forks the core (with `forkTs` from useChildren) and resolves once it reports it is ready. */
export async function startCampaignApp(
  forkTs: (helper: string, args: string[]) => ChildProcess,
  dataDir: string,
  sim: Simulator,
  port: number,
): Promise<CampaignApp> {
  const child = forkTs('campaignCoreProcess.ts', [dataDir, sim.baseUrl, String(port)]);
  const pending = new Map<
    number,
    (result: { ok: boolean; value?: unknown; error?: { message: string } }) => void
  >();
  let nextId = 1;
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the app exited (${code}) before it was ready`));
    child.once('exit', onExit);
    child.on('message', (message: { ready?: boolean; id?: number; result?: never }) => {
      if (message.ready) {
        child.off('exit', onExit);
        resolve();
      } else if (message.id !== undefined) {
        pending.get(message.id)?.(message.result as never);
        pending.delete(message.id);
      }
    });
  });
  return {
    child,
    call<T>(channel: string, payload: unknown): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, (result) =>
          result.ok ? resolve(result.value as T) : reject(new Error(`${channel}: ${result.error?.message}`)),
        );
        child.send({ id, channel, payload });
      });
    },
  };
}

export interface KillableCampaign {
  dataDir: string;
  /** The app's database file, for the test's own read-only checks. */
  file: string;
  connectionId: string;
  /** The seeded contacts in order (phones[i] belongs to contactIds[i]). */
  phones: string[];
  contactIds: string[];
  campaignId: string;
  /** The app as first started, with the campaign sending. */
  app: CampaignApp;
  /** Starts the app again on the same data folder and webhook port (after a kill). */
  restart(): Promise<CampaignApp>;
}

/**
 * The kill tests' common start: a migrated data folder with a connection to `sim` and `recipients`
 * contacts (those in `optedOut` sent STOP), the simulator's callback pointed at the app's webhook port,
 * the app started, and a campaign to every contact created and started. The core syncs a never-synced
 * connection's templates by itself at start, so the campaign is created once the template is there.
 */
export async function startKillableCampaign(
  forkTs: (helper: string, args: string[]) => ChildProcess,
  sim: Simulator,
  options: {
    recipients: number;
    ratePerSecond: number;
    name: string;
    optedOut?: Set<number>;
    /** Extra fields of campaigns:create (e.g. unconfirmedResendAfterMs). */
    draft?: Record<string, unknown>;
  },
): Promise<KillableCampaign> {
  sim.control.seedTemplate(campaignTemplate);
  const { db, dir: dataDir, file } = openTempStore('bellhop-campaign-kill-');
  let seeded: { workspaceId: string; connectionId: string; ids: string[]; phones: string[] };
  try {
    const connection = seedWorkspaceAndConnection(
      db,
      createKeyFileSecretBox(dataDir),
      sim,
      options.ratePerSecond,
    );
    const contacts = seedContacts(db, connection.workspaceId, options.recipients, {
      ...(options.optedOut ? { optedOut: options.optedOut } : {}),
    });
    seeded = { ...connection, ...contacts };
  } finally {
    db.close();
  }
  const { connectionId } = seeded;
  const port = await freePort();
  sim.control.setCallbackUrl(`http://127.0.0.1:${port}/webhooks/whatsapp/${connectionId}`);
  const restart = () => startCampaignApp(forkTs, dataDir, sim, port);
  const app = await restart();
  const campaign = await waitFor(
    () =>
      app
        .call<{ id: string }>('campaigns:create', {
          ...campaignDraft(connectionId, options.name, { kind: 'all' }),
          ...options.draft,
        })
        .catch(() => null),
    { timeoutMs: 30_000, intervalMs: 200, what: 'the template to be synced' },
  );
  await app.call('campaigns:start', { campaignId: campaign.id });
  return {
    dataDir,
    file,
    connectionId,
    phones: seeded.phones,
    contactIds: seeded.ids,
    campaignId: campaign.id,
    app,
    restart,
  };
}
