// Fuzz: 1,200 generated broken CSV files through the import engine (the code the import worker runs),
// against a real SQLite store. No file may crash the import; every row is accounted for; every row not
// imported is in the rejects file with a reason. In files whose damage does not move row boundaries, the
// exact rows rejected and the reason codes are known in advance and checked.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectEncoding, FileFormatError, type DetectedEncoding } from '../../src-main/contacts/csv/decode';
import { runImportJob, type EngineMessage } from '../../src-main/contacts/import/importEngine';
import { migrate } from '../../src-main/db/migrate';
import { migrations } from '../../src-main/db/migrations';
import { openDatabase, type Db } from '../../src-main/db/open';
import { generateBrokenCsv as generate } from '../helpers/brokenCsv';

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
