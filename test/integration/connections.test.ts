// Workspaces and connections through the IPC router over a real SQLite store: secrets sealed at rest and
// never in responses or logs, clear BAD_REQUEST messages that write nothing, edits that keep saved secrets,
// removal with its cascade, and workspace create / rename / switch.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type {
  ConnectionRemoved,
  ConnectionView,
  WorkspacesList,
  WorkspaceView,
} from '../../src-preload/connections.contract';
import { newId } from '../../src-main/db/ids';
import { openConnectionsHarness, removeDir, type ConnectionsHarness } from '../helpers/connectionsSetup';

const TOKEN = 'EAAGtestTOKENvalue0123456789abcdefXYZa1b2';
const APP_SECRET = '0123456789abcdef0123456789abcdef';
const NEW_TOKEN = 'EAAGsecondTOKEN9876543210zyxwvuQRSTc3d4';
const NEW_APP_SECRET = 'fedcba9876543210fedcba9876543210';

const validInput = {
  name: 'Main shop number',
  phoneNumberId: '106540352242922',
  wabaId: '102290129340398',
  accessToken: TOKEN,
  appSecret: APP_SECRET,
};

let harness: ConnectionsHarness | undefined;
const open = (): ConnectionsHarness => {
  harness = openConnectionsHarness();
  return harness;
};

afterEach(() => {
  if (harness) {
    harness.close();
    removeDir(harness.dir);
    harness = undefined;
  }
});

function connectionCount(h: ConnectionsHarness): number {
  return (h.db.prepare('SELECT count(*) AS n FROM connections').get() as { n: number }).n;
}

async function createWorkspace(h: ConnectionsHarness, name = 'Corner Bakery'): Promise<WorkspaceView> {
  const workspace = await h.value<WorkspaceView>('workspaces:create', { name });
  await h.value('workspaces:switch', { workspaceId: workspace.id });
  return workspace;
}

/** Everything a secret could leak through: every response, every log line, every pushed event. */
function everythingVisible(h: ConnectionsHarness, responses: unknown[]): string {
  return [JSON.stringify(responses), h.log.lines.join('\n'), JSON.stringify(h.pushed)].join('\n');
}

