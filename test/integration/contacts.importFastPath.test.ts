// The import's fast path (import/fastRows.ts) against the general path (records.ts → fields.ts →
// rowBuilder.ts) it stands in for: every file is imported twice through the import engine, once with the
// fast path and once without (ImportJobInput.fastPath: false), into two workspaces of one store, and the
// two imports must agree on everything a user sees: the contacts stored (number, name, email, tags,
// attributes), the counts, the reasons, and the rejects file byte for byte (row numbers, lines, reasons,
// original values). Files: the import fuzz's 1,200 broken files, the benchmark's generated file, and
// generated files of "almost simple" rows (padding, formula apostrophes, quotes, "" escapes, CRLF,
// undecodable bytes, over-long values, several name and tag columns, awkward attribute keys) in every mode.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ImportSettings } from '../../src-preload/contacts.contract';
import { detectEncoding, type DetectedEncoding } from '../../src-main/contacts/csv/decode';
import { runImportJob, type EngineMessage } from '../../src-main/contacts/import/importEngine';
import { FastRows } from '../../src-main/contacts/import/fastRows';
import { migrate } from '../../src-main/db/migrate';
import { migrations } from '../../src-main/db/migrations';
import { openDatabase, type Db } from '../../src-main/db/open';
import { fixtureImportSettings, writeFixture } from '../../bench/importFixture';
import { generateBrokenCsv } from '../helpers/brokenCsv';
import { mulberry32, usNumber } from '../helpers/contactsCsv';

let dir: string;
let dbFile: string;
let db: Db;
let workspaces = 0;
/** Rows the fast path built itself, so the comparisons are known to have compared something. */
let fastBuilt = 0;

