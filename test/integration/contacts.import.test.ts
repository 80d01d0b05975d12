// CSV import end to end through the service (upload chunks → preview → import worker → SQLite in a temp
// folder): each fixture is a file a real spreadsheet writes, with the exact counts and reasons expected.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImportSettings, ImportSummary } from '../../src-preload/contacts.contract';
import { AppError } from '../../src-main/ipc/errors';
import { unescapeFormula } from '../../src-main/contacts/csv/csvWrite';
import {
  createContactsHarness,
  settingsFor,
  upload,
  usNumber,
  utf16be,
  utf16le,
  type ContactsHarness,
} from '../helpers/contactsCsv';

let h: ContactsHarness;
beforeEach(() => {
  h = createContactsHarness({ importRunRows: 4 });
  h.addWorkspace('ws1');
});
afterEach(async () => {
  await h.close();
});

interface RejectRow {
  row: number;
  line: number;
  reason: string;
  values: string[];
}

function rejectsOf(summary: ImportSummary): RejectRow[] {
  if (!summary.rejectsFileId) return [];
  const file = h.service.downloadFile('rejects', summary.rejectsFileId);
  if (!file) throw new Error('rejects file not served');
  const rows: string[][] = parse(readFileSync(file.path, 'utf8').replace(/^\uFEFF/, ''), {
    relax_column_count: true,
  });
  return rows.slice(1).map(([row, line, reason, ...values]) => ({
    row: Number(row),
    line: Number(line),
    reason: reason as string,
    // Values are written formula-safe (csvWrite.ts); read them back as an import would.
    values: values.map(unescapeFormula),
  }));
}

async function importBytes(
  bytes: Buffer,
  settings?: Partial<ImportSettings>,
  workspaceId = 'ws1',
): Promise<ImportSummary> {
  const uploadId = await upload(h.service, bytes);
  const preview = await h.service.preview(uploadId);
  const full = settingsFor(preview.suggested.columns, {
    delimiter: preview.delimiter,
    hasHeader: preview.hasHeader,
    ...settings,
  });
  const started = await h.service.startImport(workspaceId, uploadId, full);
  return h.service.whenImportFinished(started.importId);
}

function contacts(workspaceId = 'ws1'): {
  phone_e164: string;
  name: string | null;
  email: string | null;
  tags: string;
  attributes: string;
  source: string;
}[] {
  return h.db
    .prepare(
      'SELECT phone_e164, name, email, tags, attributes, source FROM contacts WHERE workspace_id = ? ORDER BY phone_e164',
    )
    .all(workspaceId) as never;
}

