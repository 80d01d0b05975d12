// The desktop SecretBox over an injected safeStorage: round trip, the marker byte that tells its
// ciphertext from the key file's, the basic_text fallback with its warning, and opening older secrets.
import { describe, expect, it } from 'vitest';
import {
  chooseDesktopSecretBox,
  createSafeStorageSecretBox,
  SAFE_STORAGE_FORMAT,
  withPreviousBoxes,
} from '../../src-main/secrets/safeStorageBox';
import { createKeyFileSecretBox, KEY_FILE_FORMAT } from '../../src-main/secrets/secretBox';
import { createFakeSafeStorage } from '../helpers/fakeSafeStorage';
import { useTempDirs } from '../helpers/tempDir';

const temp = useTempDirs();

describe('safeStorage secret box', () => {
  it('seals with the keychain and opens its own ciphertext, which never holds the clear text', () => {
    const box = createSafeStorageSecretBox(createFakeSafeStorage());
    const sealed = box.seal('EAAG-access-token-0123456789');
    expect(sealed[0]).toBe(SAFE_STORAGE_FORMAT);
    expect(sealed.toString('latin1')).not.toContain('EAAG-access-token');
    expect(box.owns(sealed)).toBe(true);
    expect(box.open(sealed)).toBe('EAAG-access-token-0123456789');
  });

  it('cannot open a secret sealed by another machine keychain', () => {
    const here = createSafeStorageSecretBox(createFakeSafeStorage());
    const elsewhere = createSafeStorageSecretBox(createFakeSafeStorage());
    expect(() => here.open(elsewhere.seal('token-from-another-machine'))).toThrow();
  });

  it('uses the keychain when it works, with no warning', () => {
    const choice = chooseDesktopSecretBox({
      safeStorage: createFakeSafeStorage({ backend: 'gnome_libsecret' }),
      platform: 'linux',
      keyFileBox: () => createKeyFileSecretBox(temp.dir()),
    });
    expect(choice.box.kind).toBe('os-keychain');
    expect(choice.warning).toBeUndefined();
  });

  it('on Linux with the basic_text backend falls back to the key file and warns that the keyring is unavailable', () => {
    const choice = chooseDesktopSecretBox({
      safeStorage: createFakeSafeStorage({ backend: 'basic_text' }),
      platform: 'linux',
      keyFileBox: () => createKeyFileSecretBox(temp.dir()),
    });
    expect(choice.box.kind).toBe('key-file');
    expect(choice.warning).toMatch(/OS keyring is unavailable/);
  });

  it('falls back with a warning when encryption is unavailable on any platform', () => {
    const choice = chooseDesktopSecretBox({
      safeStorage: createFakeSafeStorage({ available: false }),
      platform: 'win32',
      keyFileBox: () => createKeyFileSecretBox(temp.dir()),
    });
    expect(choice.box.kind).toBe('key-file');
    expect(choice.warning).toMatch(/keychain is unavailable/);
  });

  it('opens what the key-file box sealed before, and seals new secrets with the keychain', () => {
    const keyFile = createKeyFileSecretBox(temp.dir());
    const old = keyFile.seal('old-app-secret-abcdef0123456789');
    expect(old[0]).toBe(KEY_FILE_FORMAT);
    const box = withPreviousBoxes(createSafeStorageSecretBox(createFakeSafeStorage()), [keyFile, null]);
    expect(box.owns(old)).toBe(false);
    expect(box.open(old)).toBe('old-app-secret-abcdef0123456789');
    expect(box.seal('new')[0]).toBe(SAFE_STORAGE_FORMAT);
  });
});
