// Issue 7, template sync against the real simulator (whatsapp-cloud-api.md §5): every page of 250
// templates is stored with status, category, quality, parameter format and components; concurrent
// "Sync now" clicks run one sync and the others are told one is running; a template removed at Meta is
// marked DELETED (kept for campaigns); the 10/min limit holds over a simulated minute; template webhooks
// and the periodic timer trigger syncs through the queue; create and delete go through Meta.
import { afterEach, describe, expect, it } from 'vitest';
import type { TemplateSyncResult, TemplateView } from '../../src-preload/messaging.contract';
import type { TemplateSeed } from '../../src-main/simulator/simulator';
import { openMessagingHarness, type MessagingHarness } from '../helpers/messagingHarness';
import { waitFor } from '../helpers/waitFor';

let h: MessagingHarness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

function seeds(count: number): TemplateSeed[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `tpl_${String(i).padStart(3, '0')}`,
    language: i % 2 === 0 ? 'en_US' : 'pt_BR',
    category: i % 3 === 0 ? 'MARKETING' : 'UTILITY',
    ...(i % 5 === 0 ? { parameter_format: 'named' as const } : {}),
    components:
      i % 5 === 0
        ? [{ type: 'BODY' as const, text: `Hi {{first_name}} #${i}` }]
        : [
            { type: 'BODY' as const, text: `Hi {{1}} #${i}` },
            { type: 'FOOTER' as const, text: 'Bye' },
          ],
    ...(i % 7 === 0 ? { status: 'PAUSED' as const, quality: 'RED' as const } : {}),
  }));
}

function templateRequests(harness: MessagingHarness): number {
  return harness.sim.ledger
    .requests()
    .filter((r) => r.method === 'GET' && r.path.endsWith('/message_templates') && r.status === 200).length;
}

