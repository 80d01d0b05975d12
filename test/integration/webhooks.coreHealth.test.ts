// Issue 5 as the user sees it in the core: the silent-webhook alarm (setting `webhooks.silenceMinutes`,
// checked by health(), which the status bar shows) with its "what to check" sentence; a signed but
// unparseable webhook listed by the `webhooks:diagnostics` channel; and webhooks refused for a bad
// signature counted in health with "check the app secret". The core runs on a clock the test moves.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createConversationsRepo } from '../../src-main/conversations/conversations.repo';
import { createCore, type Core } from '../../src-main/core';
import { newId } from '../../src-main/db/ids';
import { createLogger } from '../../src-main/log';
import { signBody } from '../../src-main/webhooks/verify';

let core: Core | undefined;
afterEach(async () => {
  await core?.close();
  core = undefined;
});

const appSecret = '0123456789abcdef0123456789abcdef';
const sender = { trusted: true, description: 'test' };

interface Diagnostics {
  counts: Record<string, number>;
  refusedSignatures: number;
  problems: { connectionId: string; state: string; reason: string | null; preview: string }[];
}

async function post(url: string, body: string, signature?: string): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signature ? { 'x-hub-signature-256': signature } : {}),
    },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

describe('webhook health in the core', () => {
  it(
    'raises the silent-webhook alarm after N minutes with what to check, lists an unparseable event, and counts bad signatures',
    { timeout: 60_000 },
    async () => {
      let offsetMs = 0;
      core = await createCore({
        dataDir: mkdtempSync(join(tmpdir(), 'bellhop-webhook-health-')),
        hostKind: 'browser',
        log: createLogger(() => undefined),
        now: () => Date.now() + offsetMs,
      });
      const c = core;
      // A real number would start the tunnel; this test is about the webhook side only.
      expect(c.tunnel.configure({ mode: 'off' })).toEqual({ ok: true });
      const connectionId = newId();
      const workspaceId = c.sandbox!.workspaceId;
      const created = Date.now();
      c.db
        .prepare(
          `INSERT INTO connections (id, workspace_id, kind, name, phone_number_id, waba_id, api_version, token_enc, app_secret_enc, verify_token, created_at, updated_at)
           VALUES (?, ?, 'cloud', 'Shop number', '1065403522', '1022901293', 'v24.0', ?, ?, 'vt', ?, ?)`,
        )
        .run(connectionId, workspaceId, c.secrets.seal('token'), c.secrets.seal(appSecret), created, created);
      const repo = createConversationsRepo(c.db);
      const contactId = repo.getOrCreateContact({
        workspaceId,
        phoneE164: '+16505551234',
        waId: '16505551234',
        name: null,
        source: 'manual',
        now: created,
      });
      const conversationId = repo.getOrCreateConversation(connectionId, contactId, 'manual', created);
      c.db
        .prepare(
          `INSERT INTO messages (id, conversation_id, direction, origin, type, body, status, client_id, created_at, updated_at)
           VALUES (?, ?, 'outbound', 'agent', 'text', '{}', 'accepted', ?, ?, ?)`,
        )
        .run(newId(), conversationId, newId(), created, created);

      // N is set the way Settings → Webhooks sets it; a value outside 1..1440 whole minutes is refused
      // and changes nothing.
      const alarm = async (channel: 'webhooks:alarm' | 'webhooks:set-alarm', request: unknown) =>
        (await c.router.dispatch(channel, request, sender)) as {
          ok: boolean;
          value?: { silenceMinutes: number };
          error?: { code: string };
        };
      expect(await alarm('webhooks:alarm', {})).toMatchObject({ ok: true, value: { silenceMinutes: 10 } });
      expect(await alarm('webhooks:set-alarm', { silenceMinutes: 5 })).toMatchObject({
        ok: true,
        value: { silenceMinutes: 5 },
      });
      for (const bad of [
        { silenceMinutes: 0 },
        { silenceMinutes: 2.5 },
        { silenceMinutes: 1441 },
        { silenceMinutes: '5' },
        {},
        { silenceMinutes: 5, extra: 1 },
      ])
        expect(await alarm('webhooks:set-alarm', bad), JSON.stringify(bad)).toMatchObject({
          ok: false,
          error: { code: 'BAD_REQUEST' },
        });
      expect(await alarm('webhooks:alarm', {})).toMatchObject({ ok: true, value: { silenceMinutes: 5 } });
      expect(c.health().connection).toBe('ok');
      offsetMs = 4 * 60_000;
      expect(c.health().connection).toBe('ok');
      offsetMs = 6 * 60_000;
      const silent = c.health();
      expect(silent.connection).toBe('degraded');
      expect(silent.details.connection).toMatch(/No webhook from Meta for 6 minutes on "Shop number"/);
      expect(silent.details.connection).toContain(
        'Check that the tunnel is up, that the callback URL in Settings is the one Meta uses, and that the app is subscribed to the WhatsApp Business Account.',
      );
      // N is the user's setting.
      expect((await alarm('webhooks:set-alarm', { silenceMinutes: 10 })).ok).toBe(true);
      expect(c.health().connection).toBe('ok');
      expect((await alarm('webhooks:set-alarm', { silenceMinutes: 5 })).ok).toBe(true);
      expect(c.health().connection).toBe('degraded');

      // A signed webhook that is not JSON: answered 200, stored as unparseable with its reason, listed by
      // the diagnostics channel; and it is a webhook, so the alarm clears.
      const url = c.webhooks.webhookUrlFor(connectionId);
      const garbled = '{"object":"whatsapp_business_account","entry":[{"id":';
      expect(await post(url, garbled, signBody(garbled, appSecret))).toBe(200);
      const diagnostics = async (): Promise<Diagnostics> => {
        const result = (await c.router.dispatch('webhooks:diagnostics', {}, sender)) as {
          ok: boolean;
          value: Diagnostics;
        };
        expect(result.ok).toBe(true);
        return result.value;
      };
      // Stored before the 200; judged unparseable by the processing job that follows.
      await expect.poll(async () => (await diagnostics()).problems.length, { timeout: 20_000 }).toBe(1);
      const listed = await diagnostics();
      expect(listed.problems[0]).toMatchObject({ connectionId, state: 'unparseable' });
      expect(listed.problems[0]!.reason).toMatch(/\S/);
      expect(listed.problems[0]!.preview).toContain('whatsapp_business_account');
      expect(listed.counts.unparseable).toBe(1);
      expect(c.health().connection).toBe('ok');
      expect(c.health().details.connection).toBeUndefined();

      // Badly signed POSTs: 401, nothing stored, and health says what to check.
      const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [] });
      expect(await post(url, body, signBody(body, 'not-the-app-secret'))).toBe(401);
      expect(await post(url, body)).toBe(401);
      expect(await post(url, body, signBody(body, appSecret).slice(0, 20))).toBe(401);
      const refused = c.health();
      expect(refused.connection).toBe('degraded');
      expect(refused.details.connection).toBe(
        '3 webhook(s) refused for a bad signature since start: check the app secret.',
      );
      const after = await diagnostics();
      expect(after.refusedSignatures).toBe(3);
      expect(after.problems).toHaveLength(1);
    },
  );
});
