// "Export everything": a .tar.gz any tar opens, one JSONL file per table with every row, the media files
// byte for byte, and not one secret (token, app secret, verify token) anywhere in it. Plus the
// Diagnostics view over the same core.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ExportArchiveView } from '../../src-preload/backups.contract';
import type { Result } from '../../src-preload/contract';
import type { DiagnosticsView } from '../../src-preload/diagnostics.contract';
import { startAppRuntime, type AppRuntime } from '../../src-main/backup/appRuntime';
import { exportedTables } from '../../src-main/backup/exportArchive';
import { SCHEMA_VERSION } from '../../src-main/db/migrations';
import { createMemoryLogger } from '../../src-main/log';
import { useTempDirs } from '../helpers/tempDir';

const temp = useTempDirs();
const sender = { trusted: true, description: 'test' };
const TOKEN = 'EAAGexportTOKEN0123456789abcdefXYZa1b2c3';
const APP_SECRET = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
const VERIFY_TOKEN = 'verify-me-please-42';

async function call<T>(runtime: AppRuntime, channel: string, payload: unknown = {}): Promise<T> {
  const result = (await runtime.router.dispatch(channel, payload, sender)) as Result<T>;
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
  return result.value;
}

describe('portable export', () => {
  it('holds every row as JSONL and the media, and no secret', async () => {
    const dataDir = temp.dir();
    // The Sandbox seeds a workspace, demo contacts and templates to export.
    const runtime = await startAppRuntime({ dataDir, hostKind: 'browser', log: createMemoryLogger() });
    try {
      await call(runtime, 'connections:create', {
        name: 'Shop',
        phoneNumberId: '106540352242922',
        wabaId: '102290129340398',
        accessToken: TOKEN,
        appSecret: APP_SECRET,
        verifyToken: VERIFY_TOKEN,
      });
      mkdirSync(join(dataDir, 'media'), { recursive: true });
      const photo = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
      writeFileSync(join(dataDir, 'media', 'msg1.jpg'), photo);
      writeFileSync(join(dataDir, 'media', '.msg2.jpg.abc.part'), 'half a download');

      const archive = await call<ExportArchiveView>(runtime, 'backups:export');
      expect(archive.fileName).toMatch(/^bellhop-export-\d{8}T\d{9}Z\.tar\.gz$/);
      expect(archive.mediaFiles).toBe(1);

      const out = temp.dir();
      execFileSync('tar', ['-xzf', archive.path, '-C', out]);
      const db = runtime.core()!.db;
      for (const { table } of exportedTables) {
        const lines = readFileSync(join(out, 'bellhop-export', `${table}.jsonl`), 'utf8')
          .split('\n')
          .filter(Boolean);
        const rows = db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
        expect(lines.length, table).toBe(rows);
        expect(archive.counts[table], table).toBe(rows);
        for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
      }
      expect(archive.counts.contacts).toBeGreaterThan(0);
      expect(readFileSync(join(out, 'bellhop-export', 'media', 'msg1.jpg')).equals(photo)).toBe(true);

      const raw = gunzipSync(readFileSync(archive.path)).toString('latin1');
      for (const secret of [TOKEN, APP_SECRET, VERIFY_TOKEN, 'token_enc', 'app_secret_enc', 'verify_token'])
        expect(raw, secret).not.toContain(secret);
      // The Sandbox's own generated secrets stay out too.
      const sandboxId = db
        .prepare(`SELECT id FROM connections WHERE kind = 'sandbox'`)
        .pluck()
        .get() as string;
      const sandboxSecret = runtime.core()!.connections.secretsFor(sandboxId)?.appSecret;
      expect(sandboxSecret).toBeTruthy();
      expect(raw).not.toContain(sandboxSecret);
    } finally {
      await runtime.close();
    }
  }, 60_000);
});

describe('diagnostics', () => {
  it('reports versions, folders, schema, queues, connections and tunnel, without secrets', async () => {
    const dataDir = temp.dir();
    const runtime = await startAppRuntime({ dataDir, hostKind: 'browser', log: createMemoryLogger() });
    try {
      await call(runtime, 'connections:create', {
        name: 'Shop',
        phoneNumberId: '106540352242922',
        wabaId: '102290129340398',
        accessToken: TOKEN,
        appSecret: APP_SECRET,
        verifyToken: VERIFY_TOKEN,
      });
      const view = await call<DiagnosticsView>(runtime, 'diagnostics:get');
      expect(view).toMatchObject({
        mode: 'normal',
        hostKind: 'browser',
        dataDir,
        logsDir: join(dataDir, 'logs'),
        schemaVersion: SCHEMA_VERSION,
        secretStorage: { kind: 'key-file' },
      });
      expect(view.versions.node).toBe(process.versions.node);
      expect(view.versions.sqlite).toMatch(/^3\./);
      expect(view.connections.map((c) => c.name)).toContain('Shop');
      expect(view.tunnel).not.toBeNull();
      const text = JSON.stringify(view);
      for (const secret of [TOKEN, APP_SECRET, VERIFY_TOKEN]) expect(text).not.toContain(secret);

      const opened = await call<{ opened: boolean; path: string }>(runtime, 'diagnostics:open-logs-folder');
      expect(opened).toMatchObject({ opened: false, path: join(dataDir, 'logs') });
    } finally {
      await runtime.close();
    }
  }, 60_000);
});