describe('connections', () => {
  it('stores the token and app secret sealed, and never returns or logs them', async () => {
    const h = open();
    const workspace = await createWorkspace(h);
    const responses: unknown[] = [];
    const created = await h.value<ConnectionView>('connections:create', validInput);
    responses.push(created);
    responses.push(await h.value('connections:list', {}));
    responses.push(await h.value('connections:list', { workspaceId: workspace.id }));

    expect(created).toMatchObject({
      workspaceId: workspace.id,
      kind: 'cloud',
      name: 'Main shop number',
      phoneNumberId: '106540352242922',
      wabaId: '102290129340398',
      apiVersion: 'v24.0',
      rateLimitPerMinute: 100,
      status: 'active',
      hasToken: true,
      hasAppSecret: true,
      tokenHint: '…a1b2',
    });
    // Generated when left empty: random, long enough, and usable for Meta's handshake.
    expect(created.verifyToken).toMatch(/^[A-Za-z0-9_-]{32}$/);

    // At rest: the row holds ciphertext that opens to the secret, never the secret itself.
    const row = h.db
      .prepare('SELECT token_enc, app_secret_enc FROM connections WHERE id = ?')
      .get(created.id) as { token_enc: Buffer; app_secret_enc: Buffer };
    expect(row.token_enc.includes(Buffer.from(TOKEN))).toBe(false);
    expect(row.app_secret_enc.includes(Buffer.from(APP_SECRET))).toBe(false);
    expect(h.secrets.open(row.token_enc)).toBe(TOKEN);
    expect(h.secrets.open(row.app_secret_enc)).toBe(APP_SECRET);
    // Not anywhere in the database files either (checkpointed, so the WAL is in the main file).
    h.db.pragma('wal_checkpoint(TRUNCATE)');
    const fileBytes = readFileSync(h.file);
    expect(fileBytes.includes(Buffer.from(TOKEN))).toBe(false);
    expect(fileBytes.includes(Buffer.from(APP_SECRET))).toBe(false);

    // An edit that changes the token goes the same way.
    responses.push(
      await h.value('connections:update', {
        connectionId: created.id,
        accessToken: NEW_TOKEN,
        appSecret: NEW_APP_SECRET,
      }),
    );
    responses.push(await h.value('connections:remove', { connectionId: created.id }));

    const visible = everythingVisible(h, responses);
    for (const secret of [TOKEN, APP_SECRET, NEW_TOKEN, NEW_APP_SECRET]) {
      expect(visible).not.toContain(secret);
      // Nor a large piece of it (e.g. the token minus its prefix).
      expect(visible).not.toContain(secret.slice(4, 24));
    }
    expect(h.log.lines.some((line) => line.includes('connections: added'))).toBe(true);
    expect(h.log.lines.some((line) => line.includes('connections: updated'))).toBe(true);
  });

  it('refuses invalid input with a specific message and writes nothing', async () => {
    const h = open();
    await createWorkspace(h);
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { ...validInput, phoneNumberId: '+1 650 555 1234' },
        /phone-number ID is digits only.*not the phone number/,
      ],
      [{ ...validInput, phoneNumberId: '' }, /Enter the phone-number ID/],
      [{ ...validInput, wabaId: 'abc' }, /WhatsApp Business Account ID is digits only/],
      [{ ...validInput, accessToken: 'EAA123' }, /access token is too short/],
      [{ ...validInput, accessToken: `${TOKEN} ${TOKEN}` }, /no spaces or line breaks/],
      [{ ...validInput, appSecret: 'not a secret!' }, /app secret is the 32-character code/],
      [{ ...validInput, verifyToken: 'short' }, /verify token needs at least 8 characters/],
      [{ ...validInput, verifyToken: 'has spaces inside' }, /without spaces/],
      [{ ...validInput, apiVersion: 'v24' }, /API version looks like v24.0/],
      [{ ...validInput, rateLimitPerMinute: 5000 }, /at most 4,800 per minute/],
      [{ ...validInput, rateLimitPerMinute: 0 }, /at least 1 request per minute/],
      [{ ...validInput, rateLimitPerMinute: 10.5 }, /whole number/],
      [{ ...validInput, name: 'x'.repeat(101) }, /at most 100 characters/],
      [{ ...validInput, tokne: 'typo' }, /tokne/],
      [{ phoneNumberId: '1' }, /wabaId|WhatsApp Business Account ID/],
    ];
    for (const [payload, message] of cases) {
      const result = await h.call('connections:create', payload);
      expect(result.ok, JSON.stringify(payload)).toBe(false);
      if (result.ok) continue;
      expect(result.error.code).toBe('BAD_REQUEST');
      expect(result.error.message).toMatch(message);
      // A rejected payload never echoes a secret back.
      expect(result.error.message).not.toContain(TOKEN);
    }
    expect(connectionCount(h)).toBe(0);

    // The service validates on its own too (other modules call it without the router).
    expect(() => h.module.service.createConnection({ ...validInput, wabaId: '12a' })).toThrow(/digits only/);
    expect(connectionCount(h)).toBe(0);

    // Workspace names.
    for (const name of ['', '   ', 'y'.repeat(101)]) {
      const result = await h.call('workspaces:create', { name });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.message).toMatch(/Give the workspace a name|at most 100/);
    }
    expect((h.db.prepare('SELECT count(*) AS n FROM workspaces').get() as { n: number }).n).toBe(1);
  });

  it('refuses a phone-number id that is already connected, naming where', async () => {
    const h = open();
    await createWorkspace(h, 'Shop A');
    await h.value('connections:create', validInput);
    const other = await createWorkspace(h, 'Shop B');
    const again = await h.call('connections:create', { ...validInput, name: 'Again', workspaceId: other.id });
    expect(again).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    if (!again.ok)
      expect(again.error.message).toMatch(
        /already connected as “Main shop number” in the workspace “Shop A”/,
      );
    expect(connectionCount(h)).toBe(1);
  });

  it('edits keep saved secrets unless new ones are given, and a new token clears needs_reauth', async () => {
    const h = open();
    await createWorkspace(h);
    const created = await h.value<ConnectionView>('connections:create', {
      ...validInput,
      verifyToken: 'my-verify-token',
    });
    const rowOf = () =>
      h.db.prepare('SELECT * FROM connections WHERE id = ?').get(created.id) as {
        token_enc: Buffer;
        app_secret_enc: Buffer;
        verify_token: string;
        status: string;
        status_reason: string | null;
        rate_limit_per_minute: number;
        name: string;
      };
    const before = rowOf();

    // Blank secrets (what an edit form sends for "saved") keep the stored ciphertext byte for byte.
    const renamed = await h.value<ConnectionView>('connections:update', {
      connectionId: created.id,
      name: 'Front desk',
      accessToken: '',
      appSecret: '   ',
      verifyToken: '',
      rateLimitPerMinute: 600,
    });
    expect(renamed).toMatchObject({
      name: 'Front desk',
      rateLimitPerMinute: 600,
      tokenHint: '…a1b2',
      verifyToken: 'my-verify-token',
    });
    const afterRename = rowOf();
    expect(afterRename.token_enc.equals(before.token_enc)).toBe(true);
    expect(afterRename.app_secret_enc.equals(before.app_secret_enc)).toBe(true);
    expect(h.module.secretsFor(created.id)).toEqual({
      appSecret: APP_SECRET,
      verifyToken: 'my-verify-token',
    });

    // Meta refused the token: the connection is marked, with a reason for the UI.
    h.module.service.markNeedsReauth(created.id, before.token_enc, {
      kind: 'AUTH',
      code: 190,
      httpStatus: 401,
      message: 'Session has expired',
      retry: 'never',
      advice: '',
    });
    expect(rowOf().status).toBe('needs_reauth');
    expect(h.module.health()).toMatchObject({ state: 'down' });
    expect(h.module.health().detail).toMatch(/“Front desk” needs a new access token/);

    const updated = await h.value<ConnectionView>('connections:update', {
      connectionId: created.id,
      accessToken: NEW_TOKEN,
      appSecret: NEW_APP_SECRET,
    });
    expect(updated).toMatchObject({ status: 'active', statusReason: null, tokenHint: '…c3d4' });
    expect(h.secrets.open(rowOf().token_enc)).toBe(NEW_TOKEN);
    // The webhook server's cached secret follows the edit.
    expect(h.module.secretsFor(created.id)).toEqual({
      appSecret: NEW_APP_SECRET,
      verifyToken: 'my-verify-token',
    });
    expect(h.module.health()).toEqual({ state: 'ok' });

    // A late refusal of the OLD token (a request in flight during the edit) does not mark the new one.
    h.module.service.markNeedsReauth(created.id, before.token_enc, {
      kind: 'AUTH',
      code: 190,
      httpStatus: 401,
      message: 'late',
      retry: 'never',
      advice: '',
    });
    expect(rowOf().status).toBe('active');

    // Invalid edits write nothing.
    const snapshot = JSON.stringify(rowOf());
    const bad = await h.call('connections:update', { connectionId: created.id, rateLimitPerMinute: 4801 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const missing = await h.call('connections:update', { connectionId: newId(), name: 'Ghost' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(JSON.stringify(rowOf())).toBe(snapshot);
  });

  it('removes a connection with everything that hangs off it, but not while a campaign runs on it', async () => {
    const h = open();
    const workspace = await createWorkspace(h);
    const created = await h.value<ConnectionView>('connections:create', validInput);
    const now = Date.now();
    const contactId = newId();
    const conversationId = newId();
    h.db
      .prepare(
        `INSERT INTO contacts (id, workspace_id, phone_e164, source, created_at, updated_at) VALUES (?, ?, '+14155550123', 'manual', ?, ?)`,
      )
      .run(contactId, workspace.id, now, now);
    h.db
      .prepare(
        `INSERT INTO conversations (id, connection_id, contact_id, source, created_at, updated_at) VALUES (?, ?, ?, 'inbound', ?, ?)`,
      )
      .run(conversationId, created.id, contactId, now, now);
    for (const wamid of ['wamid.A', 'wamid.B']) {
      h.db
        .prepare(
          `INSERT INTO messages (id, conversation_id, direction, origin, type, body, status, wamid, created_at, updated_at)
           VALUES (?, ?, 'inbound', 'customer', 'text', '{}', 'received', ?, ?, ?)`,
        )
        .run(newId(), conversationId, wamid, now, now);
    }
    h.db
      .prepare(
        `INSERT INTO templates (id, connection_id, name, language, category, status, created_at, updated_at)
         VALUES (?, ?, 'order_update', 'en_US', 'UTILITY', 'APPROVED', ?, ?)`,
      )
      .run(newId(), created.id, now, now);
    const campaignId = newId();
    h.db
      .prepare(
        `INSERT INTO campaigns (id, workspace_id, connection_id, template_name, template_language, name, status, created_at, updated_at)
         VALUES (?, ?, ?, 'order_update', 'en_US', 'Spring', 'running', ?, ?)`,
      )
      .run(campaignId, workspace.id, created.id, now, now);

    const refused = await h.call('connections:remove', { connectionId: created.id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    if (!refused.ok)
      expect(refused.error.message).toMatch(/campaign is running or scheduled.*pause or cancel it first/);
    expect(connectionCount(h)).toBe(1);

    h.db.prepare(`UPDATE campaigns SET status = 'completed' WHERE id = ?`).run(campaignId);
    const removed = await h.value<ConnectionRemoved>('connections:remove', { connectionId: created.id });
    expect(removed).toEqual({
      connectionId: created.id,
      removed: { conversations: 1, messages: 2, templates: 1, campaigns: 1 },
    });
    const count = (table: string) =>
      (h.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect([
      count('connections'),
      count('conversations'),
      count('messages'),
      count('templates'),
      count('campaigns'),
    ]).toEqual([0, 0, 0, 0, 0]);
    // The customer belongs to the workspace, not the number.
    expect(count('contacts')).toBe(1);
    expect(h.module.secretsFor(created.id)).toBeUndefined();
    expect(() => h.module.clientFor(created.id)).toThrow(/no longer exists/);
    expect(h.pushed.filter((p) => p.event === 'connections:changed').length).toBeGreaterThanOrEqual(2);

    const again = await h.call('connections:remove', { connectionId: created.id });
    expect(again).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('workspaces', () => {
  it('creates, renames, lists and switches; the choice survives a restart; connections follow it', async () => {
    const h = open();
    expect(await h.value<WorkspacesList>('workspaces:list', {})).toEqual({ workspaces: [], currentId: null });
    const noWorkspace = await h.call('connections:create', validInput);
    expect(noWorkspace).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: 'Create a workspace first.' },
    });

    const bakery = await h.value<WorkspaceView>('workspaces:create', { name: '  Corner Bakery ' });
    expect(bakery.name).toBe('Corner Bakery');
    // The first workspace is current until the user picks another.
    expect((await h.value<WorkspacesList>('workspaces:list', {})).currentId).toBe(bakery.id);
    const dup = await h.call('workspaces:create', { name: 'corner bakery' });
    expect(dup).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });

    const florist = await h.value<WorkspaceView>('workspaces:create', { name: 'Florist' });
    const bakeryNumber = await h.value<ConnectionView>('connections:create', validInput);
    expect(bakeryNumber.workspaceId).toBe(bakery.id);

    const switched = await h.value<WorkspacesList>('workspaces:switch', { workspaceId: florist.id });
    expect(switched.currentId).toBe(florist.id);
    expect(h.pushed.some((p) => p.event === 'workspaces:changed')).toBe(true);
    expect(await h.value('connections:list', {})).toEqual([]);
    const floristNumber = await h.value<ConnectionView>('connections:create', {
      ...validInput,
      phoneNumberId: '106540352242923',
      name: 'Florist number',
    });
    expect(floristNumber.workspaceId).toBe(florist.id);
    expect(
      (await h.value<ConnectionView[]>('connections:list', { workspaceId: bakery.id })).map((c) => c.id),
    ).toEqual([bakeryNumber.id]);

    const renamed = await h.value<WorkspaceView>('workspaces:rename', {
      workspaceId: florist.id,
      name: 'Florist & Co',
    });
    expect(renamed).toMatchObject({ id: florist.id, name: 'Florist & Co', connectionCount: 1 });
    const clash = await h.call('workspaces:rename', { workspaceId: florist.id, name: 'CORNER BAKERY' });
    expect(clash).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await h.call('workspaces:switch', { workspaceId: newId() })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });

    // Restart on the same data folder: the current workspace is remembered.
    const dir = h.dir;
    h.close();
    harness = openConnectionsHarness({ dir });
    const list = await harness.value<WorkspacesList>('workspaces:list', {});
    expect(list.currentId).toBe(florist.id);
    expect(list.workspaces.map((w) => [w.name, w.connectionCount])).toEqual([
      ['Corner Bakery', 1],
      ['Florist & Co', 1],
    ]);
  });
});
