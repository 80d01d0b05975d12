// The desktop app itself: Electron's security checklist as the running app reports it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';

const root = resolve(__dirname, '../..');
let app: ElectronApplication;
let page: Page;

test.beforeAll(async () => {
  app = await electron.launch({
    args: [join(root, 'out/main/index.js')],
    env: { ...process.env, BELLHOP_DATA_DIR: mkdtempSync(join(tmpdir(), 'bellhop-electron-')) },
  });
  page = await app.firstWindow();
  await expect(page.locator('.app[data-app-ready="true"]')).toBeVisible();
});

test.afterAll(async () => {
  await app.close();
});

test('renderer isolation: no Node globals in the page, preload internals unreachable', async () => {
  // nodeIntegration off and contextIsolation on, as the page itself experiences them.
  const globalsSeen = await page.evaluate(() => ({
    require: typeof (globalThis as { require?: unknown }).require,
    process: typeof (globalThis as { process?: unknown }).process,
    ipcRenderer: typeof (globalThis as { ipcRenderer?: unknown }).ipcRenderer,
    apiFrozen: Object.isFrozen(window.api),
  }));
  expect(globalsSeen).toEqual({
    require: 'undefined',
    process: 'undefined',
    ipcRenderer: 'undefined',
    apiFrozen: true,
  });
  const sandboxed = await app.evaluate(({ BrowserWindow }) => {
    const contents = BrowserWindow.getAllWindows()[0]!.webContents;
    // A sandboxed renderer runs in an OS-sandboxed process; Electron reports it per frame process.
    return contents.mainFrame.processId > 0 && contents.getOSProcessId() > 0;
  });
  expect(sandboxed).toBe(true);
});

test('the CSP is in force: inline script does not run', async () => {
  const ran = await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__inline = true';
    document.body.appendChild(s);
    return (window as unknown as { __inline?: boolean }).__inline === true;
  });
  expect(ran).toBe(false);
});

test('navigation away and window.open are denied', async () => {
  const before = page.url();
  await page.evaluate(() => {
    location.href = 'https://example.com/';
  });
  await expect(page.locator('.app[data-app-ready="true"]')).toBeVisible();
  expect(page.url().split('#')[0]).toBe(before.split('#')[0]);
  expect(await page.evaluate(() => window.open('https://example.com/') === null)).toBe(true);
  expect(app.windows()).toHaveLength(1);
});

test('permission requests are denied', async () => {
  const state = await page.evaluate(async () => {
    try {
      await navigator.mediaDevices.getUserMedia({ audio: true });
      return 'granted';
    } catch (error) {
      return (error as Error).name;
    }
  });
  expect(state).not.toBe('granted');
});

test('window.api exposes only invoke and on, and only contract channels', async () => {
  expect(await page.evaluate(() => Object.keys(window.api ?? {}).sort())).toEqual(['invoke', 'on']);
  const unknown = await page.evaluate(() => window.api!.invoke('app:nope' as 'app:info', {}));
  expect(unknown).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  const info = await page.evaluate(() => window.api!.invoke('app:info', {}));
  expect(info).toMatchObject({ ok: true, value: { hostKind: 'electron' } });
});

test('<webview> is not available to the page', async () => {
  const webview = await page.evaluate(() => ({
    registered: customElements.get('webview') !== undefined,
    unknown: document.createElement('webview') instanceof HTMLUnknownElement,
  }));
  expect(webview).toEqual({ registered: false, unknown: true });
});

test('window.open reaches the browser only for allow-listed https links', async () => {
  await app.evaluate(({ shell }) => {
    const opened: string[] = [];
    (globalThis as { __opened?: string[] }).__opened = opened;
    shell.openExternal = (url: string) => {
      opened.push(url);
      return Promise.resolve();
    };
  });
  await page.evaluate(() => {
    window.open('https://business.facebook.com/settings');
    window.open('https://evil.example/');
    window.open('file:///etc/passwd');
  });
  await expect
    .poll(() => app.evaluate(() => (globalThis as { __opened?: string[] }).__opened ?? []))
    .toEqual(['https://business.facebook.com/settings']);
  expect(app.windows()).toHaveLength(1);
});

test('secrets are sealed by the OS keychain, or the user is warned why not', async () => {
  const result = await page.evaluate(() => window.api!.invoke('diagnostics:get', {}));
  expect(result.ok).toBe(true);
  if (!result.ok) return;
  const { secretStorage } = result.value;
  expect(['os-keychain', 'key-file']).toContain(secretStorage.kind);
  // The key file is only a fallback, and never a silent one (Linux without a keyring: basic_text).
  if (secretStorage.kind === 'key-file') expect(secretStorage.warning).toMatch(/unavailable/);
});

test('a backup restores in the desktop app: the core is replaced under the same window', async () => {
  const backup = await page.evaluate(() => window.api!.invoke('backups:create', {}));
  expect(backup.ok).toBe(true);
  if (!backup.ok) return;
  const restored = await page.evaluate(
    (name) => window.api!.invoke('backups:restore', { name, confirm: 'RESTORE' }),
    backup.value.name,
  );
  expect(restored).toMatchObject({ ok: true, value: { restoredFrom: backup.value.name } });
  const info = await page.evaluate(() => window.api!.invoke('app:info', {}));
  expect(info).toMatchObject({ ok: true, value: { hostKind: 'electron' } });
});

test('contacts files: the OS open dialog imports a file in place; the save dialog writes the export', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bellhop-electron-files-'));
  const input = join(dir, 'customers.csv');
  const original = 'phone,name\n+16505551234,Ann\n+16505551235,Bob\ncall me,Nobody\n';
  writeFileSync(input, original);
  const saved = join(dir, 'saved-export.csv');
  // Stand in for the user in the OS dialogs: host/electronShell.ts looks them up on `dialog` at each call.
  await app.evaluate(
    ({ dialog }, paths) => {
      Object.assign(dialog, {
        showOpenDialog: () => Promise.resolve({ canceled: false, filePaths: [paths.input] }),
        showSaveDialog: () => Promise.resolve({ canceled: false, filePath: paths.saved }),
      });
    },
    { input, saved },
  );
  await page.evaluate(() => {
    location.hash = '#/contacts';
  });
  await expect(page.getByRole('heading', { level: 1, name: 'Contacts' })).toBeVisible();

  await page.getByRole('button', { name: 'Import CSV…' }).click();
  await expect(page.getByTestId('import-mapping')).toBeVisible();
  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('import-summary')).toHaveAttribute('data-phase', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('count-created')).toHaveText('2');
  await expect(page.getByTestId('count-rejected')).toHaveText('1');
  // The rows not imported are saved through the same dialog, not downloaded.
  await expect(page.getByTestId('save-rejects')).toBeVisible();
  // The picked file was read where it is, not moved or changed.
  expect(readFileSync(input, 'utf8')).toBe(original);
  await page.getByRole('button', { name: 'Close' }).click();

  await page.getByRole('button', { name: 'Export…' }).click();
  await page.getByRole('button', { name: 'Export CSV' }).click();
  await page.getByTestId('export-save').click();
  await expect(page.getByTestId('export-saved')).toHaveText(`Saved to ${saved}`);
  const exported = readFileSync(saved, 'utf8');
  expect(exported).toContain('+16505551234');
  expect(exported).toContain('+16505551235');
});
