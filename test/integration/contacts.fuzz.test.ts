// Fuzz: 1,200 generated broken CSV files through the import engine (the code the import worker runs),
// against a real SQLite store. No file may crash the import; every row is accounted for; every row not
// imported is in the rejects file with a reason. In files whose damage does not move row boundaries, the
// exact rows rejected and the reason codes are known in advance and checked.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell } from '../../src-main/contacts/csv/csvWrite';
import { detectEncoding, FileFormatError, type DetectedEncoding } from '../../src-main/contacts/csv/decode';
import { runImportJob, type EngineMessage } from '../../src-main/contacts/import/importEngine';
import { migrate } from '../../src-main/db/migrate';
import { migrations } from '../../src-main/db/migrations';
import { openDatabase, type Db } from '../../src-main/db/open';
import { mulberry32, usNumber, utf16be, utf16le } from '../helpers/contactsCsv';

const FILES = 1200;
let dir: string;
let dbFile: string;
let db: Db;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bellhop-fuzz-'));
  dbFile = join(dir, 'bellhop.sqlite');
  db = openDatabase(dbFile);
  migrate(db, migrations);
  const add = db.prepare('INSERT INTO workspaces (id, name, created_at, updated_at) VALUES (?, ?, 0, 0)');
  db.transaction(() => {
    for (let i = 0; i < FILES; i++) add.run(`fuzz-${i}`, `Fuzz ${i}`);
  })();
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** 'ok', 'empty', or the reject code expected for the row. */
type Expected = string;

interface Generated {
  bytes: Buffer;
  delimiter: ',' | ';' | '\t';
  /** Row boundaries are unchanged by the damage, so `expected` is exact. */
  exact: boolean;
  expected: Map<number, Expected>;
  records: number;
}

const junkPhones: [string, string][] = [
  ['abc', 'INVALID_PHONE'],
  ['12', 'INVALID_PHONE'],
  ['+999 12 34', 'INVALID_PHONE'],
  ['5.5E+12', 'EXCEL_SCIENTIFIC'],
  ['', 'MISSING_PHONE'],
  ['+1 650', 'INVALID_PHONE'],
];
const nameParts = [
  'Ana',
  'José',
  "O'Brien",
  'Quote "Q"',
  'a,b',
  'semi;colon',
  'tab\there',
  'line\nbreak',
  '李雷',
  'Ωmega',
  '=SUM(1)',
  ' pad ',
];

function generate(seed: number): Generated {
  const rand = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const delimiter = pick([',', ';', '\t'] as const);
  const structural = rand() < 0.5;
  const eol = pick(['\n', '\r\n', '\r']);
  const lines: string[] = [['phone', 'name', 'email', 'tags'].join(delimiter)];
  const expected = new Map<number, Expected>();
  const valid: string[] = [];
  let row = 1;
  let unique = seed * 1000;
  const line = (cells: string[]): string => cells.map(csvCell).join(delimiter).replace(/\r\n/g, '\n');
  const count = 1 + Math.floor(rand() * 25);
  let exact = true;
  for (let k = 0; k < count; k++) {
    row++;
    const r = rand();
    const name = pick(nameParts);
    if (r < 0.35) {
      const phone = usNumber(unique++);
      valid.push(phone);
      lines.push(
        line([phone, name, rand() < 0.5 ? `u${unique}@example.com` : '', pick(['', 'vip', 'a|b', 'x;y'])]),
      );
      expected.set(row, 'ok');
    } else if (r < 0.5) {
      const [phone, code] = pick(junkPhones);
      lines.push(line([phone, name || 'n', '', '']));
      expected.set(row, code);
    } else if (r < 0.58) {
      lines.push(line([usNumber(unique++), name, 'no-at-sign', '']));
      expected.set(row, 'INVALID_EMAIL');
    } else if (r < 0.68 && valid.length > 0) {
      const original = pick(valid);
      lines.push(
        line([`1 (${original.slice(2, 5)}) ${original.slice(5, 8)}-${original.slice(8)}`, name, '', '']),
      );
      expected.set(row, 'DUPLICATE_IN_FILE');
    } else if (r < 0.74) {
      lines.push(rand() < 0.5 ? '' : [' ', '', ' '].join(delimiter) + delimiter);
      expected.set(row, 'empty');
    } else if (r < 0.8) {
      lines.push(line([usNumber(unique++), name, '', '', 'extra value']));
      expected.set(row, 'TOO_MANY_VALUES');
    } else if (structural) {
      // Damage that can move row boundaries: stray quotes, raw bytes, NULs, a huge field.
      exact = false;
      const damage = pick(['stray-quote', 'garbage', 'nul', 'huge', 'quote-mid', 'bom-mid']);
      switch (damage) {
        case 'stray-quote':
          lines.push(`${usNumber(unique++)}${delimiter}"unclosed ${name}`);
          break;
        case 'garbage':
          lines.push(`${usNumber(unique++)}${delimiter}\u0000\uFFFD${String.fromCharCode(0xd800)}x`);
          break;
        case 'nul':
          lines.push('\u0000'.repeat(1 + Math.floor(rand() * 5)));
          break;
        case 'huge':
          lines.push(`${usNumber(unique++)}${delimiter}${'h'.repeat(300 * 1024)}`);
          break;
        case 'quote-mid':
          lines.push(`${usNumber(unique++)}${delimiter}5'10" tall${delimiter}x@y.zz`);
          break;
        case 'bom-mid':
          lines.push(`\uFEFF${usNumber(unique++)}${delimiter}${name.replace(/[\n\r"]/g, '')}`);
          break;
      }
    } else {
      const phone = usNumber(unique++);
      valid.push(phone);
      lines.push(line([phone, name, '', '']));
      expected.set(row, 'ok');
    }
  }
  // A file may end without a line break, unless its last row is empty (then the break is the row).
  const lastEmpty = lines[lines.length - 1] === '';
  const text = lines.join(eol) + (lastEmpty || rand() < 0.7 ? eol : '');
  let bytes: Buffer;
  const encoding = rand();
  if (encoding < 0.6) bytes = Buffer.from(text);
  else if (encoding < 0.75) bytes = Buffer.from('\uFEFF' + text);
  else if (encoding < 0.9) bytes = utf16le(text);
  else bytes = utf16be(text);
  if (structural && rand() < 0.2 && encoding < 0.6) {
    // Raw invalid UTF-8 somewhere after the header.
    const at = Math.min(bytes.length, lines[0]!.length + 2 + Math.floor(rand() * 40));
    bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff, 0xc3, 0x28]), bytes.subarray(at)]);
    exact = false;
  }
  return { bytes, delimiter, exact, expected, records: row };
}

