// Secrets at rest (access tokens, app secrets). The desktop app seals them with Electron's safeStorage
// (the OS keychain); the browser host, which has no keychain API, with AES-256-GCM under a random key
// kept in a file only the user can read (0600) in the data folder. Either way the database only ever
// holds ciphertext, and the clear text never travels to the renderer or into logs.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SecretBox {
  /** 'os-keychain', or 'key-file' (browser host), or 'plain-text-keyring' (Linux without a keyring). */
  readonly kind: string;
  seal(plain: string): Buffer;
  open(sealed: Buffer): string;
  /** True when `sealed` is in this box's current format (else it is re-sealed at start-up). */
  owns(sealed: Buffer): boolean;
}

/** First byte of every key-file ciphertext; the safeStorage box uses another (safeStorageBox.ts). */
export const KEY_FILE_FORMAT = 1;
const VERSION = KEY_FILE_FORMAT;
export const KEY_FILE_NAME = 'secrets.key';

/** The key-file box only if its key already exists: for opening what it sealed before, never for new keys. */
export function openExistingKeyFileSecretBox(dataDir: string): SecretBox | null {
  return existsSync(join(dataDir, KEY_FILE_NAME)) ? createKeyFileSecretBox(dataDir) : null;
}

export function createKeyFileSecretBox(dataDir: string): SecretBox {
  const keyFile = join(dataDir, KEY_FILE_NAME);
  let key: Buffer;
  if (existsSync(keyFile)) {
    key = readFileSync(keyFile);
    if (key.length !== 32) throw new Error(`${keyFile} is damaged (expected a 32-byte key).`);
  } else {
    key = randomBytes(32);
    // 'wx': never overwrite a key another process just wrote (that would orphan its ciphertexts).
    writeFileSync(keyFile, key, { mode: 0o600, flag: 'wx' });
  }
  try {
    chmodSync(keyFile, 0o600);
  } catch {
    // Windows has no POSIX modes; the file lives in the user's own profile folder there.
  }
  return {
    kind: 'key-file',
    owns: (sealed) => sealed[0] === VERSION,
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
    },
    open(sealed) {
      if (sealed[0] !== VERSION || sealed.length < 29)
        throw new Error('This secret was not sealed by this app.');
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 13));
      decipher.setAuthTag(sealed.subarray(13, 29));
      return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]).toString('utf8');
    },
  };
}
