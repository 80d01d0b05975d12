// The contacts screen's operations through the IPC router (zod validation included) and the query
// worker: search by name, number and email; filters by tag, attribute, opt-out and source; pages that
// walk the whole list in order with no row missed or repeated; edits, opt-out/opt-in and delete.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Contact, ContactsPage } from '../../src-preload/contacts.contract';
import { bindContacts } from '../../src-main/contacts/contacts.ipc';
import { createIpcRouter } from '../../src-main/ipc/router';
import { createMemoryLogger } from '../../src-main/log';
import {
  createContactsHarness,
  settingsFor,
  upload,
  usNumber,
  type ContactsHarness,
} from '../helpers/contactsCsv';

let h: ContactsHarness;
let call: (channel: string, payload: unknown) => Promise<unknown>;
const COUNT = 3000;

beforeAll(async () => {
  h = createContactsHarness();
  h.addWorkspace('ws1');
  h.addWorkspace('ws2');
  const router = createIpcRouter(bindContacts(h.service), createMemoryLogger());
  call = async (channel, payload) => {
    const result = await router.dispatch(channel, payload, { trusted: true, description: 'test' });
    if (!result.ok) throw Object.assign(new Error(result.error.message), { code: result.error.code });
    return result.value;
  };
  const lines = ['phone,name,email,tags,city'];
  for (let i = 0; i < COUNT; i++) {
    lines.push(
      `${usNumber(i)},${i === 7 ? 'Zélia Quintana' : `Person ${i}`},${i % 10 === 0 ? `p${i}@shop.example` : ''},` +
        `${i % 3 === 0 ? 'vip' : i % 3 === 1 ? '"new, trial"' : ''},${i % 2 ? 'Lisbon' : 'Porto'}`,
    );
  }
  const started = await h.service.startImport(
    'ws1',
    await upload(h.service, Buffer.from(lines.join('\n'))),
    settingsFor([
      { kind: 'phone' },
      { kind: 'name' },
      { kind: 'email' },
      { kind: 'tags' },
      { kind: 'attribute', key: 'city' },
    ]),
  );
  const summary = await h.service.whenImportFinished(started.importId);
  expect(summary.counts.created).toBe(COUNT);
});
afterAll(async () => {
  await h.close();
});

async function list(payload: Record<string, unknown>): Promise<ContactsPage> {
  return (await call('contacts:list', { workspaceId: 'ws1', ...payload })) as ContactsPage;
}

