// The desktop app's SecretBox: Electron's safeStorage (Keychain on macOS, DPAPI on Windows, the Secret
// Service / KWallet on Linux). Electron itself is passed in, so this module runs (and is tested) under
// plain Node with an injected implementation; only host/electron*.ts imports 'electron'.
//
// Format: one marker byte (SAFE_STORAGE_FORMAT) then safeStorage's own ciphertext. The marker is ours
// because safeStorage's output does not say who made it (a DPAPI blob starts with byte 1, the key-file
// box's version byte), and start-up must tell which rows still need re-sealing.
import type { SecretBox } from './secretBox';

/** The part of Electron's `safeStorage` this box uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only in Electron ('basic_text', 'gnome_libsecret', 'kwallet5', ...). */
  getSelectedStorageBackend?(): string;
}

export const SAFE_STORAGE_FORMAT = 2;

export function createSafeStorageSecretBox(safeStorage: SafeStorageLike): SecretBox {
  return {
    kind: 'os-keychain',
    owns: (sealed) => sealed[0] === SAFE_STORAGE_FORMAT,
    seal(plain) {
      return Buffer.concat([Buffer.from([SAFE_STORAGE_FORMAT]), safeStorage.encryptString(plain)]);
    },
    open(sealed) {
      if (sealed[0] !== SAFE_STORAGE_FORMAT)
        throw new Error('This secret was not sealed by the OS keychain.');
      return safeStorage.decryptString(sealed.subarray(1));
    },
  };
}

export interface DesktopSecretChoice {
  box: SecretBox;
  /** A sentence for the user when the OS keychain could not be used; absent when it is. */
  warning?: string;
}

/**
 * Picks how the desktop app seals secrets. safeStorage when the OS keychain works. On Linux without a
 * keyring Electron falls back to 'basic_text', which "encrypts" with a password hard-coded in Chromium:
 * the 0600 random key file is stronger, so that case (and "encryption unavailable") uses the key-file
 * box instead, and the user is told that the OS keyring is unavailable.
 */
export function chooseDesktopSecretBox(options: {
  safeStorage: SafeStorageLike;
  platform: NodeJS.Platform;
  keyFileBox: () => SecretBox;
}): DesktopSecretChoice {
  const { safeStorage, platform } = options;
  const backend = platform === 'linux' ? safeStorage.getSelectedStorageBackend?.() : undefined;
  if (backend === 'basic_text') {
    return {
      box: options.keyFileBox(),
      warning:
        'The OS keyring is unavailable (no Secret Service or KWallet running), so access tokens and app ' +
        'secrets are sealed with a key file in the data folder that only your user can read. Install and ' +
        'unlock a keyring (e.g. GNOME Keyring) and restart Bellhop to use it.',
    };
  }
  if (!safeStorage.isEncryptionAvailable()) {
    return {
      box: options.keyFileBox(),
      warning:
        'The OS keychain is unavailable, so access tokens and app secrets are sealed with a key file in ' +
        'the data folder that only your user can read.',
    };
  }
  return { box: createSafeStorageSecretBox(safeStorage) };
}

/**
 * A box that seals with `current` and opens what any of `previous` sealed (secrets from before a move to
 * the keychain, or from a backup taken before it). Start-up re-seals such rows (reseal.ts).
 */
export function withPreviousBoxes(current: SecretBox, previous: (SecretBox | null)[]): SecretBox {
  const others = previous.filter((box): box is SecretBox => box !== null);
  return {
    kind: current.kind,
    owns: (sealed) => current.owns(sealed),
    seal: (plain) => current.seal(plain),
    open(sealed) {
      if (current.owns(sealed)) return current.open(sealed);
      const owner = others.find((box) => box.owns(sealed));
      if (!owner) throw new Error('This secret was sealed by a box this app cannot open here.');
      return owner.open(sealed);
    },
  };
}