describe('contacts import fuzz', () => {
  it(`survives ${FILES} broken files and reports every row it does not import`, async () => {
    let exactFiles = 0;
    let rejectedRows = 0;
    for (let i = 0; i < FILES; i++) {
      const generated = generate(1000 + i);
      const filePath = join(dir, `in-${i}.csv`);
      writeFileSync(filePath, generated.bytes);
      let encoding: DetectedEncoding;
      try {
        encoding = detectEncoding(generated.bytes.subarray(0, 65536));
      } catch (error) {
        // A clear refusal is a correct answer for the service; the engine must still cope with the bytes.
        expect(error).toBeInstanceOf(FileFormatError);
        expect((error as Error).message.length).toBeGreaterThan(20);
        encoding = { encoding: 'utf-8', bomLength: 0, hadBom: false };
      }
      const rejectsPath = join(dir, `rejects-${i}.csv`);
      const messages: EngineMessage[] = [];
      await runImportJob(
        {
          dbFile,
          workspaceId: `fuzz-${i}`,
          filePath,
          encoding,
          settings: {
            delimiter: generated.delimiter,
            hasHeader: true,
            columns: [{ kind: 'phone' }, { kind: 'name' }, { kind: 'email' }, { kind: 'tags' }],
            defaultCountry: 'US',
            mode: 'add-and-update',
          },
          rejectsPath,
          lock: { key: `contact_import:workspace:fuzz-${i}`, fence: 1 },
          runRows: 7,
          cancelFlag: new Int32Array(new SharedArrayBuffer(4)),
        },
        generated.bytes.length,
        (m) => messages.push(m),
      );
      const finished = messages.find((m) => m.type === 'finished');
      const context = `file ${i}: ${JSON.stringify(finished)}`;
      expect(finished?.type, context).toBe('finished');
      if (finished?.type !== 'finished') continue;
      expect(finished.outcome, context).toBe('done');
      const c = finished.counts;
      expect(c.rows, context).toBe(
        c.emptyRows + c.created + c.updated + c.unchanged + c.skipped + c.rejected,
      );
      const stored = db
        .prepare('SELECT count(*) FROM contacts WHERE workspace_id = ?')
        .pluck()
        .get(`fuzz-${i}`);
      expect(stored, context).toBe(c.created);

      const rejects = existsSync(rejectsPath)
        ? parse(readFileSync(rejectsPath, 'utf8').replace(/^\uFEFF/, ''), {
            relax_column_count: true,
          }).slice(1)
        : [];
      expect(rejects.length, context).toBe(c.rejected + c.skipped);
      const rejectedRowNumbers = rejects.map((r) => Number(r[0]));
      expect(new Set(rejectedRowNumbers).size, context).toBe(rejects.length);
      for (const r of rejects) {
        expect(Number(r[0]), context).toBeGreaterThanOrEqual(2);
        expect((r[2] ?? '').length, context).toBeGreaterThan(5);
      }
      rejectedRows += rejects.length;

      if (generated.exact) {
        const bad = [...generated.expected].filter(([, e]) => e !== 'ok' && e !== 'empty');
        expect(c.rows, context).toBe(generated.records - 1);
        exactFiles++;
        expect(
          rejectedRowNumbers.sort((a, b) => a - b),
          context,
        ).toEqual(bad.map(([row]) => row).sort((a, b) => a - b));
        const byCode: Record<string, number> = {};
        for (const [, code] of bad) byCode[code] = (byCode[code] ?? 0) + 1;
        expect(finished.rejectedByReason, context).toEqual(byCode);
        expect(c.emptyRows, context).toBe(
          [...generated.expected.values()].filter((e) => e === 'empty').length,
        );
        expect(c.created, context).toBe([...generated.expected.values()].filter((e) => e === 'ok').length);
      }
    }
    // The exact checks must actually have run on a good share of the files.
    expect(exactFiles).toBeGreaterThan(FILES * 0.4);
    expect(rejectedRows).toBeGreaterThan(FILES);
  }, 300_000);
});