describe('contacts import: what spreadsheets write', () => {
  it('UTF-8 with BOM: quotes, embedded newlines and quotes, empty rows, duplicates in other formats, invalid rows', async () => {
    const csv =
      '\uFEFFPhone,Name,Email,Tags,City\r\n' +
      '+1 (650) 555-1234,Ann Lee,ann@example.com,"vip, 2024",Lisbon\r\n' + // row 2
      '16505551234,Ann L.,,new,Porto\r\n' + // row 3: same number as row 2
      '(650) 555-0100,"Smith, Bob",bob@example.com,,\r\n' + // row 4
      '650-555-0101,"Quote ""Q"" Person",,,"Multi\r\nline city"\r\n' + // row 5, lines 5-6
      ',,,,\r\n' + // row 6: empty
      '\r\n' + // row 7: empty
      '123,Short,,,\r\n' + // row 8
      '+44 20 7946 0000,Brit,not-an-email,,\r\n' + // row 9
      '+44 20 7946 0018,Brit Two,,,\r\n'; // row 10
    const summary = await importBytes(Buffer.from(csv));
    expect(summary.phase).toBe('done');
    expect(summary.counts).toEqual({
      rows: 9,
      emptyRows: 2,
      created: 4,
      updated: 0,
      unchanged: 0,
      skipped: 0,
      rejected: 3,
    });
    expect(summary.rejectedByReason).toEqual({ DUPLICATE_IN_FILE: 1, INVALID_PHONE: 1, INVALID_EMAIL: 1 });
    // In row order: duplicates are found while reading, as they come.
    expect(rejectsOf(summary)).toEqual([
      {
        row: 3,
        line: 3,
        reason: 'Same number (+16505551234) as row 2; the first row was imported',
        values: ['16505551234', 'Ann L.', '', 'new', 'Porto'],
      },
      { row: 8, line: 9, reason: '"123" is too short for US', values: ['123', 'Short', '', '', ''] },
      {
        row: 9,
        line: 10,
        reason: 'Email "not-an-email" is not a valid email address',
        values: ['+44 20 7946 0000', 'Brit', 'not-an-email', '', ''],
      },
    ]);
    expect(contacts()).toEqual([
      {
        phone_e164: '+16505550100',
        name: 'Smith, Bob',
        email: 'bob@example.com',
        tags: '[]',
        attributes: '{}',
        source: 'import',
      },
      {
        phone_e164: '+16505550101',
        name: 'Quote "Q" Person',
        email: null,
        tags: '[]',
        attributes: '{"City":"Multi\\r\\nline city"}',
        source: 'import',
      },
      {
        phone_e164: '+16505551234',
        name: 'Ann Lee',
        email: 'ann@example.com',
        tags: '["vip","2024"]',
        attributes: '{"City":"Lisbon"}',
        source: 'import',
      },
      {
        phone_e164: '+442079460018',
        name: 'Brit Two',
        email: null,
        tags: '[]',
        attributes: '{}',
        source: 'import',
      },
    ]);
  });

  it('the preview shows the first rows as written, and what each phone cell becomes', async () => {
    const csv =
      '\uFEFFPhone;Name;City\r\n' +
      '+1 (650) 555-1234;"Lee; Ann";"Two\r\nlines"\r\n' +
      '123;Short;\r\n' +
      '(650) 555-0100;Bob;Porto\r\n';
    const preview = await h.service.preview(await upload(h.service, Buffer.from(csv)));
    expect(preview.headers).toEqual(['Phone', 'Name', 'City']);
    expect(preview.sample).toEqual([
      ['+1 (650) 555-1234', 'Lee; Ann', 'Two\r\nlines'],
      ['123', 'Short', ''],
      ['(650) 555-0100', 'Bob', 'Porto'],
    ]);
    expect(preview.samplePhones).toEqual([
      { ok: true, e164: '+16505551234' },
      { ok: false, reason: expect.stringContaining('too short') as string },
      { ok: true, e164: '+16505550100' },
    ]);
  });

  it('UTF-16 LE with BOM and tabs (Excel "Unicode text"), Brazilian mobiles with and without the 9', async () => {
    const text =
      'Telefone\tNome\tCidade\r\n' +
      '(11) 98765-4321\tJoão\tSão Paulo\r\n' +
      '(11) 8765-4321\tJoão Dois\tSP\r\n' +
      '+55 21 99999-8888\tMaria\tRio\r\n' +
      '55 11 8765 4321\tJoão Três\t\r\n';
    const bytes = utf16le(text);
    const uploadId = await upload(h.service, bytes);
    const preview = await h.service.preview(uploadId);
    expect(preview).toMatchObject({ encoding: 'utf-16le', hadBom: true, delimiter: '\t', hasHeader: true });
    expect(preview.headers).toEqual(['Telefone', 'Nome', 'Cidade']);
    expect(preview.suggested).toEqual({
      columns: [{ kind: 'phone' }, { kind: 'name' }, { kind: 'attribute', key: 'Cidade' }],
      defaultCountry: 'BR',
    });
    const started = await h.service.startImport(
      'ws1',
      uploadId,
      settingsFor(preview.suggested.columns, { delimiter: '\t', defaultCountry: 'BR' }),
    );
    const summary = await h.service.whenImportFinished(started.importId);
    expect(summary.counts).toEqual({
      rows: 4,
      emptyRows: 0,
      created: 2,
      updated: 0,
      unchanged: 0,
      skipped: 0,
      rejected: 2,
    });
    expect(rejectsOf(summary).map((r) => [r.row, r.reason])).toEqual([
      [3, 'Same number (+5511987654321) as row 2; the first row was imported'],
      [5, 'Same number (+5511987654321) as row 2; the first row was imported'],
    ]);
    expect(contacts().map((c) => [c.phone_e164, c.name, c.attributes])).toEqual([
      ['+5511987654321', 'João', '{"Cidade":"São Paulo"}'],
      ['+5521999998888', 'Maria', '{"Cidade":"Rio"}'],
    ]);
  });

  it('UTF-16 BE with BOM and semicolons; UTF-16 LE without BOM', async () => {
    const be = await importBytes(utf16be('phone;name\n+351 912 345 678;Rui\n912345679;Rita\n'), {
      defaultCountry: 'PT',
    });
    expect(be.counts).toMatchObject({ rows: 2, created: 2, rejected: 0 });
    const le = await importBytes(utf16le('phone,name\n+351 912 345 680,Ana\n', false), {
      defaultCountry: 'PT',
    });
    expect(le.counts).toMatchObject({ rows: 1, created: 1, rejected: 0 });
    expect(contacts().map((c) => [c.phone_e164, c.name])).toEqual([
      ['+351912345678', 'Rui'],
      ['+351912345679', 'Rita'],
      ['+351912345680', 'Ana'],
    ]);
  });

  it('semicolons with a quoted semicolon inside a name; tags split on , ; and |', async () => {
    const summary = await importBytes(
      Buffer.from('telefone;nome;etiquetas\n11987654321;"Silva; João";"a|b, c"\n'),
      {
        defaultCountry: 'BR',
      },
    );
    expect(summary.counts).toMatchObject({ rows: 1, created: 1 });
    expect(contacts()).toMatchObject([
      { phone_e164: '+5511987654321', name: 'Silva; João', tags: '["a","b","c"]' },
    ]);
  });

  it('numbers without a country code: the default country applies; without one they are rejected', async () => {
    const csv = 'phone,name\n650 555 1234,Local\n+16505550199,Intl\n';
    const noCountry = await importBytes(Buffer.from(csv), { defaultCountry: null });
    expect(noCountry.counts).toMatchObject({ rows: 2, created: 1, rejected: 1 });
    expect(noCountry.rejectedByReason).toEqual({ NO_COUNTRY_CODE: 1 });
    const withCountry = await importBytes(Buffer.from(csv), { defaultCountry: 'US' });
    expect(withCountry.counts).toMatchObject({ rows: 2, created: 1, unchanged: 1, rejected: 0 });
    expect(contacts().map((c) => c.phone_e164)).toEqual(['+16505550199', '+16505551234']);
  });

  it('invalid numbers are rejected each with its reason', async () => {
    const csv = 'phone\n+999 1234 5678\nabc\n12\n5.51199E+12\n+1 650 555 12\n+16505551234\n';
    const summary = await importBytes(Buffer.from(csv));
    expect(summary.counts).toMatchObject({ rows: 6, created: 1, rejected: 5 });
    expect(rejectsOf(summary).map((r) => [r.row, r.reason])).toEqual([
      [2, '"+999 1234 5678" does not start with a known country code'],
      [3, '"abc" is not a phone number'],
      [4, '"12" is too short for US'],
      [
        5,
        '"5.51199E+12" is in scientific notation: the spreadsheet rounded the number and its last digits are lost. Format the column as Text and export again',
      ],
      [6, '"+1 650 555 12" is too short'],
    ]);
  });

  it('a 10 MB single line is rejected with its row number; the rows around it import', async () => {
    const csv = Buffer.concat([
      Buffer.from('phone,notes\n+16505550001,before\n+16505550002,'),
      Buffer.alloc(10 * 1024 * 1024, 'z'),
      Buffer.from('\n+16505550003,after\n'),
    ]);
    const summary = await importBytes(csv);
    expect(summary.counts).toMatchObject({ rows: 3, created: 2, rejected: 1 });
    const [tooLong] = rejectsOf(summary);
    expect(tooLong?.row).toBe(3);
    expect(tooLong?.reason).toMatch(/^The row is 10,485,773 characters long \(the limit is 262,144\)/);
    expect(tooLong?.values[0]?.length).toBeLessThan(600);
    expect(contacts().map((c) => c.phone_e164)).toEqual(['+16505550001', '+16505550003']);
  });

  it('a file in a wrong encoding is refused before anything is written, and the lock is free again', async () => {
    const latin1 = Buffer.from('name,phone\nJos\xe9,+16505551234\n', 'latin1');
    const uploadId = await upload(h.service, latin1);
    await expect(h.service.preview(uploadId)).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('is not valid UTF-8') as string,
    });
    const settings = settingsFor([{ kind: 'name' }, { kind: 'phone' }]);
    await expect(h.service.startImport('ws1', uploadId, settings)).rejects.toBeInstanceOf(AppError);
    expect(contacts()).toEqual([]);
    expect(h.locks.holders()).toEqual([]);
    const xlsx = await upload(h.service, Buffer.from('PK\x03\x04\x14\x00\x06\x00', 'latin1'));
    await expect(h.service.preview(xlsx)).rejects.toMatchObject({
      message: expect.stringContaining('Excel workbook') as string,
    });
  });

  it('bytes that are invalid later in a UTF-8 file reject only their rows', async () => {
    const good = Array.from(
      { length: 3000 },
      (_, i) => `+1650555${String(i).padStart(4, '0')},Name ${i}`,
    ).join('\n');
    const bytes = Buffer.concat([
      Buffer.from('phone,name\n' + good + '\n+16505559999,Jos'),
      Buffer.from([0xe9]),
      Buffer.from('\n'),
    ]);
    const summary = await importBytes(bytes);
    expect(summary.counts).toMatchObject({ rows: 3001, created: 3000, rejected: 1 });
    expect(rejectsOf(summary)).toMatchObject([
      { row: 3002, reason: 'The row contains bytes that are not valid text in the file’s encoding' },
    ]);
  });
});

