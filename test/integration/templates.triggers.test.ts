// Issue 7, what starts a template sync beyond the button, end to end: a connection added while the app
// runs syncs at once (sync on connect) and gets its own periodic timer; and in the composed core, a
// template status webhook from Meta (here the Sandbox's simulator) updates the row at once and makes
// the core resync that connection through the queue (whatsapp-cloud-api.md §5, §12).
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src-main/core';
import { newId } from '../../src-main/db/ids';
import { createMemoryLogger } from '../../src-main/log';
import type { TemplateSyncResult } from '../../src-preload/messaging.contract';
import { openMessagingHarness, type MessagingHarness } from '../helpers/messagingHarness';
import { useTempDirs } from '../helpers/tempDir';
import { waitFor } from '../helpers/waitFor';

const temp = useTempDirs();
let h: MessagingHarness | undefined;
let core: Core | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
  await core?.close();
  core = undefined;
});

const count = (harness: MessagingHarness, sql: string, ...args: unknown[]): number =>
  (harness.db.prepare(sql).get(...args) as { n: number }).n;

describe('template sync triggers', () => {
  it('a connection added while the app runs is synced at once and gets its periodic sync', async () => {
    h = await openMessagingHarness({
      sim: {
        templates: [
          {
            name: 'hello',
            language: 'en_US',
            category: 'UTILITY',
            components: [{ type: 'BODY', text: 'Hi' }],
          },
          {
            name: 'promo',
            language: 'en_US',
            category: 'MARKETING',
            components: [{ type: 'BODY', text: 'Sale' }],
          },
        ],
      },
      messaging: { templateSync: { schedule: true, intervalMs: 600_000 } },
    });
    const harness = h;
    await waitFor(
      () =>
        count(
          harness,
          'SELECT count(*) AS n FROM templates WHERE connection_id = ?',
          harness.connectionId,
        ) === 2,
      { what: 'the first connection synced' },
    );

    // A second number on the same WABA, added the way the connections service adds one.
    const second = newId();
    h.db
      .prepare(
        `INSERT INTO connections (id, workspace_id, kind, name, phone_number_id, waba_id, api_version, token_enc,
           app_secret_enc, verify_token, rate_limit_per_minute, created_at, updated_at)
         SELECT ?, workspace_id, kind, 'Second number', 'second-phone-number', waba_id, api_version, token_enc,
           app_secret_enc, verify_token, rate_limit_per_minute, created_at, updated_at
         FROM connections WHERE id = ?`,
      )
      .run(second, h.connectionId);
    expect(count(h, 'SELECT count(*) AS n FROM templates WHERE connection_id = ?', second)).toBe(0);
    h.events.emit('connections:changed', { workspaceId: h.workspaceId, connectionIds: [second] });

    await waitFor(
      () => count(harness, 'SELECT count(*) AS n FROM templates WHERE connection_id = ?', second) === 2,
      { what: 'the added connection synced on connect', timeoutMs: 15_000 },
    );
    expect(
      count(
        harness,
        `SELECT count(*) AS n FROM jobs WHERE type = 'templates.sync-timer' AND state = 'queued'`,
      ),
    ).toBe(2);
  });

  it('in the core, a template status webhook updates the row at once and triggers a resync', async () => {
    core = await createCore({ dataDir: temp.dir(), hostKind: 'browser', log: createMemoryLogger() });
    const running = core;
    const sandbox = running.sandbox;
    if (!sandbox) throw new Error('the Sandbox did not start');
    const syncs: TemplateSyncResult[] = [];
    const statusEvents: unknown[] = [];
    running.events.subscribe((event, payload) => {
      if (event === 'templates:synced') syncs.push(payload as TemplateSyncResult);
      if (event === 'templates:status-changed') statusEvents.push(payload);
    });
    const statusOf = (name: string): string | undefined =>
      (
        running.db.prepare('SELECT status FROM templates WHERE name = ?').get(name) as
          { status: string } | undefined
      )?.status;
    // Sync on connect: the never-synced Sandbox connection fills its templates by itself.
    await waitFor(() => statusOf('order_update') === 'APPROVED', {
      what: 'the on-connect sync',
      timeoutMs: 15_000,
    });
    const listings = (): number =>
      sandbox.simulator.ledger
        .requests()
        .filter((r) => r.method === 'GET' && r.path.endsWith('/message_templates') && r.status === 200)
        .length;
    const before = listings();
    const syncsBefore = syncs.length;

    sandbox.simulator.control.setTemplateStatus({ name: 'order_update', language: 'en_US' }, 'PAUSED', {
      reason: null,
      otherInfo: { title: 'FIRST_PAUSE', description: 'Low quality' },
    });
    await waitFor(() => statusOf('order_update') === 'PAUSED', {
      what: 'the webhook applied',
      timeoutMs: 15_000,
    });
    expect(statusEvents).toContainEqual(expect.objectContaining({ name: 'order_update', status: 'PAUSED' }));
    // The resync waits out the debounce and the 10/min spacing, then lists the templates again.
    await waitFor(() => syncs.length > syncsBefore, { what: 'a webhook-triggered sync', timeoutMs: 30_000 });
    expect(listings()).toBeGreaterThan(before);
    expect(statusOf('order_update')).toBe('PAUSED');
  });
});
