// Races of the contacts design (seed §4 and the lock registry): imports of one workspace exclude each
// other, different workspaces do not; concurrent exports each get their own complete file; an export
// imported back changes nothing.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImportSummary } from '../../src-preload/contacts.contract';
import { lockKeys } from '../../src-main/locks/keys';
import {
  createContactsHarness,
  settingsFor,
  upload,
  usNumber,
  type ContactsHarness,
} from '../helpers/contactsCsv';

let h: ContactsHarness;
beforeEach(() => {
  h = createContactsHarness();
  h.addWorkspace('ws1');
  h.addWorkspace('ws2');
});
afterEach(async () => {
  await h.close();
});

function file(first: number, count: number, tag: string): Buffer {
  const lines = ['phone,name,tags'];
  for (let i = first; i < first + count; i++) lines.push(`${usNumber(i)},${tag} ${i},${tag}`);
  return Buffer.from(lines.join('\n') + '\n');
}

function phones(workspaceId: string): string[] {
  return h.db
    .prepare('SELECT phone_e164 FROM contacts WHERE workspace_id = ? ORDER BY phone_e164')
    .pluck()
    .all(workspaceId) as string[];
}

function expectedPhones(first: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => usNumber(first + i)).sort();
}

const columns = settingsFor([{ kind: 'phone' }, { kind: 'name' }, { kind: 'tags' }]);