describe('contacts import: values reach the database exactly as written', () => {
  it('keeps emoji, quotes, backslashes, control and separator characters, and 2,000-character values', async () => {
    const values = [
      { name: 'Zoë 😀 “quoted” \\back\\slash', city: 'a\u0000b\u0001c', note: 'line\u2028sep\u2029para' },
      { name: '{"not":"json"}', city: '[1,2]', note: 'x'.repeat(1999) + 'y' },
      { name: "'=1+1", city: 'tab\there', note: '\\u0041 stays literal' },
    ];
    const lines = ['phone,name,city,note,tags'];
    values.forEach((v, i) => {
      const cell = (t: string): string => '"' + t.replace(/"/g, '""') + '"';
      lines.push([`+1650555100${i}`, cell(v.name), cell(v.city), cell(v.note), cell('vip;🙂')].join(','));
    });
    const summary = await importBytes(Buffer.from(lines.join('\n') + '\n'), {
      columns: [
        { kind: 'phone' },
        { kind: 'name' },
        { kind: 'attribute', key: 'City' },
        { kind: 'attribute', key: 'Note "quoted" key' },
        { kind: 'tags' },
      ],
    });
    expect(summary.counts).toMatchObject({ rows: 3, created: 3, rejected: 0 });
    const stored = contacts().map((c) => ({
      name: c.name,
      attributes: JSON.parse(c.attributes) as Record<string, string>,
      tags: JSON.parse(c.tags) as string[],
    }));
    expect(stored).toEqual(
      values.map((v) => ({
        // The import strips the apostrophe an export puts before a formula-like value (csvWrite.ts).
        name: v.name.startsWith("'=") ? v.name.slice(1) : v.name,
        attributes: { City: v.city, 'Note "quoted" key': v.note },
        tags: ['vip', '🙂'],
      })),
    );
  });
});

describe('contacts import: modes against the workspace', () => {
  const base = 'phone,name,email,tags,plan\n+16505550001,Ann,ann@x.com,a,gold\n+16505550002,Bob,,b,\n';

  it('add and update: new rows created, changed ones updated, identical ones unchanged; blanks never erase', async () => {
    expect((await importBytes(Buffer.from(base))).counts).toMatchObject({ created: 2 });
    const next =
      'phone,name,email,tags,plan\n+16505550001,,,a,gold\n+16505550002,Bobby,,c,silver\n+16505550003,Cid,,,\n';
    const summary = await importBytes(Buffer.from(next));
    expect(summary.counts).toEqual({
      rows: 3,
      emptyRows: 0,
      created: 1,
      updated: 1,
      unchanged: 1,
      skipped: 0,
      rejected: 0,
    });
    expect(contacts().map((c) => [c.phone_e164, c.name, c.email, c.tags, c.attributes])).toEqual([
      ['+16505550001', 'Ann', 'ann@x.com', '["a"]', '{"plan":"gold"}'],
      ['+16505550002', 'Bobby', null, '["b","c"]', '{"plan":"silver"}'],
      ['+16505550003', 'Cid', null, '[]', '{}'],
    ]);
  });

  it('add new only: existing numbers are skipped, listed in the rejects file, and left untouched', async () => {
    await importBytes(Buffer.from(base));
    const next = 'phone,name\n+16505550001,Changed\n+16505550004,New\n';
    const summary = await importBytes(Buffer.from(next), { mode: 'add-new' });
    expect(summary.counts).toEqual({
      rows: 2,
      emptyRows: 0,
      created: 1,
      updated: 0,
      unchanged: 0,
      skipped: 1,
      rejected: 0,
    });
    expect(rejectsOf(summary).map((r) => [r.row, r.reason])).toEqual([
      [2, '+16505550001 is already a contact (mode: add new only)'],
    ]);
    expect(contacts().find((c) => c.phone_e164 === '+16505550001')?.name).toBe('Ann');
  });

  it('the same number spelt differently in the workspace and the file is one contact: updated or unchanged, never created', async () => {
    const stored = 'phone,name,email\n+16505551234,Ann,ann@x.com\n+16505550100,Bob,\n';
    expect((await importBytes(Buffer.from(stored))).counts).toMatchObject({ created: 2 });
    // National spellings, resolved through the default country: one unchanged, one with a new name.
    const file = 'phone,name,email\n(650) 555-1234,Ann,ann@x.com\n650.555.0100,Robert,\n';
    const summary = await importBytes(Buffer.from(file), { defaultCountry: 'US' });
    expect(summary.counts).toEqual({
      rows: 2,
      emptyRows: 0,
      created: 0,
      updated: 1,
      unchanged: 1,
      skipped: 0,
      rejected: 0,
    });
    expect(contacts().map((c) => [c.phone_e164, c.name, c.email])).toEqual([
      ['+16505550100', 'Robert', null],
      ['+16505551234', 'Ann', 'ann@x.com'],
    ]);
  });

  it('update existing only: missing numbers are skipped and not created', async () => {
    await importBytes(Buffer.from(base));
    const next = 'phone,name\n+16505550001,Ann\n+16505550002,Robert\n+16505550009,Ghost\n';
    const summary = await importBytes(Buffer.from(next), { mode: 'update-existing' });
    expect(summary.counts).toEqual({
      rows: 3,
      emptyRows: 0,
      created: 0,
      updated: 1,
      unchanged: 1,
      skipped: 1,
      rejected: 0,
    });
    expect(rejectsOf(summary).map((r) => r.reason)).toEqual([
      '+16505550009 is not a contact yet (mode: update existing only)',
    ]);
    expect(contacts()).toHaveLength(2);
  });
});

describe('contacts import: progress and cancel', () => {
  it('reports rows, rows/s and ETA, and a cancel keeps committed rows and says so', async () => {
    const big = createContactsHarness({ importRunRows: 2000 });
    try {
      big.addWorkspace('ws1');
      const lines = ['phone,name'];
      for (let i = 0; i < 60_000; i++) lines.push(`${usNumber(i)},Name ${i}`);
      const uploadId = await upload(big.service, Buffer.from(lines.join('\n') + '\n'));
      const started = await big.service.startImport(
        'ws1',
        uploadId,
        settingsFor([{ kind: 'phone' }, { kind: 'name' }]),
      );
      // Cancel as soon as some rows are committed.
      await new Promise<void>((resolve) => {
        const off = big.events.subscribe((event, payload) => {
          if (event !== 'contacts:import-progressed') return;
          const p = payload as { rowsSaved: number; importId: string };
          if (p.rowsSaved > 0) {
            off();
            big.service.cancelImport(p.importId);
            resolve();
          }
        });
      });
      const summary = await big.service.whenImportFinished(started.importId);
      expect(summary.phase).toBe('cancelled');
      const saved = big.db
        .prepare("SELECT count(*) FROM contacts WHERE workspace_id = 'ws1'")
        .pluck()
        .get() as number;
      expect(saved).toBe(summary.rowsSaved);
      expect(saved).toBeGreaterThan(0);
      expect(saved).toBeLessThan(60_000);
      expect(summary.counts.created).toBe(saved);
      expect(summary.message).toContain(
        `The ${saved.toLocaleString('en-US')} rows saved before the cancel stay`,
      );
      const progressed = big.emitted
        .filter((e) => e.event === 'contacts:import-progressed')
        .map(
          (e) =>
            e.payload as {
              rowsPerSecond: number;
              etaSeconds: number | null;
              rowsRead: number;
              fraction: number;
            },
        );
      expect(progressed.some((p) => p.rowsPerSecond > 0 && p.etaSeconds !== null && p.rowsRead > 0)).toBe(
        true,
      );
      expect(progressed.every((p, i) => i === 0 || p.fraction >= 0)).toBe(true);
      expect(big.locks.holders()).toEqual([]);
    } finally {
      await big.close();
    }
  });

  it('a cancel right after the start stops the import, and the summary says exactly what was saved', async () => {
    const lines = ['phone'];
    for (let i = 0; i < 100_000; i++) lines.push(usNumber(i));
    const uploadId = await upload(h.service, Buffer.from(lines.join('\n')));
    const started = await h.service.startImport('ws1', uploadId, settingsFor([{ kind: 'phone' }]));
    h.service.cancelImport(started.importId);
    const summary = await h.service.whenImportFinished(started.importId);
    expect(summary.phase).toBe('cancelled');
    const saved = contacts().length;
    expect(saved).toBe(summary.rowsSaved);
    expect(summary.counts.created).toBe(saved);
    expect(saved).toBeLessThan(100_000);
    expect(summary.message).toBe(
      saved === 0
        ? 'Cancelled before anything was saved: the workspace is unchanged.'
        : `Cancelled. The ${saved.toLocaleString('en-US')} rows saved before the cancel stay (${saved.toLocaleString('en-US')} created, 0 updated, 0 unchanged); the rest of the file was not imported.`,
    );
  });
});