describe('template sync', () => {
  it('pages through 250 templates, stores what the screen shows, and marks one removed at Meta as DELETED', async () => {
    let offset = 0;
    h = await openMessagingHarness({ sim: { templates: seeds(250) }, limiterNow: () => Date.now() + offset });
    const first = await h.value<TemplateSyncResult>('templates:sync', { connectionId: h.connectionId });
    expect(first).toMatchObject({ fetched: 250, upserted: 250, markedDeleted: 0 });
    expect(templateRequests(h)).toBeGreaterThanOrEqual(3);

    const all = await h.value<TemplateView[]>('templates:list', { connectionId: h.connectionId });
    expect(all).toHaveLength(250);
    const named = all.find((t) => t.name === 'tpl_005');
    expect(named).toMatchObject({ language: 'pt_BR', parameterFormat: 'NAMED', status: 'APPROVED' });
    const paused = all.find((t) => t.name === 'tpl_014');
    expect(paused).toMatchObject({ status: 'PAUSED', qualityScore: 'RED', category: 'UTILITY' });
    expect(paused?.components).toEqual([
      expect.objectContaining({ type: 'BODY', text: 'Hi {{1}} #14' }),
      expect.objectContaining({ type: 'FOOTER', text: 'Bye' }),
    ]);
    const filtered = await h.value<TemplateView[]>('templates:list', {
      connectionId: h.connectionId,
      status: 'PAUSED',
      category: 'MARKETING',
    });
    expect(filtered.map((t) => t.name)).toEqual(
      all.filter((t) => t.status === 'PAUSED' && t.category === 'MARKETING').map((t) => t.name),
    );
    expect(filtered.length).toBeGreaterThan(0);

    // Removed in Meta's UI (not through the app).
    const removed = await fetch(`${h.sim.baseUrl}/v24.0/${h.sim.wabaId}/message_templates?name=tpl_042`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${h.sim.accessToken}` },
    });
    expect(removed.status).toBe(200);
    offset += 6_000;
    const second = await h.value<TemplateSyncResult>('templates:sync', { connectionId: h.connectionId });
    expect(second).toMatchObject({ fetched: 249, markedDeleted: 1 });
    const kept = h.db.prepare(`SELECT status FROM templates WHERE name = 'tpl_042'`).get() as
      { status: string } | undefined;
    expect(kept?.status).toBe('DELETED');
    expect(await h.value<TemplateView[]>('templates:list', { connectionId: h.connectionId })).toHaveLength(
      249,
    );
    const withDeleted = await h.value<TemplateView[]>('templates:list', {
      connectionId: h.connectionId,
      includeDeleted: true,
    });
    expect(withDeleted).toHaveLength(250);
  });

  it('concurrent "Sync now" clicks run one sync; the others hear one is running; the 10/min limit holds over a minute', async () => {
    let offset = 0;
    const grants: number[] = [];
    h = await openMessagingHarness({
      sim: { templates: seeds(250) },
      limiterNow: () => Date.now() + offset,
      onGrant: (key, at) => {
        if (key.startsWith('template_sync_rate_limit:')) grants.push(at);
      },
    });
    const harness = h;
    const results = await Promise.all(
      Array.from({ length: 8 }, () => harness.call('templates:sync', { connectionId: harness.connectionId })),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const refused = results.filter((r) => !r.ok);
    expect(refused).toHaveLength(7);
    for (const r of refused) {
      if (r.ok) continue;
      expect(r.error.code).toBe('LOCKED');
      expect(r.error.message).toMatch(/^A template sync is already running \(started /);
    }
    expect(templateRequests(h)).toBe(3);

    // Right after: over the limit, with when to retry.
    const limited = await h.call('templates:sync', { connectionId: h.connectionId });
    expect(limited.ok).toBe(false);
    if (!limited.ok) {
      expect(limited.error.code).toBe('RATE_LIMITED');
      expect(limited.error.message).toMatch(/try again in \d+ s/);
    }

    // A simulated minute of clicks every second: never more than 10 syncs in any 60 s.
    let ok = 1;
    for (let second = 1; second <= 60; second++) {
      offset += 1_000;
      const result = await h.call('templates:sync', { connectionId: h.connectionId });
      if (result.ok) ok += 1;
      else expect(result.error.code).toBe('RATE_LIMITED');
    }
    expect(ok).toBeGreaterThanOrEqual(10);
    for (const at of grants)
      expect(grants.filter((g) => g >= at && g < at + 60_000).length).toBeLessThanOrEqual(10);
    expect(templateRequests(h)).toBe(ok * 3);
  });

  it('a template webhook triggers a sync through the queue (a burst makes one); create and delete go through Meta', async () => {
    h = await openMessagingHarness({
      sim: { templates: seeds(3) },
      messaging: { templateSync: { debounceMs: 300 } },
    });
    const harness = h;
    const syncs: TemplateSyncResult[] = [];
    h.events.subscribe((event, payload) => {
      if (event === 'templates:status-changed') {
        harness.messaging.onTemplateStatusChanged(payload as { connectionId: string });
      }
      if (event === 'templates:synced') syncs.push(payload as TemplateSyncResult);
    });
    await h.value('templates:sync', { connectionId: h.connectionId });
    syncs.length = 0;
    // Meta changes three templates at once; each sends a status webhook to the app.
    for (const name of ['tpl_000', 'tpl_001', 'tpl_002']) {
      h.sim.control.setTemplateStatus({ name, language: name === 'tpl_001' ? 'pt_BR' : 'en_US' }, 'FLAGGED');
    }
    await waitFor(() => syncs.length >= 1, { what: 'a webhook-triggered sync', timeoutMs: 15_000 });
    await h.sim.control.settle();
    await h.queue.whenIdle();
    expect(syncs).toHaveLength(1);
    const flagged = await h.value<TemplateView[]>('templates:list', {
      connectionId: h.connectionId,
      status: 'FLAGGED',
    });
    expect(flagged).toHaveLength(3);

    const created = await h.value<TemplateView>('templates:create', {
      connectionId: h.connectionId,
      name: 'spring_sale',
      language: 'en_US',
      category: 'MARKETING',
      components: [
        { type: 'BODY', text: 'Hi {{1}}, 20% off!', example: { body_text: [['Ana']] } },
        { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Stop' }] },
      ],
    });
    expect(created).toMatchObject({ name: 'spring_sale', status: 'PENDING', category: 'MARKETING' });
    expect(h.sim.control.templates().some((t) => t.name === 'spring_sale')).toBe(true);

    const bad = await h.call('templates:create', {
      connectionId: h.connectionId,
      name: 'Spring Sale',
      language: 'en_US',
      category: 'MARKETING',
      components: [{ type: 'BODY', text: 'x' }],
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });

    expect(await h.value('templates:delete', { connectionId: h.connectionId, name: 'spring_sale' })).toEqual({
      deleted: 1,
    });
    expect(h.sim.control.templates().some((t) => t.name === 'spring_sale' && t.status !== 'DELETED')).toBe(
      false,
    );
    const row = h.db.prepare(`SELECT status FROM templates WHERE name = 'spring_sale'`).get() as {
      status: string;
    };
    expect(row.status).toBe('DELETED');
  });

  it('the periodic sync job reschedules itself and stops when its connection is removed', async () => {
    h = await openMessagingHarness({
      sim: { templates: seeds(2) },
      messaging: { templateSync: { schedule: true, intervalMs: 400 } },
    });
    const harness = h;
    // schedule: the never-synced connection syncs at once, then every interval.
    await waitFor(
      () => (harness.db.prepare(`SELECT count(*) AS n FROM templates`).get() as { n: number }).n === 2,
      { what: 'the on-connect sync' },
    );
    expect(templateRequests(h)).toBe(1);
    const timer = h.db
      .prepare(`SELECT run_at FROM jobs WHERE type = 'templates.sync-timer' AND state = 'queued'`)
      .all() as { run_at: number }[];
    expect(timer).toHaveLength(1);
    // The limiter (10/min) lets the next periodic one through after 6 s; the job keeps rescheduling.
    await waitFor(() => templateRequests(harness) >= 2, { what: 'a periodic sync', timeoutMs: 12_000 });
    h.db.prepare('DELETE FROM connections WHERE id = ?').run(h.connectionId);
    await waitFor(
      () =>
        (
          harness.db.prepare(`SELECT count(*) AS n FROM jobs WHERE type = 'templates.sync-timer'`).get() as {
            n: number;
          }
        ).n === 0,
      { what: 'the timer job to end' },
    );
  });
});
