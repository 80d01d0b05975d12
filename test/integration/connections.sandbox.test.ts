// The Sandbox over a real store and the real embedded simulator: the first start seeds exactly once (also
// when several processes start at the same moment), a restart reuses the stored credentials and creates
// nothing, simulated customer messages reach a webhook receiver signed with the stored app secret, and
// clientFor() sends through the simulator.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type {
  ConnectionTestResult,
  ConnectionView,
  WorkspacesList,
} from '../../src-preload/connections.contract';
import type { ConnectionsModule } from '../../src-main/connections/connections.module';
import { startSandbox, type Sandbox } from '../../src-main/connections/sandbox';
import { migrate } from '../../src-main/db/migrate';
import { migrations } from '../../src-main/db/migrations';
import { openDatabase } from '../../src-main/db/open';
import { createKeyFileSecretBox } from '../../src-main/secrets/secretBox';
import { nextMessage, useChildren } from '../helpers/childProcess';
import { openConnectionsHarness, removeDir, type ConnectionsHarness } from '../helpers/connectionsSetup';
import { makeTempDir } from '../helpers/tempDir';
import type { StarterReport } from '../helpers/sandboxStarter';
import { waitFor } from '../helpers/waitFor';

interface Delivery {
  connectionId: string;
  raw: Buffer;
  signatureValid: boolean;
  json: {
    entry: {
      changes: {
        value: {
          messages?: Record<string, unknown>[];
          statuses?: Record<string, unknown>[];
          contacts?: { profile: { name: string }; wa_id: string }[];
          metadata?: { phone_number_id: string };
        };
      }[];
    }[];
  };
}

/**
 * Stands in for the lead's webhook server: POST /webhooks/whatsapp/<connectionId>, signature checked over
 * the raw bytes with the app secret the connections module hands out (whatsapp-cloud-api.md §6).
 */
