// Backups in the UI: back up, change something, restore with the typed confirmation and see the old
// state; and a data folder whose store is damaged opens on the recovery screen, which restores the
// newest good backup and brings the app back.
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { startHostProcess } from '../helpers/browserHostProcess';
import { connectHostIpc } from '../helpers/hostIpc';
import { expect, openApp, test } from './fixtures';

test('restore from Settings needs RESTORE typed, then shows the backed-up data', async ({ host, page }) => {
  const ipc = await connectHostIpc(host);
  const { currentId } = await ipc.call<{ currentId: string }>('workspaces:list');
  await ipc.call('workspaces:rename', { workspaceId: currentId, name: 'Before the backup' });
  ipc.close();

  await openApp(page, host, '#/settings');
  const panel = page.getByRole('region', { name: 'Backups' });
  await panel.getByRole('button', { name: 'Back up now' }).click();
  await expect(panel.getByRole('status').filter({ hasText: 'written' })).toBeVisible();

  const again = await connectHostIpc(host);
  await again.call('workspaces:rename', { workspaceId: currentId, name: 'After the backup' });
  again.close();

  const manualRow = panel.getByRole('row').filter({ hasText: 'Manual' }).first();
  await manualRow.getByRole('button', { name: /Restore the backup/ }).click();
  const dialog = page.getByRole('dialog');
  const confirm = dialog.getByRole('button', { name: 'Restore this backup' });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel('Type RESTORE to confirm').fill('restore');
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel('Type RESTORE to confirm').fill('RESTORE');
  await confirm.click();
  // The page reloads on the restored store.
  await expect(page.getByRole('region', { name: 'Backups' }).getByText(/^Restored bellhop-/)).toBeVisible({
    timeout: 30_000,
  });
  const check = await connectHostIpc(host);
  const after = await check.call<{ workspaces: { name: string }[] }>('workspaces:list');
  check.close();
  expect(after.workspaces.map((w) => w.name)).toEqual(['Before the backup']);
});

test('a damaged store opens on the recovery screen, which restores the newest good backup', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const first = await startHostProcess();
  const ipc = await connectHostIpc(first);
  const { currentId } = await ipc.call<{ currentId: string }>('workspaces:list');
  await ipc.call('workspaces:rename', { workspaceId: currentId, name: 'Kept safe' });
  const backup = await ipc.call<{ name: string }>('backups:create');
  ipc.close();
  await first.stop();

  // Pages 2-12 overwritten: what a failing disk leaves behind.
  const fd = openSync(join(first.dataDir, 'bellhop.sqlite'), 'r+');
  const garbage = Buffer.alloc(4096 * 11, 0x5a);
  writeSync(fd, garbage, 0, garbage.length, 4096);
  closeSync(fd);

  const host = await startHostProcess({ dataDir: first.dataDir });
  try {
    expect(host.output()).toMatch(/starting in recovery mode/);
    await page.goto(host.url);
    await expect(page.getByRole('heading', { name: 'Bellhop needs to recover its data' })).toBeVisible();
    await expect(page.getByRole('alert').filter({ hasText: 'integrity check' })).toBeVisible();
    await expect(page.getByText(backup.name)).toBeVisible();
    await page.getByRole('button', { name: 'Restore the newest good backup…' }).click();
    await page.getByRole('dialog').getByLabel('Type RESTORE to confirm').fill('RESTORE');
    await page.getByRole('dialog').getByRole('button', { name: 'Restore this backup' }).click();
    await expect(page.locator('.app[data-app-ready="true"]')).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Bellhop needs to recover its data' })).toHaveCount(0, {
      timeout: 30_000,
    });
    const check = await connectHostIpc(host);
    const list = await check.call<{ workspaces: { name: string }[] }>('workspaces:list');
    check.close();
    expect(list.workspaces.map((w) => w.name)).toEqual(['Kept safe']);
  } finally {
    await host.stop();
  }
});
