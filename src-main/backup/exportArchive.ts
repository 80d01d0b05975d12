// "Export everything": a portable archive (bellhop-export-<time>.tar.gz) with one JSONL file per table
// and the downloaded media, readable without Bellhop. It is taken from a fresh online backup, so every
// table comes from the same moment and the live store is never held busy while files are written.
// Secrets never go in: connections are exported column by column without their sealed token, app
// secret or webhook verify token, and no other exported table holds one.
import { createWriteStream, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import Database from 'better-sqlite3';
import type { Db } from '../db/open';
import type { Logger } from '../log';
import { backupFileName } from './backupFiles';
import { fileEntry, tarStream, type TarEntry } from './tarWriter';

export const EXPORTS_FOLDER = 'exports';

/** What goes in, table by table. Columns are listed where a table holds anything secret. */
export const exportedTables: { table: string; select: string }[] = [
  { table: 'workspaces', select: 'SELECT * FROM workspaces' },
  {
    table: 'connections',
    select: `SELECT id, workspace_id, kind, name, phone_number_id, waba_id, display_phone_number, api_version,
      rate_limit_per_minute, status, status_reason, last_webhook_at, created_at, updated_at FROM connections`,
  },
  { table: 'contacts', select: 'SELECT * FROM contacts' },
  { table: 'conversations', select: 'SELECT * FROM conversations' },
  { table: 'messages', select: 'SELECT * FROM messages' },
  { table: 'templates', select: 'SELECT * FROM templates' },
  { table: 'campaigns', select: 'SELECT * FROM campaigns' },
  { table: 'campaign_recipients', select: 'SELECT * FROM campaign_recipients' },
];

export interface ExportResult {
  fileName: string;
  path: string;
  size: number;
  counts: Record<string, number>;
  mediaFiles: number;
}

/** BLOBs become base64 so every line is plain JSON. */
function jsonValue(value: unknown): unknown {
  return Buffer.isBuffer(value) ? { base64: value.toString('base64') } : value;
}

async function writeJsonl(snapshot: Database.Database, select: string, file: string): Promise<number> {
  const out = createWriteStream(file);
  let rows = 0;
  try {
    // A private snapshot connection: iterating while awaiting the disk blocks nobody.
    for (const row of snapshot.prepare(select).iterate() as Iterable<Record<string, unknown>>) {
      const line: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(row)) line[key] = jsonValue(value);
      if (!out.write(JSON.stringify(line) + '\n')) await once(out, 'drain');
      rows++;
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return rows;
}

export async function exportArchive(options: {
  db: Db;
  dataDir: string;
  now: () => number;
  log: Logger;
}): Promise<ExportResult> {
  const { db, dataDir, now, log } = options;
  const dir = join(dataDir, EXPORTS_FOLDER);
  const createdAt = now();
  const stem = backupFileName(createdAt, 'manual').replace(/^bellhop-|-manual\.sqlite$/g, '');
  const work = join(dir, `.work-${stem}`);
  const fileName = `bellhop-export-${stem}.tar.gz`;
  const target = join(dir, fileName);
  mkdirSync(work, { recursive: true, mode: 0o700 });
  try {
    const snapshotFile = join(work, 'snapshot.sqlite');
    await db.backup(snapshotFile);
    const snapshot = new Database(snapshotFile, { readonly: true });
    const counts: Record<string, number> = {};
    const entries: TarEntry[] = [];
    try {
      for (const { table, select } of exportedTables) {
        const file = join(work, `${table}.jsonl`);
        counts[table] = await writeJsonl(snapshot, select, file);
        entries.push(fileEntry(`bellhop-export/${table}.jsonl`, file, statSync(file).size, createdAt));
      }
    } finally {
      snapshot.close();
    }
    const mediaDir = join(dataDir, 'media');
    let mediaFiles = 0;
    for (const name of safeReaddir(mediaDir)) {
      if (name.startsWith('.')) continue; // half-written downloads (.part)
      const stat = statSync(join(mediaDir, name));
      if (!stat.isFile()) continue;
      entries.push(fileEntry(`bellhop-export/media/${name}`, join(mediaDir, name), stat.size, stat.mtimeMs));
      mediaFiles++;
    }
    const part = join(work, fileName);
    await pipeline(Readable.from(tarStream(entries)), createGzip(), createWriteStream(part, { mode: 0o600 }));
    renameSync(part, target);
    const size = statSync(target).size;
    log.info('export: archive written', { fileName, size, counts, mediaFiles });
    return { fileName, path: target, size, counts, mediaFiles };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