beforeAll(() => {
  const build = Object.getOwnPropertyDescriptor(FastRows.prototype, 'build')?.value as (
    this: FastRows,
    ...args: Parameters<FastRows['build']>
  ) => boolean;
  vi.spyOn(FastRows.prototype, 'build').mockImplementation(function (this: FastRows, ...args) {
    const built = build.apply(this, args);
    if (built) fastBuilt++;
    return built;
  });
  dir = mkdtempSync(join(tmpdir(), 'bellhop-fastpath-'));
  dbFile = join(dir, 'bellhop.sqlite');
  db = openDatabase(dbFile);
  migrate(db, migrations);
});
afterAll(() => {
  vi.restoreAllMocks();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function newWorkspace(): string {
  const id = `ws-${++workspaces}`;
  db.prepare('INSERT INTO workspaces (id, name, created_at, updated_at) VALUES (?, ?, 0, 0)').run(id, id);
  return id;
}

interface Outcome {
  finished: Omit<Extract<EngineMessage, { type: 'finished' }>, 'type'>;
  rejects: string;
  contacts: unknown[];
}

async function importOnce(
  file: string,
  encoding: DetectedEncoding,
  settings: ImportSettings,
  fastPath: boolean,
  options: { runRows?: number; existing?: readonly string[] } = {},
): Promise<Outcome> {
  const workspaceId = newWorkspace();
  const add = db.prepare(
    `INSERT INTO contacts (id, workspace_id, phone_e164, name, email, tags, attributes, source, created_at, updated_at)
     VALUES (?, ?, ?, 'before', NULL, '[]', '{}', 'manual', 0, 0)`,
  );
  for (const [i, phone] of (options.existing ?? []).entries())
    add.run(`${workspaceId}-c${i}`, workspaceId, phone);
  const rejectsPath = join(dir, `rejects-${workspaceId}.csv`);
  let finished: Extract<EngineMessage, { type: 'finished' }> | undefined;
  await runImportJob(
    {
      dbFile,
      workspaceId,
      filePath: file,
      encoding,
      settings,
      rejectsPath,
      lock: { key: `contact_import:workspace:${workspaceId}`, fence: 1 },
      cancelFlag: new Int32Array(new SharedArrayBuffer(4)),
      fastPath,
      ...(options.runRows !== undefined ? { runRows: options.runRows } : {}),
    },
    0,
    (m) => {
      if (m.type === 'finished') finished = m;
    },
  );
  if (!finished) throw new Error('the import did not finish');
  const { type: _type, ...rest } = finished;
  return {
    finished: rest,
    rejects: existsSync(rejectsPath) ? readFileSync(rejectsPath, 'utf8') : '(none)',
    contacts: db
      .prepare(
        `SELECT phone_e164, name, email, tags, attributes, source FROM contacts
         WHERE workspace_id = ? ORDER BY phone_e164`,
      )
      .raw()
      .all(workspaceId),
  };
}

/** Imports `file` both ways and expects the same outcome; returns it. */
async function expectSameBothWays(
  file: string,
  settings: ImportSettings,
  options: { runRows?: number; existing?: readonly string[]; context?: string } = {},
): Promise<Outcome> {
  const head = readFileSync(file).subarray(0, 65536);
  let encoding: DetectedEncoding;
  try {
    encoding = detectEncoding(head);
  } catch {
    encoding = { encoding: 'utf-8', bomLength: 0, hadBom: false };
  }
  const general = await importOnce(file, encoding, settings, false, options);
  const fast = await importOnce(file, encoding, settings, true, options);
  const context = options.context ?? file;
  expect(fast.finished, context).toEqual(general.finished);
  expect(fast.rejects, context).toBe(general.rejects);
  expect(fast.contacts, context).toEqual(general.contacts);
  return general;
}

const fuzzColumns: ImportSettings['columns'] = [
  { kind: 'phone' },
  { kind: 'name' },
  { kind: 'email' },
  { kind: 'tags' },
];

/** Rows that are mostly what the fast path takes, with every kind of exception it must hand over. */
function almostSimpleCsv(seed: number, rows: number, eol: string): { text: string; phones: string[] } {
  const rand = mulberry32(seed);
  const anyOf = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const phones: string[] = [];
  const lines = ['Phone,First,Last,Email,Tags,More tags,City,2024,__proto__,City again'];
  for (let i = 0; i < rows; i++) {
    // Half the rows clean (each pick its first, plain choice), so the fast path has rows to take.
    const clean = rand() < 0.5;
    const pick = <T>(items: readonly T[]): T => (clean ? items[0] : anyOf(items)) as T;
    const e164 = usNumber(seed * 100_000 + i);
    phones.push(e164);
    const r = rand();
    const phone =
      !clean && r < 0.03
        ? pick(['12345', 'n/a', '+999 123 456', '', '5.5E+12', '  '])
        : !clean && r < 0.08 && i > 0
          ? (phones[Math.floor(rand() * i)] as string).replace('+1', '1 ')
          : pick([
              e164,
              e164.slice(2),
              `(${e164.slice(2, 5)}) ${e164.slice(5, 8)}-${e164.slice(8)}`,
              ` ${e164}`,
            ]);
    const first = pick([
      'Ana',
      'José',
      ' Pad',
      'Tail ',
      "'=1+2",
      "O'Brien",
      '',
      '"Quoted, name"',
      '"Esc ""x"""',
      '李雷',
      'x'.repeat(150),
    ]);
    const last = pick(['Silva', '', 'y'.repeat(60), '"a\u00a0"', '\uFFFD']);
    const email = pick(['', `u${i}@example.com`, 'bad-email', ' u@x.io', `"q${i}@example.com"`]);
    const tags = pick([
      '',
      'vip',
      '"vip, 2024"',
      'a|b|a',
      ' new ',
      't'.repeat(70),
      '"x;y"',
      Array.from({ length: 30 }, (_, k) => `t${k}`).join('|'),
      Array.from({ length: 60 }, (_, k) => `t${k % 55}`).join(','),
      'a,,b;;a|',
    ]);
    const moreTags = pick(['', 'vip', 'b; c', Array.from({ length: 25 }, (_, k) => `m${k}`).join(';')]);
    const city = pick(['Lisbon', 'São Paulo', '', '"Porto"', 'z'.repeat(2001)]);
    const year = pick(['', '1', 'x']);
    const proto = pick(['', 'p']);
    const cityAgain = pick(['', 'Faro']);
    const extra = !clean && rand() < 0.03 ? pick([',', ',extra', ',,']) : '';
    const cr = !clean && rand() < 0.02 ? '\r' : '';
    lines.push(
      [phone, first, last, email, tags, moreTags, city, year, proto, cityAgain].join(',') + extra + cr,
    );
    if (!clean && rand() < 0.02) lines.push(pick(['', ',,,', '"open,\nquote"', 'stray "quote, here', '  ']));
  }
  return { text: lines.join(eol) + eol, phones };
}

/** Attribute keys JSON writes in another order (an array index) or not at all (__proto__), a key twice. */
const awkwardColumns: ImportSettings['columns'] = [
  { kind: 'phone' },
  { kind: 'name' },
  { kind: 'name' },
  { kind: 'email' },
  { kind: 'tags' },
  { kind: 'tags' },
  { kind: 'attribute', key: 'City' },
  { kind: 'attribute', key: '2024' },
  { kind: 'attribute', key: '__proto__' },
  { kind: 'attribute', key: 'City' },
];

/** One tags column (the fast path splits a single column's tags itself) and plain attribute keys. */
const plainColumns: ImportSettings['columns'] = [
  ...awkwardColumns.slice(0, 5),
  { kind: 'attribute', key: 'More' },
  { kind: 'attribute', key: 'City' },
  { kind: 'attribute', key: 'Year' },
  { kind: 'attribute', key: 'Proto' },
  { kind: 'attribute', key: 'Town' },
];

describe('import fast path', () => {
  it('gives the same import as the general path on every file of the import fuzz', async () => {
    fastBuilt = 0;
    for (let i = 0; i < 1200; i++) {
      const generated = generateBrokenCsv(1000 + i);
      const file = join(dir, `fuzz-${i}.csv`);
      writeFileSync(file, generated.bytes);
      await expectSameBothWays(
        file,
        {
          delimiter: generated.delimiter,
          hasHeader: true,
          columns: fuzzColumns,
          defaultCountry: 'US',
          mode: 'add-and-update',
        },
        { runRows: 7, context: `fuzz file ${i}` },
      );
      rmSync(file);
    }
    expect(fastBuilt).toBeGreaterThan(1000);
  }, 600_000);

  it('gives the same import on the benchmark’s generated file', async () => {
    fastBuilt = 0;
    const file = join(dir, 'bench.csv');
    await writeFixture(file, 30_000);
    const outcome = await expectSameBothWays(file, fixtureImportSettings);
    expect(outcome.finished.counts.created).toBeGreaterThan(29_000);
    expect(outcome.finished.counts.rejected).toBeGreaterThan(200);
    expect(fastBuilt).toBeGreaterThan(28_000);
  }, 300_000);

  it('gives the same import on rows with every exception the fast path hands over, in every mode', async () => {
    let rejected = 0;
    let created = 0;
    fastBuilt = 0;
    for (const [k, mode] of (['add-and-update', 'add-new', 'update-existing'] as const).entries()) {
      for (const eol of ['\n', '\r\n']) {
        const seed = 7 + k * 2 + (eol === '\n' ? 0 : 1);
        const { text, phones } = almostSimpleCsv(seed, 3000, eol);
        const file = join(dir, `almost-${seed}.csv`);
        writeFileSync(file, text);
        const outcome = await expectSameBothWays(
          file,
          {
            delimiter: ',',
            hasHeader: true,
            columns: mode === 'add-new' ? awkwardColumns : plainColumns,
            defaultCountry: 'US',
            mode,
          },
          {
            runRows: 500,
            existing: phones.filter((_, i) => i % 3 === 0),
            context: `${mode} ${JSON.stringify(eol)}`,
          },
        );
        rejected += outcome.finished.counts.rejected + outcome.finished.counts.skipped;
        created += outcome.finished.counts.created + outcome.finished.counts.updated;
      }
    }
    // The files must exercise both sides: many rows imported, many rejected for many reasons.
    expect(created).toBeGreaterThan(3000);
    expect(rejected).toBeGreaterThan(3000);
    expect(fastBuilt).toBeGreaterThan(1000);
  }, 300_000);
});
