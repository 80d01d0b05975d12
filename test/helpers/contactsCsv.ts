// Shared by the contacts tests and the import benchmark: a seeded PRNG, a real store with the
// contacts service in a temp folder, and the upload path the renderer uses.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UPLOAD_CHUNK_BYTES, type ImportSettings } from '../../src-preload/contacts.contract';
import { createContactsService, type ContactsService } from '../../src-main/contacts/contacts.service';
import { migrate } from '../../src-main/db/migrate';
import { migrations } from '../../src-main/db/migrations';
import { openDatabase, type Db } from '../../src-main/db/open';
import { createEventBus, type EventBus } from '../../src-main/events';
import { createLockRegistry, type LockRegistry } from '../../src-main/locks/registry';
import { createLogger, createMemoryLogger } from '../../src-main/log';
import { normalisePhone } from '../../src-main/contacts/phone/normalisePhone';
import { createPrng } from '../../src-main/simulator/prng';

/** Small deterministic PRNG (mulberry32), so generated fixtures are the same on every run. */
export function mulberry32(seed: number): () => number {
  const prng = createPrng(seed);
  return () => prng.next();
}

export interface ContactsHarness {
  dir: string;
  dbFile: string;
  db: Db;
  locks: LockRegistry;
  events: EventBus;
  service: ContactsService;
  emitted: { event: string; payload: unknown }[];
  addWorkspace(id: string): void;
  close(): Promise<void>;
}

/** A real SQLite store in a temp folder, migrated, with the contacts service on top. */
export function createContactsHarness(
  options: { importRunRows?: number; exportLockWaitMs?: number; importLockTtlMs?: number } = {},
): ContactsHarness {
  const dir = mkdtempSync(join(tmpdir(), 'bellhop-contacts-'));
  const dbFile = join(dir, 'bellhop.sqlite');
  const db = openDatabase(dbFile);
  migrate(db, migrations);
  const locks = createLockRegistry();
  const events = createEventBus();
  const emitted: { event: string; payload: unknown }[] = [];
  events.subscribe((event, payload) => emitted.push({ event, payload }));
  const service = createContactsService({
    db,
    dbFile,
    dataDir: dir,
    locks,
    events,
    log: process.env.CONTACTS_DEBUG ? createLogger() : createMemoryLogger(),
    importRunRows: options.importRunRows,
    exportLockWaitMs: options.exportLockWaitMs,
    importLockTtlMs: options.importLockTtlMs,
  });
  const addWorkspace = (id: string): void => {
    db.prepare('INSERT INTO workspaces (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)').run(
      id,
      `Workspace ${id}`,
      0,
      0,
    );
  };
  return {
    dir,
    dbFile,
    db,
    locks,
    events,
    service,
    emitted,
    addWorkspace,
    async close() {
      await service.close();
      locks.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Uploads bytes through the same chunked IPC path the renderer uses; returns the upload id. */
export async function upload(
  service: ContactsService,
  bytes: Buffer,
  fileName = 'contacts.csv',
): Promise<string> {
  const begun = await service.uploadBegin(fileName, bytes.length);
  for (let offset = 0; offset < bytes.length; offset += UPLOAD_CHUNK_BYTES) {
    const chunk = bytes.subarray(offset, offset + UPLOAD_CHUNK_BYTES);
    await service.uploadChunk(begun.uploadId, offset, chunk.toString('base64'));
  }
  return begun.uploadId;
}

export function settingsFor(
  columns: ImportSettings['columns'],
  overrides: Partial<ImportSettings> = {},
): ImportSettings {
  return {
    delimiter: ',',
    hasHeader: true,
    columns,
    defaultCountry: 'US',
    mode: 'add-and-update',
    ...overrides,
  };
}

/** UTF-16 LE with BOM, as Excel's "Unicode Text" writes it. */
export function utf16le(text: string, bom = true): Buffer {
  const body = Buffer.from(text, 'utf16le');
  return bom ? Buffer.concat([Buffer.from([0xff, 0xfe]), body]) : body;
}

export function utf16be(text: string, bom = true): Buffer {
  const body = Buffer.from(text, 'utf16le').swap16();
  return bom ? Buffer.concat([Buffer.from([0xfe, 0xff]), body]) : body;
}

const usAreaCodes = ['212', '305', '415', '617', '650', '713', '206', '312', '404', '512'];
let usBlocks: string[] | undefined;

/** The i-th of millions of distinct valid US numbers in E.164 (area + exchange blocks libphonenumber accepts). */
export function usNumber(i: number): string {
  usBlocks ??= usAreaCodes.flatMap((area) =>
    Array.from({ length: 800 }, (_, k) => `${area}${200 + k}`).filter((block) => {
      const probe = normalisePhone(`+1${block}1234`, undefined);
      return probe.ok && !block.endsWith('11');
    }),
  );
  const block = usBlocks[Math.floor(i / 10_000) % usBlocks.length] as string;
  return `+1${block}${String(i % 10_000).padStart(4, '0')}`;
}
