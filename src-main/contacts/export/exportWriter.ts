// Writes one CSV export on the export worker's read-only connection, inside one read transaction so the
// file is a consistent snapshot even while an import writes. It streams to `<name>.partial` and renames to
// the final name only when complete, so nobody ever sees half a file, and the name (workspace id, time to
// the millisecond, random suffix — seed §4) is unique, so concurrent exports never write the same file.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { rename, rm, stat } from 'node:fs/promises';
import type { ContactFilter, ExportColumn } from '../../../src-preload/contacts.contract';
import { openDatabase } from '../../db/open';
import { createContactsRepo, toContact, type ContactRow } from '../contacts.repo';
import { csvLine, escapeFormula, UTF8_BOM } from '../csv/csvWrite';
import { ATTRIBUTE_PREFIX } from '../csv/headers';

export interface ExportJobInput {
  dbFile: string;
  workspaceId: string;
  filter: ContactFilter;
  columns: readonly ExportColumn[];
  finalPath: string;
}

export type ExportMessage =
  | { type: 'progress'; rowsDone: number; rowsTotal: number }
  | { type: 'finished'; ok: true; rows: number; bytes: number }
  | { type: 'finished'; ok: false; message: string };

const PAGE = 2000;

function iso(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString();
}

function cellsOf(
  row: ContactRow,
  columns: readonly ExportColumn[],
  attributeKeys: readonly string[],
): string[] {
  const c = toContact(row);
  const cells: string[] = [];
  for (const column of columns) {
    switch (column) {
      case 'phone':
        cells.push(c.phoneE164);
        break;
      case 'name':
        cells.push(escapeFormula(c.name ?? ''));
        break;
      case 'email':
        cells.push(escapeFormula(c.email ?? ''));
        break;
      case 'tags':
        cells.push(escapeFormula(c.tags.join(', ')));
        break;
      case 'attributes':
        for (const key of attributeKeys) cells.push(escapeFormula(c.attributes[key] ?? ''));
        break;
      case 'opted_out_at':
        cells.push(iso(c.optedOutAt));
        break;
      case 'opted_out_reason':
        cells.push(escapeFormula(c.optedOutReason ?? ''));
        break;
      case 'source':
        cells.push(c.source);
        break;
      case 'wa_id':
        cells.push(c.waId ?? '');
        break;
      case 'created_at':
        cells.push(iso(c.createdAt));
        break;
      case 'updated_at':
        cells.push(iso(c.updatedAt));
        break;
    }
  }
  return cells;
}

export async function runExportJob(
  input: ExportJobInput,
  emit: (message: ExportMessage) => void,
): Promise<void> {
  const partial = input.finalPath + '.partial';
  const db = openDatabase(input.dbFile, { readonly: true });
  const out = createWriteStream(partial, { flags: 'wx' });
  try {
    const repo = createContactsRepo(db);
    db.exec('BEGIN');
    const total = repo.count(input.workspaceId, input.filter);
    const attributeKeys = input.columns.includes('attributes')
      ? repo.attributeKeysMatching(input.workspaceId, input.filter)
      : [];
    const header: string[] = [];
    for (const column of input.columns) {
      if (column === 'attributes') header.push(...attributeKeys.map((k) => ATTRIBUTE_PREFIX + k));
      else header.push(column);
    }
    const write = async (text: string): Promise<void> => {
      if (!out.write(text)) await once(out, 'drain');
    };
    await write(UTF8_BOM + csvLine(header));

    let done = 0;
    let lastProgress = 0;
    let rows: ContactRow[] = repo.page(input.workspaceId, input.filter, 'phone', PAGE, { offset: 0 });
    while (rows.length > 0) {
      let chunk = '';
      for (const row of rows) chunk += csvLine(cellsOf(row, input.columns, attributeKeys));
      await write(chunk);
      done += rows.length;
      const now = performance.now();
      if (now - lastProgress > 100) {
        lastProgress = now;
        emit({ type: 'progress', rowsDone: done, rowsTotal: total });
      }
      const last = rows[rows.length - 1] as ContactRow;
      rows = repo.page(input.workspaceId, input.filter, 'phone', PAGE, {
        anchor: { sort: 'phone', phone: last.phone_e164 },
      });
    }
    db.exec('COMMIT');
    out.end();
    await once(out, 'close');
    // Complete on disk before it gets its final name: a reader never sees half an export.
    await rename(partial, input.finalPath);
    const { size } = await stat(input.finalPath);
    emit({ type: 'progress', rowsDone: done, rowsTotal: total });
    emit({ type: 'finished', ok: true, rows: done, bytes: size });
  } catch (error) {
    out.destroy();
    await rm(partial, { force: true }).catch(() => undefined);
    emit({ type: 'finished', ok: false, message: error instanceof Error ? error.message : String(error) });
  } finally {
    if (db.inTransaction) db.exec('ROLLBACK');
    db.close();
  }
}
