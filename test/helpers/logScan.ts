// The scan behind the e2e run's closing redaction check (test/e2e/logScan.global.ts): every secret a
// data folder's stores hold — each connection's access token, app secret and verify token, unsealed
// with the folder's own key file — looked for in every log file under that folder.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { LOGS_FOLDER } from '../../src-main/logs/rotatingFile';
import { createKeyFileSecretBox, KEY_FILE_NAME } from '../../src-main/secrets/secretBox';

/** Values this short would match ordinary words; every real token and secret is far longer. */
const MIN_SECRET_LENGTH = 8;

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The clear text of every connection secret in every store of one data folder (live, backups, kept aside). */
export function secretsOfDataFolder(dataDir: string): string[] {
  if (!existsSync(join(dataDir, KEY_FILE_NAME))) return [];
  const box = createKeyFileSecretBox(dataDir);
  const secrets = new Set<string>();
  for (const file of filesUnder(dataDir).filter((path) => path.endsWith('.sqlite'))) {
    let db: Database.Database | undefined;
    try {
      db = new Database(file, { readonly: true, fileMustExist: true });
      const rows = db.prepare('SELECT token_enc, app_secret_enc, verify_token FROM connections').all() as {
        token_enc: Buffer;
        app_secret_enc: Buffer;
        verify_token: string;
      }[];
      for (const row of rows) {
        secrets.add(box.open(row.token_enc));
        secrets.add(box.open(row.app_secret_enc));
        secrets.add(row.verify_token);
      }
    } catch {
      // A store a spec damaged on purpose (backups.spec) has nothing readable to look for.
    } finally {
      db?.close();
    }
  }
  return [...secrets].filter((secret) => secret.length >= MIN_SECRET_LENGTH);
}

export interface LogScanResult {
  folders: number;
  secrets: number;
  logFiles: number;
  leaks: string[];
}

export function scanRunFolder(runDir: string): LogScanResult {
  const result: LogScanResult = { folders: 0, secrets: 0, logFiles: 0, leaks: [] };
  for (const name of readdirSync(runDir)) {
    const dataDir = join(runDir, name);
    if (!statSync(dataDir).isDirectory()) continue;
    result.folders++;
    const secrets = secretsOfDataFolder(dataDir);
    result.secrets += secrets.length;
    for (const file of filesUnder(join(dataDir, LOGS_FOLDER))) {
      result.logFiles++;
      const text = readFileSync(file, 'utf8');
      for (const secret of secrets)
        if (text.includes(secret)) result.leaks.push(`${file} holds ${secret.slice(0, 4)}…`);
    }
  }
  return result;
}