describe('contacts screen operations', () => {
  it('walks every contact in order, page after page, without a row missed or repeated', async () => {
    for (const sort of ['recent', 'phone'] as const) {
      const seen: string[] = [];
      let total = 0;
      for (let offset = 0; ; offset += 250) {
        const page = await list({ sort, offset, limit: 250, withTotal: offset === 0 });
        if (offset === 0) total = page.total ?? -1;
        seen.push(...page.rows.map((r) => r.phoneE164));
        if (page.rows.length < 250) break;
      }
      expect(total).toBe(COUNT);
      expect(seen).toHaveLength(COUNT);
      expect(new Set(seen).size).toBe(COUNT);
      if (sort === 'phone') expect(seen).toEqual([...seen].sort());
    }
    // A jump straight into the middle (no anchor for it yet) gives the same rows as walking there.
    const walked = await list({ sort: 'phone', offset: 1500, limit: 10 });
    const all: string[] = [];
    for (let offset = 0; offset < 1510; offset += 500)
      all.push(...(await list({ sort: 'phone', offset, limit: 500 })).rows.map((r) => r.phoneE164));
    expect(walked.rows.map((r) => r.phoneE164)).toEqual(all.slice(1500, 1510));
  });

  it('searches names (accents included), numbers by their digits however typed, and emails', async () => {
    expect((await list({ filter: { search: 'zélia' }, withTotal: true })).rows.map((r) => r.name)).toEqual([
      'Zélia Quintana',
    ]);
    const number = usNumber(1234);
    const typed = `(${number.slice(2, 5)}) ${number.slice(5, 8)}-${number.slice(8)}`;
    expect((await list({ filter: { search: typed } })).rows.map((r) => r.phoneE164)).toEqual([number]);
    expect((await list({ filter: { search: '@shop.example' }, withTotal: true })).total).toBe(COUNT / 10);
    expect((await list({ filter: { search: '100%' }, withTotal: true })).total).toBe(0);
  });

  it('filters by tag, attribute (with or without a value), opt-out and source', async () => {
    expect((await list({ filter: { tag: 'vip' }, withTotal: true })).total).toBe(COUNT / 3);
    expect((await list({ filter: { tag: 'trial' }, withTotal: true })).total).toBe(COUNT / 3);
    expect(
      (await list({ filter: { attribute: { key: 'city', value: 'Porto' } }, withTotal: true })).total,
    ).toBe(COUNT / 2);
    expect((await list({ filter: { attribute: { key: 'city' } }, withTotal: true })).total).toBe(COUNT);
    expect((await list({ filter: { source: 'import' }, withTotal: true })).total).toBe(COUNT);
    expect((await list({ filter: { source: 'manual' }, withTotal: true })).total).toBe(0);
    const facets = (await call('contacts:facets', { workspaceId: 'ws1' })) as {
      tags: { tag: string; count: number }[];
      attributeKeys: string[];
    };
    expect(facets.tags).toEqual([
      { tag: 'new', count: COUNT / 3 },
      { tag: 'trial', count: COUNT / 3 },
      { tag: 'vip', count: COUNT / 3 },
    ]);
    expect(facets.attributeKeys).toEqual(['city']);
    // Another workspace sees none of it.
    expect(
      ((await call('contacts:list', { workspaceId: 'ws2', withTotal: true })) as ContactsPage).total,
    ).toBe(0);
  });

  it('edits a contact, opts it out with a reason and time and back in, and deletes it', async () => {
    const [target] = (await list({ filter: { search: 'zélia' } })).rows as [Contact];
    const edited = (await call('contacts:update', {
      workspaceId: 'ws1',
      contactId: target.id,
      name: '  Zélia Q. ',
      tags: ['vip', 'gold'],
      attributes: { city: 'Faro', plan: 'annual' },
    })) as Contact;
    expect(edited).toMatchObject({
      name: 'Zélia Q.',
      tags: ['vip', 'gold'],
      attributes: { city: 'Faro', plan: 'annual' },
    });
    await expect(
      call('contacts:update', { workspaceId: 'ws1', contactId: target.id, tags: ['a,b'] }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(
      call('contacts:update', { workspaceId: 'ws1', contactId: target.id, email: 'nope' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });

    const before = Date.now();
    const out = (await call('contacts:set-opt-out', {
      workspaceId: 'ws1',
      contactId: target.id,
      optedOut: true,
      reason: 'Replied STOP',
    })) as Contact;
    expect(out.optedOutReason).toBe('Replied STOP');
    expect(out.optedOutAt).toBeGreaterThanOrEqual(before);
    expect((await list({ filter: { optedOut: 'opted-out' } })).rows.map((r) => r.id)).toEqual([target.id]);
    const back = (await call('contacts:set-opt-out', {
      workspaceId: 'ws1',
      contactId: target.id,
      optedOut: false,
    })) as Contact;
    expect(back).toMatchObject({ optedOutAt: null, optedOutReason: null });
    expect((await list({ filter: { optedOut: 'opted-out' }, withTotal: true })).total).toBe(0);

    expect(
      await call('contacts:delete', { workspaceId: 'ws1', contactIds: [target.id, 'no-such-id'] }),
    ).toEqual({ deleted: 1 });
    expect((await list({ withTotal: true })).total).toBe(COUNT - 1);
    await expect(
      call('contacts:set-opt-out', { workspaceId: 'ws1', contactId: target.id, optedOut: true }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Edits are announced so every open screen refreshes.
    expect(h.emitted.filter((e) => e.event === 'contacts:changed').length).toBeGreaterThanOrEqual(4);
  });

  it('refuses bad requests before they reach the service', async () => {
    await expect(call('contacts:list', { workspaceId: 'ws1', limit: 100_000 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(call('contacts:list', { workspaceId: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      call('contacts:import-start', {
        workspaceId: 'ws1',
        uploadId: 'x',
        settings: settingsFor([{ kind: 'name' }]),
      }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('Choose the column that holds the phone number.') as string,
    });
    await expect(
      call('contacts:upload-chunk', { uploadId: 'missing', offset: 0, data: 'AAAA' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