describe('contacts concurrency', () => {
  it('two imports started at once in one workspace: one runs, the other is refused and writes nothing', async () => {
    const a = await upload(h.service, file(0, 20_000, 'alpha'), 'alpha.csv');
    const b = await upload(h.service, file(100_000, 20_000, 'beta'), 'beta.csv');
    const outcomes = await Promise.allSettled([
      h.service.startImport('ws1', a, columns),
      h.service.startImport('ws1', b, columns),
    ]);
    const ran = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(ran).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]?.reason).toMatchObject({
      code: 'LOCKED',
      message: expect.stringMatching(
        /^An import is already running in this workspace \(started \d\d:\d\d:\d\d, /,
      ) as string,
    });
    const winner = (ran[0] as PromiseFulfilledResult<{ importId: string; fileName: string }>).value;

    // While it runs, a third attempt is refused too, naming the running file.
    await expect(h.service.startImport('ws1', b, columns)).rejects.toMatchObject({
      code: 'LOCKED',
      message: expect.stringContaining(winner.fileName) as string,
    });

    const summary = await h.service.whenImportFinished(winner.importId);
    expect(summary.counts).toMatchObject({ rows: 20_000, created: 20_000, rejected: 0 });
    const first = winner.fileName === 'alpha.csv' ? 0 : 100_000;
    expect(phones('ws1')).toEqual(expectedPhones(first, 20_000));
    const tags = h.db.prepare('SELECT DISTINCT tags FROM contacts WHERE workspace_id = ?').pluck().all('ws1');
    expect(tags).toEqual([winner.fileName === 'alpha.csv' ? '["alpha"]' : '["beta"]']);
    // The refused import left no rejects file and holds no lock.
    expect(readdirSync(join(h.dir, 'contacts-imports')).filter((f) => f.endsWith('.csv'))).toEqual([]);
    expect(h.locks.holders()).toEqual([]);
  });

  it('imports in two workspaces run at the same time, each into its own workspace', async () => {
    const a = await upload(h.service, file(0, 15_000, 'one'));
    const b = await upload(h.service, file(0, 15_000, 'two'));
    const [startedA, startedB] = await Promise.all([
      h.service.startImport('ws1', a, columns),
      h.service.startImport('ws2', b, columns),
    ]);
    // Both hold their workspace's lock at once.
    expect(
      h.locks
        .holders()
        .map((l) => l.key)
        .sort(),
    ).toEqual(['contact_import:workspace:ws1', 'contact_import:workspace:ws2']);
    const summaries: ImportSummary[] = await Promise.all([
      h.service.whenImportFinished(startedA.importId),
      h.service.whenImportFinished(startedB.importId),
    ]);
    for (const s of summaries) expect(s.counts).toMatchObject({ rows: 15_000, created: 15_000, rejected: 0 });
    expect(phones('ws1')).toEqual(expectedPhones(0, 15_000));
    expect(phones('ws2')).toEqual(expectedPhones(0, 15_000));
  });

  it('ten concurrent exports give ten distinct, complete files and no partial ones', async () => {
    const started = await h.service.startImport('ws1', await upload(h.service, file(0, 5_000, 'x')), columns);
    await h.service.whenImportFinished(started.importId);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => h.service.export({ workspaceId: 'ws1' })),
    );
    expect(new Set(results.map((r) => r.fileName)).size).toBe(10);
    for (const result of results) {
      expect(result.fileName).toMatch(/^contacts-ws1-\d{8}-\d{6}-\d{3}-[0-9a-f]{8}\.csv$/);
      expect(result.rows).toBe(5_000);
      const served = h.service.downloadFile('export', result.exportId);
      expect(served).toBeDefined();
      const rows: string[][] = parse(readFileSync(served?.path as string, 'utf8').replace(/^\uFEFF/, ''));
      expect(rows[0]?.slice(0, 4)).toEqual(['phone', 'name', 'email', 'tags']);
      expect(rows.slice(1).map((r) => r[0])).toEqual(expectedPhones(0, 5_000));
    }
    expect(readdirSync(join(h.dir, 'contacts-exports')).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('exports exactly the filtered rows with exactly the chosen columns', async () => {
    const mixed =
      'phone,name,email,tags,City,Plan\n' +
      '+16505550001,Ann,ann@x.com,vip,Lisbon,gold\n' +
      '+16505550002,Bob,bob@x.com,other,Porto,\n' +
      '+16505550003,Cid,,vip,,silver\n';
    const started = await h.service.startImport(
      'ws1',
      await upload(h.service, Buffer.from(mixed)),
      settingsFor([
        { kind: 'phone' },
        { kind: 'name' },
        { kind: 'email' },
        { kind: 'tags' },
        { kind: 'attribute', key: 'City' },
        { kind: 'attribute', key: 'Plan' },
      ]),
    );
    await h.service.whenImportFinished(started.importId);
    const exported = await h.service.export({
      workspaceId: 'ws1',
      filter: { tag: 'vip' },
      columns: ['attributes', 'name', 'phone'],
    });
    expect(exported.rows).toBe(2);
    const text = readFileSync(h.service.downloadFile('export', exported.exportId)?.path as string, 'utf8');
    // Columns come in the export's own order whatever order they were picked in; only the keys the
    // filtered rows use become attribute columns.
    expect(parse(text.replace(/^\uFEFF/, ''))).toEqual([
      ['phone', 'name', 'attribute:City', 'attribute:Plan'],
      ['+16505550001', 'Ann', 'Lisbon', 'gold'],
      ['+16505550003', 'Cid', '', 'silver'],
    ]);
    const bySearch = await h.service.export({
      workspaceId: 'ws1',
      filter: { search: 'bob' },
      columns: ['email'],
    });
    const searched = readFileSync(
      h.service.downloadFile('export', bySearch.exportId)?.path as string,
      'utf8',
    );
    expect(parse(searched.replace(/^\uFEFF/, ''))).toEqual([['email'], ['bob@x.com']]);
  });

  it('an export holds the workspace export lock while it runs and reports progress up to the total', async () => {
    const started = await h.service.startImport('ws1', await upload(h.service, file(0, 5_000, 'x')), columns);
    await h.service.whenImportFinished(started.importId);
    const holdersAtProgress: string[][] = [];
    const unsubscribe = h.events.subscribe((event) => {
      if (event === 'contacts:export-progressed') holdersAtProgress.push(h.locks.holders().map((l) => l.key));
    });
    const from = h.emitted.length;
    const exported = await h.service.export({ workspaceId: 'ws1' });
    unsubscribe();
    const progress = h.emitted
      .slice(from)
      .filter((e) => e.event === 'contacts:export-progressed')
      .map(
        (e) => e.payload as { exportId: string; workspaceId: string; rowsDone: number; rowsTotal: number },
      );
    expect(progress.length).toBeGreaterThan(0);
    for (const p of progress)
      expect(p).toMatchObject({ exportId: exported.exportId, workspaceId: 'ws1', rowsTotal: 5_000 });
    const done = progress.map((p) => p.rowsDone);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done.at(-1)).toBe(5_000);
    expect(holdersAtProgress.length).toBe(progress.length);
    for (const keys of holdersAtProgress) expect(keys).toEqual(['contact_export:workspace:ws1']);
    expect(h.locks.holders()).toEqual([]);
  });

  it('a second export of a workspace waits for the lock, and gives up with LOCKED writing nothing', async () => {
    const started = await h.service.startImport('ws1', await upload(h.service, file(0, 100, 'x')), columns);
    await h.service.whenImportFinished(started.importId);
    const exportsDir = join(h.dir, 'contacts-exports');
    const listed = (): string[] => (existsSync(exportsDir) ? readdirSync(exportsDir) : []);
    const held = await h.locks.acquire(lockKeys.contactExport('ws1'), { owner: 'the test' });
    if (!held.ok) throw new Error('test could not take the lock');
    let settled = false;
    const waiting = h.service.export({ workspaceId: 'ws1' }).finally(() => {
      settled = true;
    });
    // An export in ws2 is not held up by ws1's lock, and while it runs the ws1 export is still waiting.
    await h.service.export({ workspaceId: 'ws2' });
    expect(settled).toBe(false);
    expect(listed().filter((f) => f.includes('-ws1-'))).toEqual([]);
    h.locks.release(held.key, held.token);
    expect((await waiting).rows).toBe(100);

    // With a short wait, an export that cannot get the lock is refused and leaves no file behind.
    const impatient = createContactsHarness({ exportLockWaitMs: 300 });
    try {
      impatient.addWorkspace('ws1');
      const lock = await impatient.locks.acquire(lockKeys.contactExport('ws1'), { owner: 'Another export' });
      if (!lock.ok) throw new Error('test could not take the lock');
      await expect(impatient.service.export({ workspaceId: 'ws1' })).rejects.toMatchObject({
        code: 'LOCKED',
      });
      const dir = join(impatient.dir, 'contacts-exports');
      expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    } finally {
      await impatient.close();
    }
  });

  it('export then import of the same file changes nothing', async () => {
    const messy =
      'Phone,Name,Email,Tags,City,Notes\n' +
      '+1 (650) 555-1234,"Ann, Lee",ann@example.com,"vip; 2024",Lisbon,"line one\nline two"\n' +
      '16505550100,=cmd(),,"a|b",,@mention\n' +
      '(11) 8765-4321,João,,,São Paulo,"quote ""here"""\n' +
      '+44 20 7946 0018,,,,,\n';
    const first = await h.service.startImport(
      'ws1',
      await upload(h.service, Buffer.from(messy)),
      settingsFor(
        [
          { kind: 'phone' },
          { kind: 'name' },
          { kind: 'email' },
          { kind: 'tags' },
          { kind: 'attribute', key: 'City' },
          { kind: 'attribute', key: 'Notes' },
        ],
        { defaultCountry: 'BR' },
      ),
    );
    expect((await h.service.whenImportFinished(first.importId)).counts).toMatchObject({
      created: 4,
      rejected: 0,
    });
    // An opted-out contact with a reason, edited tags and attributes through the screen's paths.
    const ann = h.db
      .prepare("SELECT id FROM contacts WHERE phone_e164 = '+16505551234'")
      .pluck()
      .get() as string;
    h.service.setOptOut('ws1', ann, true, 'Asked by phone');
    h.service.update('ws1', ann, { attributes: { City: 'Lisbon', Plan: '+gold' } });
    const before = h.db.prepare('SELECT * FROM contacts ORDER BY phone_e164').all();

    const exported = await h.service.export({ workspaceId: 'ws1' });
    const bytes = readFileSync(h.service.downloadFile('export', exported.exportId)?.path as string);
    const uploadId = await upload(h.service, bytes, exported.fileName);
    const preview = await h.service.preview(uploadId);
    const again = await h.service.startImport(
      'ws1',
      uploadId,
      settingsFor(preview.suggested.columns, { delimiter: preview.delimiter, defaultCountry: null }),
    );
    const summary = await h.service.whenImportFinished(again.importId);
    expect(summary.counts).toEqual({
      rows: 4,
      emptyRows: 0,
      created: 0,
      updated: 0,
      unchanged: 4,
      skipped: 0,
      rejected: 0,
    });
    expect(h.db.prepare('SELECT * FROM contacts ORDER BY phone_e164').all()).toEqual(before);
  });

  it('keeps extending the import lock while the import lives, so it never expires under it', async () => {
    const short = createContactsHarness({ importLockTtlMs: 600 });
    try {
      short.addWorkspace('ws1');
      const uploadId = await upload(short.service, file(0, 100_000, 'long'));
      const started = await short.service.startImport('ws1', uploadId, columns);
      const sinceStart = Date.now();
      const holdersSeen: number[] = [];
      const probe = setInterval(() => holdersSeen.push(short.locks.holders().length), 100);
      const summary = await short.service.whenImportFinished(started.importId);
      clearInterval(probe);
      // It ran for many TTLs and held the lock the whole time; every fenced write was accepted.
      expect(Date.now() - sinceStart).toBeGreaterThan(3 * 600);
      expect(holdersSeen.every((n) => n === 1)).toBe(true);
      expect(summary).toMatchObject({ phase: 'done', error: null });
      expect(summary.counts.created).toBe(100_000);
      expect(short.locks.holders()).toEqual([]);
    } finally {
      await short.close();
    }
  });

  it('a workspace deleted during its import stops the import and leaves no orphan contacts', async () => {
    const uploadId = await upload(h.service, file(0, 60_000, 'gone'));
    const started = await h.service.startImport('ws2', uploadId, columns);
    await new Promise<void>((resolve) => {
      const off = h.events.subscribe((event, payload) => {
        const p = payload as { rowsSaved?: number };
        if (event === 'contacts:import-progressed' && (p.rowsSaved ?? 0) > 0) {
          off();
          // The main connection deletes it (foreign keys on: its contacts go with it).
          h.db.prepare("DELETE FROM workspaces WHERE id = 'ws2'").run();
          resolve();
        }
      });
    });
    const summary = await h.service.whenImportFinished(started.importId);
    expect(summary.phase).toBe('failed');
    expect(summary.error).toEqual({
      code: 'NOT_FOUND',
      message: 'The workspace was deleted during the import.',
    });
    expect(h.db.prepare("SELECT count(*) FROM contacts WHERE workspace_id = 'ws2'").pluck().get()).toBe(0);
    expect(h.db.pragma('foreign_key_check(contacts)')).toEqual([]);
  });
});
