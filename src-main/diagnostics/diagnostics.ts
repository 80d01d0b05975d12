// The Diagnostics page's data: versions, folders, schema, queue depths, last webhook per connection,
// tunnel state, backups. Works in recovery mode too (no core: what can be read without the store).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { DiagnosticsView } from '../../src-preload/diagnostics.contract';
import { BACKUPS_FOLDER, listBackups } from '../backup/backupFiles';
import { schemaVersionInHeader } from '../backup/integrity';
import type { Core } from '../core';
import { schemaVersionOf } from '../db/open';
import { LOGS_FOLDER } from '../logs/rotatingFile';
import { appVersion } from '../version';

export interface DiagnosticsInput {
  dataDir: string;
  databaseFile: string;
  hostKind: 'electron' | 'browser';
  core: Core | null;
  secretStorage: { kind: string; warning?: string };
}

function betterSqliteVersion(): string {
  try {
    const require = createRequire(__filename);
    return (require('better-sqlite3/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function buildDiagnostics(input: DiagnosticsInput): DiagnosticsView {
  const { core } = input;
  const db = core?.db.open ? core.db : null;
  const versions: Record<string, string> = {
    bellhop: appVersion,
    node: process.versions.node,
    'better-sqlite3': betterSqliteVersion(),
  };
  for (const key of ['electron', 'chrome', 'v8'] as const) {
    const value = process.versions[key];
    if (value) versions[key] = value;
  }
  if (db) versions.sqlite = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  const backups = listBackups(input.dataDir);
  const newest = backups[0];
  const tunnel = core && db ? core.tunnel.status() : null;
  return {
    versions,
    platform: `${process.platform} ${process.arch}`,
    hostKind: input.hostKind,
    mode: core ? 'normal' : 'recovery',
    dataDir: input.dataDir,
    logsDir: join(input.dataDir, LOGS_FOLDER),
    backupsDir: join(input.dataDir, BACKUPS_FOLDER),
    schemaVersion: db ? schemaVersionOf(db) : schemaVersionInHeader(input.databaseFile),
    secretStorage: input.secretStorage,
    queues: db
      ? db
          .prepare<[], { queue: string; state: string; count: number }>(
            'SELECT queue, state, count(*) AS count FROM jobs GROUP BY queue, state ORDER BY queue, state',
          )
          .all()
      : [],
    connections: db
      ? db
          .prepare<
            [],
            { id: string; name: string; kind: string; status: string; lastWebhookAt: number | null }
          >(
            `SELECT id, name, kind, status, last_webhook_at AS lastWebhookAt FROM connections ORDER BY created_at`,
          )
          .all()
      : [],
    tunnel: tunnel
      ? {
          mode: tunnel.mode,
          status: tunnel.state.status,
          ...(tunnel.publicUrl ? { publicUrl: tunnel.publicUrl } : {}),
          ...('lastError' in tunnel.state && tunnel.state.lastError
            ? { lastError: tunnel.state.lastError }
            : {}),
        }
      : null,
    backups: {
      count: backups.length,
      ...(newest ? { newest: { name: newest.name, createdAt: newest.createdAt } } : {}),
    },
  };
}
