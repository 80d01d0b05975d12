// The e2e run's closing log scan (test/helpers/logScan.ts, run by test/e2e/logScan.global.ts) finds a secret that a data folder's store
// holds sealed when a log file carries it in clear, and passes a folder whose logs are clean.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../src-main/core';
import { migrate } from '../../src-main/db/migrate';
import { migrations } from '../../src-main/db/migrations';
import { openDatabase } from '../../src-main/db/open';
import { LOGS_FOLDER } from '../../src-main/logs/rotatingFile';
import { createKeyFileSecretBox } from '../../src-main/secrets/secretBox';
import { scanRunFolder, secretsOfDataFolder } from '../helpers/logScan';
import { useTempDirs } from '../helpers/tempDir';

const temp = useTempDirs();
const TOKEN = 'EAAGscanTOKEN0123456789abcdefXYZa1b2c3d4';
const APP_SECRET = '0123456789abcdef0123456789abcdef';
const VERIFY_TOKEN = 'verify-scan-27182818';

function dataFolder(runDir: string, name: string, logText: string): void {
  const dataDir = join(runDir, name);
  mkdirSync(join(dataDir, LOGS_FOLDER), { recursive: true });
  const box = createKeyFileSecretBox(dataDir);
  const db = openDatabase(join(dataDir, DATABASE_FILE));
  migrate(db, migrations);
  const now = Date.now();
  db.prepare(`INSERT INTO workspaces (id, name, created_at, updated_at) VALUES ('w1', 'Shop', ?, ?)`).run(
    now,
    now,
  );
  db.prepare(
    `INSERT INTO connections (id, workspace_id, kind, name, phone_number_id, waba_id, api_version, token_enc,
       app_secret_enc, verify_token, created_at, updated_at)
     VALUES ('k1', 'w1', 'cloud', 'Line', '106540352242922', '102290129340398', 'v24.0', ?, ?, ?, ?, ?)`,
  ).run(box.seal(TOKEN), box.seal(APP_SECRET), VERIFY_TOKEN, now, now);
  db.close();
  writeFileSync(join(dataDir, LOGS_FOLDER, 'bellhop.log'), logText);
}

describe('e2e log scan', () => {
  it('unseals every connection secret of a data folder with its own key file', () => {
    const runDir = temp.dir();
    dataFolder(runDir, 'host-a', '{"message":"core: closed"}\n');
    expect(secretsOfDataFolder(join(runDir, 'host-a')).sort()).toEqual(
      [TOKEN, APP_SECRET, VERIFY_TOKEN].sort(),
    );
  });

  it('reports a secret found in clear in a log file, and nothing for clean logs', () => {
    const runDir = temp.dir();
    dataFolder(runDir, 'clean', '{"message":"connections: test failed","context":{"token":"[redacted]"}}\n');
    expect(scanRunFolder(runDir)).toEqual({ folders: 1, secrets: 3, logFiles: 1, leaks: [] });

    dataFolder(runDir, 'leaky', `{"message":"GET /v24.0/me?access_token=${APP_SECRET}"}\n`);
    const result = scanRunFolder(runDir);
    expect(result.folders).toBe(2);
    expect(result.leaks).toEqual([`${join(runDir, 'leaky', LOGS_FOLDER, 'bellhop.log')} holds 0123…`]);
  });
});
