// The templates store's "Sync now" against a scripted bridge: a click while this window's sync runs is
// answered by main's LOCKED message on its own line, and the running sync's result still shows when it
// ends; the rate-limit answer and push events are handled as the screen expects. (That main really
// answers LOCKED to concurrent syncs is proven in test/integration/templates.sync.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BellhopApi, Result } from '../../../src-preload/contract';
import type { TemplateSyncResult, TemplateView } from '../../../src-preload/messaging.contract';
// Type only: the module itself is imported after window.api is in place (it subscribes at load).
import type { useTemplatesStore } from '../../../src-renderer/stores/templates';

interface Pending {
  channel: string;
  payload: unknown;
  resolve(result: Result<unknown>): void;
}

const pending: Pending[] = [];
const listeners = new Map<string, ((payload: unknown) => void)[]>();
const bridge = {
  invoke(channel: string, payload: unknown) {
    return new Promise<Result<unknown>>((resolve) => pending.push({ channel, payload, resolve }));
  },
  on(event: string, listener: (payload: unknown) => void) {
    listeners.set(event, [...(listeners.get(event) ?? []), listener]);
    return () => undefined;
  },
} as unknown as BellhopApi;

type Store = typeof useTemplatesStore;
let store: Store;

beforeAll(async () => {
  (globalThis as { window?: unknown }).window = { api: bridge };
  store = (await import('../../../src-renderer/stores/templates')).useTemplatesStore;
});
afterAll(() => {
  delete (globalThis as { window?: unknown }).window;
});

async function next(channel: string): Promise<Pending> {
  for (let i = 0; i < 100; i++) {
    const index = pending.findIndex((p) => p.channel === channel);
    if (index >= 0) return pending.splice(index, 1)[0] as Pending;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`no ${channel} call was made`);
}

const template = (name: string, status = 'APPROVED'): TemplateView => ({
  id: name,
  connectionId: 'c1',
  metaTemplateId: '1',
  name,
  language: 'en_US',
  category: 'UTILITY',
  status,
  parameterFormat: 'POSITIONAL',
  components: [{ type: 'BODY', text: 'Hi' }],
  qualityScore: null,
  rejectedReason: null,
  syncedAt: 1_000,
  updatedAt: 1_000,
});

describe('templates store', () => {
  it('a second "Sync now" while one runs shows "already running" and the first still reports its result', async () => {
    store.getState().setConnection('c1');
    (await next('templates:list')).resolve({ ok: true, value: [template('a')] });
    await expect.poll(() => store.getState().templates.length).toBe(1);

    const first = store.getState().syncNow();
    const firstCall = await next('templates:sync');
    expect(store.getState().sync).toMatchObject({ running: true });

    const second = store.getState().syncNow();
    (await next('templates:sync')).resolve({
      ok: false,
      error: { code: 'LOCKED', message: 'A template sync is already running (started 1 s ago).' },
    });
    await second;
    expect(store.getState().syncNotice).toBe('A template sync is already running (started 1 s ago).');
    expect(store.getState().sync.running).toBe(true);

    const result: TemplateSyncResult = {
      connectionId: 'c1',
      fetched: 2,
      upserted: 2,
      markedDeleted: 1,
      startedAt: 5_000,
      finishedAt: 6_000,
    };
    firstCall.resolve({ ok: true, value: result });
    (await next('templates:list')).resolve({ ok: true, value: [template('a'), template('b')] });
    await first;
    expect(store.getState().sync).toEqual({
      running: false,
      message: 'Synced 2 templates; 1 removed at Meta marked deleted.',
      tone: 'ok',
    });
    expect(store.getState().lastSyncEventAt).toBe(6_000);
    expect(store.getState().templates.map((t) => t.name)).toEqual(['a', 'b']);
  });

  it('shows the rate-limit answer as a warning, and a status webhook reloads the list', async () => {
    const click = store.getState().syncNow();
    (await next('templates:sync')).resolve({
      ok: false,
      error: {
        code: 'RATE_LIMITED',
        message: 'Templates can be synced at most 10 times a minute; try again in 4 s.',
      },
    });
    await click;
    expect(store.getState().sync).toEqual({
      running: false,
      message: 'Templates can be synced at most 10 times a minute; try again in 4 s.',
      tone: 'warn',
    });

    for (const listener of listeners.get('templates:status-changed') ?? []) {
      listener({ connectionId: 'c1', name: 'b', language: 'en_US', status: 'PAUSED' });
    }
    (await next('templates:list')).resolve({ ok: true, value: [template('a'), template('b', 'PAUSED')] });
    await expect.poll(() => store.getState().templates[1]?.status).toBe('PAUSED');

    // Another connection's event is not this screen's business.
    for (const listener of listeners.get('templates:status-changed') ?? []) {
      listener({ connectionId: 'other', name: 'x', language: 'en_US', status: 'PAUSED' });
    }
    await new Promise((r) => setImmediate(r));
    expect(pending).toHaveLength(0);
  });
});