async function startStubWebhookServer(
  secretsFor: () => ConnectionsModule['secretsFor'],
): Promise<{ url: string; deliveries: Delivery[]; close(): Promise<void> }> {
  const deliveries: Delivery[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const match = /^\/webhooks\/whatsapp\/([^/?]+)$/.exec(req.url ?? '');
      const connectionId = match?.[1];
      const secrets = connectionId ? secretsFor()(connectionId) : undefined;
      if (req.method !== 'POST' || !connectionId || !secrets) {
        res.writeHead(404).end();
        return;
      }
      const raw = Buffer.concat(chunks);
      const header = String(req.headers['x-hub-signature-256'] ?? '');
      const expected = Buffer.from(
        `sha256=${createHmac('sha256', secrets.appSecret).update(raw).digest('hex')}`,
      );
      const given = Buffer.from(header);
      const signatureValid = given.length === expected.length && timingSafeEqual(given, expected);
      deliveries.push({
        connectionId,
        raw,
        signatureValid,
        json: JSON.parse(raw.toString('utf8')) as Delivery['json'],
      });
      res.writeHead(signatureValid ? 200 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    deliveries,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const { forkTs } = useChildren();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Running {
  h: ConnectionsHarness;
  sandbox: Sandbox;
  webhooks: Awaited<ReturnType<typeof startStubWebhookServer>>;
  /** Closes the Sandbox, the stub server and the store (the data folder stays). */
  stop(): Promise<void>;
}

async function run(dir?: string): Promise<Running> {
  const h = openConnectionsHarness(dir !== undefined ? { dir } : {});
  const webhooks = await startStubWebhookServer(() => (id) => h.module.secretsFor(id));
  const sandbox = await startSandbox({
    module: h.module,
    db: h.db,
    secrets: h.secrets,
    settings: h.settings,
    log: h.log,
    webhookUrlFor: (connectionId) => `${webhooks.url}/webhooks/whatsapp/${connectionId}`,
    statusDelays: { sentMs: 20, deliveredMs: 40, readMs: 60 },
    autoApproveTemplatesMs: 50,
  });
  if (!sandbox) throw new Error('the Sandbox did not start');
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await sandbox.close();
    await webhooks.close();
    h.close();
  };
  cleanups.push(stop);
  return { h, sandbox, webhooks, stop };
}

const count = (h: ConnectionsHarness, sql: string): number => (h.db.prepare(sql).get() as { n: number }).n;

describe('Sandbox', () => {
  it('seeds once on first start; a restart creates nothing new and reuses the stored credentials', async () => {
    const first = await run();
    const dir = first.h.dir;
    cleanups.push(() => removeDir(dir));
    const { h, sandbox } = first;
    expect(sandbox.created).toBe(true);

    const workspaces = await h.value<WorkspacesList>('workspaces:list', {});
    expect(workspaces.workspaces.map((w) => w.name)).toEqual(['My shop']);
    expect(workspaces.currentId).toBe(sandbox.workspaceId);
    const [connection, ...others] = await h.value<ConnectionView[]>('connections:list', {});
    expect(others).toEqual([]);
    expect(connection).toMatchObject({
      id: sandbox.connectionId,
      kind: 'sandbox',
      status: 'active',
      reachable: true,
      phoneNumberId: sandbox.simulator.phoneNumberId,
      wabaId: sandbox.simulator.wabaId,
      displayPhoneNumber: sandbox.simulator.displayPhoneNumber,
      hasToken: true,
    });
    expect(JSON.stringify(connection)).not.toContain(sandbox.simulator.accessToken);
    expect(JSON.stringify(connection)).not.toContain(sandbox.simulator.appSecret);
    expect(count(h, `SELECT count(*) AS n FROM contacts WHERE source = 'sandbox'`)).toBe(10);

    // The credentials are stored sealed and are the ones the simulator runs with.
    const row = h.db.prepare('SELECT token_enc, app_secret_enc, verify_token FROM connections').get() as {
      token_enc: Buffer;
      app_secret_enc: Buffer;
      verify_token: string;
    };
    expect(row.token_enc.includes(Buffer.from(sandbox.simulator.accessToken))).toBe(false);
    expect(h.secrets.open(row.token_enc)).toBe(sandbox.simulator.accessToken);
    expect(h.module.secretsFor(sandbox.connectionId)).toEqual({
      appSecret: sandbox.simulator.appSecret,
      verifyToken: sandbox.simulator.verifyToken,
    });
    expect(row.verify_token).toBe(sandbox.simulator.verifyToken);

    // The sample templates are there, APPROVED, seen through clientFor() like any module would.
    const client = h.module.clientFor(sandbox.connectionId);
    const listed = await client.listAllTemplates();
    expect(listed.ok).toBe(true);
    if (listed.ok) {
      expect(listed.value.map((t) => `${t.name}:${t.status}`).sort()).toEqual([
        'appointment_reminder:APPROVED',
        'order_update:APPROVED',
        'weekly_deals:APPROVED',
        'welcome_offer:APPROVED',
      ]);
    }
    expect(
      await h.value<ConnectionTestResult>('connections:test', { connectionId: sandbox.connectionId }),
    ).toMatchObject({
      ok: true,
    });
    // Template creation works (auto-approved), and survives the restart below.
    const createdTemplate = await client.createTemplate({
      name: 'pickup_ready',
      language: 'en_US',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'Your order {{1}} is ready.', example: { body_text: [['#7']] } }],
    });
    expect(createdTemplate.ok).toBe(true);
    await waitFor(
      () =>
        sandbox.simulator.control.templates().find((t) => t.name === 'pickup_ready')?.status === 'APPROVED',
      { what: 'auto-approval' },
    );

    // The user deletes a demo customer: seeding must not bring it back.
    h.db.prepare(`DELETE FROM contacts WHERE phone_e164 = '+14155550147'`).run();
    const firstCredentials = {
      appSecret: sandbox.simulator.appSecret,
      verifyToken: sandbox.simulator.verifyToken,
      accessToken: sandbox.simulator.accessToken,
      phoneNumberId: sandbox.simulator.phoneNumberId,
      wabaId: sandbox.simulator.wabaId,
      displayPhoneNumber: sandbox.simulator.displayPhoneNumber,
    };
    const firstBaseUrl = sandbox.simulator.baseUrl;
    await first.stop();

    const second = await run(dir);
    expect(second.sandbox.created).toBe(false);
    expect(second.sandbox.connectionId).toBe(sandbox.connectionId);
    expect({
      appSecret: second.sandbox.simulator.appSecret,
      verifyToken: second.sandbox.simulator.verifyToken,
      accessToken: second.sandbox.simulator.accessToken,
      phoneNumberId: second.sandbox.simulator.phoneNumberId,
      wabaId: second.sandbox.simulator.wabaId,
      displayPhoneNumber: second.sandbox.simulator.displayPhoneNumber,
    }).toEqual(firstCredentials);
    expect(count(second.h, 'SELECT count(*) AS n FROM workspaces')).toBe(1);
    expect(count(second.h, 'SELECT count(*) AS n FROM connections')).toBe(1);
    expect(count(second.h, 'SELECT count(*) AS n FROM contacts')).toBe(9);
    expect(
      second.sandbox.simulator.control
        .templates()
        .map((t) => `${t.name}:${t.status}`)
        .sort(),
    ).toEqual([
      'appointment_reminder:APPROVED',
      'order_update:APPROVED',
      'pickup_ready:APPROVED',
      'weekly_deals:APPROVED',
      'welcome_offer:APPROVED',
    ]);
    // clientFor() follows the simulator to its new port.
    const secondClient = second.h.module.clientFor(second.sandbox.connectionId);
    expect(second.sandbox.simulator.baseUrl).not.toBe(firstBaseUrl);
    expect(await secondClient.getPhoneNumber()).toMatchObject({ ok: true });
  });

  it('delivers a simulated customer message to the webhook, signed with the stored app secret', async () => {
    const { h, sandbox, webhooks } = await run();
    cleanups.push(() => removeDir(h.dir));
    const result = await h.value<{ wamid: string; from: string }>('sandbox:simulate-message', {
      type: 'text',
      from: '+14155550147',
      text: 'Do you have oat milk? ☕',
    });
    expect(result.from).toBe('+14155550147');
    await waitFor(() => webhooks.deliveries.length >= 1, { what: 'the inbound webhook' });
    const delivery = webhooks.deliveries[0];
    expect(delivery?.connectionId).toBe(sandbox.connectionId);
    expect(delivery?.signatureValid).toBe(true);
    // Meta escapes non-ASCII before signing (§6); the raw bytes carry the escape, not the character.
    expect(delivery?.raw.toString('utf8')).toContain('\\u2615');
    const value = delivery?.json.entry[0]?.changes[0]?.value;
    expect(value?.metadata?.phone_number_id).toBe(sandbox.simulator.phoneNumberId);
    expect(value?.contacts?.[0]).toMatchObject({ wa_id: '14155550147', profile: { name: 'James Carter' } });
    expect(value?.messages?.[0]).toMatchObject({
      id: result.wamid,
      from: '14155550147',
      type: 'text',
      text: { body: 'Do you have oat milk? ☕' },
    });

    // Without a number, the first demo customer writes.
    const defaulted = await h.value<{ from: string }>('sandbox:simulate-message', {
      type: 'text',
      text: 'Hi',
    });
    expect(defaulted.from).toBe('+14155550123');
    await waitFor(() => webhooks.deliveries.length >= 2, { what: 'the second webhook' });
    expect(webhooks.deliveries.every((d) => d.signatureValid)).toBe(true);

    // Bad input is refused with a plain message and sends nothing.
    for (const [payload, message] of [
      [{ type: 'text', text: '   ' }, 'Type the customer message.'],
      [{ type: 'text', text: 'hi', from: 'not a number' }, 'international number'],
      [{ type: 'poll', text: 'hi' }, 'must be text, image, video, audio, sticker, document, location'],
    ] as const) {
      const refused = await h.call('sandbox:simulate-message', payload);
      expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      if (!refused.ok) expect(refused.error.message).toContain(message);
    }

    // A reply and a template go out through clientFor(), and their statuses come back signed.
    const client = h.module.clientFor(sandbox.connectionId);
    const reply = await client.sendText('+14155550147', 'Yes, we do!', { bizOpaqueCallbackData: 'reply-1' });
    expect(reply.ok).toBe(true);
    const template = await client.sendTemplate(
      '+14155550123',
      {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Maria' },
              { type: 'text', text: '#1042' },
            ],
          },
        ],
      },
      { bizOpaqueCallbackData: 'template-1' },
    );
    expect(template.ok).toBe(true);
    const statuses = () =>
      webhooks.deliveries.flatMap((d) =>
        d.json.entry.flatMap((e) => e.changes.flatMap((c) => c.value.statuses ?? [])),
      );
    await waitFor(
      () =>
        ['reply-1', 'template-1'].every((data) =>
          statuses().some((s) => s.biz_opaque_callback_data === data && s.status === 'read'),
        ),
      { what: 'read statuses for both sends' },
    );
    expect(webhooks.deliveries.every((d) => d.signatureValid)).toBe(true);
    expect(sandbox.simulator.ledger.messages().length).toBe(2);
  });

  it('a Sandbox that is not running or was removed is reported as such, and is not re-created', async () => {
    const running = await run();
    const { h, sandbox } = running;
    const dir = h.dir;
    cleanups.push(() => removeDir(dir));
    await sandbox.close();
    expect(() => h.module.clientFor(sandbox.connectionId)).toThrow('The Sandbox is not running.');
    expect(
      await h.value<ConnectionTestResult>('connections:test', { connectionId: sandbox.connectionId }),
    ).toMatchObject({
      ok: false,
      problem: 'not_running',
    });
    expect(h.module.health()).toEqual({ state: 'down', detail: 'The Sandbox “Sandbox” is not running.' });
    expect(await h.call('sandbox:simulate-message', { type: 'text', text: 'hi' })).toMatchObject({
      ok: false,
      error: { code: 'UNAVAILABLE' },
    });
    // Its credentials are Bellhop's to manage.
    const edit = await h.call('connections:update', {
      connectionId: sandbox.connectionId,
      accessToken: `EAAG${'x'.repeat(40)}`,
    });
    expect(edit).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(
      await h.value<ConnectionView>('connections:update', {
        connectionId: sandbox.connectionId,
        name: 'Demo',
      }),
    ).toMatchObject({
      name: 'Demo',
    });

    await h.value('connections:remove', { connectionId: sandbox.connectionId });
    expect(h.module.health()).toEqual({ state: 'off', detail: 'No connection set up yet.' });
    await running.stop();

    const restarted = openConnectionsHarness({ dir });
    cleanups.push(() => restarted.close());
    const again = await startSandbox({
      module: restarted.module,
      db: restarted.db,
      secrets: restarted.secrets,
      settings: restarted.settings,
      log: restarted.log,
      webhookUrlFor: (id) => `http://127.0.0.1:9/webhooks/whatsapp/${id}`,
    });
    expect(again).toBeNull();
    expect(count(restarted, 'SELECT count(*) AS n FROM connections')).toBe(0);
    expect(count(restarted, 'SELECT count(*) AS n FROM workspaces')).toBe(1);
  });

  it('several processes starting at the same moment create exactly one Sandbox', async () => {
    const temp = makeTempDir('bellhop-sandbox-race-');
    cleanups.push(temp.cleanup);
    const db = openDatabase(`${temp.path}/bellhop.sqlite`);
    migrate(db, migrations);
    db.close();
    createKeyFileSecretBox(temp.path);

    const children = Array.from({ length: 4 }, () => forkTs('sandboxStarter.ts', [temp.path]));
    await Promise.all(children.map((child) => nextMessage<{ type: 'ready' }>(child)));
    const reports = children.map((child) => nextMessage<StarterReport>(child));
    for (const child of children) child.send('go');
    const results = await Promise.all(reports);

    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.connectionId)).size).toBe(1);
    expect(new Set(results.map((r) => `${r.appSecret}|${r.accessToken}|${r.phoneNumberId}`)).size).toBe(1);
    const check = openDatabase(`${temp.path}/bellhop.sqlite`);
    const n = (sql: string) => (check.prepare(sql).get() as { n: number }).n;
    expect([
      n('SELECT count(*) AS n FROM workspaces'),
      n('SELECT count(*) AS n FROM connections'),
      n('SELECT count(*) AS n FROM contacts'),
    ]).toEqual([1, 1, 10]);
    check.close();
  });
});
