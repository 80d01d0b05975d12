// The contacts files through a desktop shell (contacts.files.ts), over the IPC router as the Electron host
// calls them: the OS open dialog's file becomes an upload that imports and is left in place; exports and
// rejects are saved whole where the save dialog says (or not at all); drags get the real file. The shell
// here stands in for the OS dialogs; the Electron wiring itself is test/electron/app.spec.ts.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bindContactFiles, type DesktopShell } from '../../src-main/contacts/contacts.files';
import { createIpcRouter, type IpcRouter } from '../../src-main/ipc/router';
import { createMemoryLogger } from '../../src-main/log';
import { createContactsHarness, settingsFor, usNumber, type ContactsHarness } from '../helpers/contactsCsv';

const sender = { trusted: true, description: 'test' };

class ScriptedShell implements DesktopShell {
  nextOpen: string | undefined;
  nextSave: string | undefined;
  readonly saveNames: string[] = [];
  readonly dragged: string[] = [];
  pickImportFile(): Promise<string | undefined> {
    return Promise.resolve(this.nextOpen);
  }
  pickSaveTarget(defaultName: string): Promise<string | undefined> {
    this.saveNames.push(defaultName);
    return Promise.resolve(this.nextSave);
  }
  startFileDrag(filePath: string): void {
    this.dragged.push(filePath);
  }
}

let h: ContactsHarness;
let shell: ScriptedShell;
let router: IpcRouter;
let userDir: string;

beforeEach(() => {
  h = createContactsHarness();
  h.addWorkspace('ws1');
  shell = new ScriptedShell();
  router = createIpcRouter(bindContactFiles(h.service, shell), createMemoryLogger());
  userDir = join(h.dir, 'user-folder');
  mkdirSync(userDir);
});
afterEach(async () => {
  await h.close();
});

function csv(count: number, extra = ''): string {
  const lines = ['phone,name'];
  for (let i = 0; i < count; i++) lines.push(`${usNumber(i)},Person ${i}`);
  return lines.join('\n') + '\n' + extra;
}

async function exportAll(): Promise<string> {
  return (await h.service.export({ workspaceId: 'ws1' })).exportId;
}

describe('contacts files through the desktop shell', () => {
  it('imports the file picked in the open dialog and leaves the user’s file where it was', async () => {
    const picked = join(userDir, 'customers.csv');
    writeFileSync(picked, csv(50, 'not a number,Nobody\n'));
    shell.nextOpen = picked;
    const result = await router.dispatch('contacts:pick-import-file', {}, sender);
    expect(result).toMatchObject({ ok: true, value: { fileName: 'customers.csv', complete: true } });
    if (!result.ok || !result.value) throw new Error('no upload');
    const { uploadId } = result.value as { uploadId: string };
    const started = await h.service.startImport(
      'ws1',
      uploadId,
      settingsFor([{ kind: 'phone' }, { kind: 'name' }]),
    );
    const summary = await h.service.whenImportFinished(started.importId);
    expect(summary.counts).toMatchObject({ rows: 51, created: 50, rejected: 1 });
    expect(readFileSync(picked, 'utf8')).toBe(csv(50, 'not a number,Nobody\n'));

    shell.nextOpen = undefined;
    expect(await router.dispatch('contacts:pick-import-file', {}, sender)).toEqual({
      ok: true,
      value: null,
    });
    const empty = join(userDir, 'empty.csv');
    writeFileSync(empty, '');
    shell.nextOpen = empty;
    expect(await router.dispatch('contacts:pick-import-file', {}, sender)).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: 'empty.csv is empty.' },
    });
    shell.nextOpen = join(userDir, 'gone.csv');
    expect(await router.dispatch('contacts:pick-import-file', {}, sender)).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
  });

  it('saves an export whole where the save dialog says, replacing what was there, and nothing on cancel', async () => {
    writeFileSync(join(userDir, 'in.csv'), csv(300));
    const upload = await h.service.adoptFile(join(userDir, 'in.csv'), 'in.csv', Buffer.byteLength(csv(300)));
    const started = await h.service.startImport(
      'ws1',
      upload.uploadId,
      settingsFor([{ kind: 'phone' }, { kind: 'name' }]),
    );
    await h.service.whenImportFinished(started.importId);
    const exportId = await exportAll();
    const source = h.service.downloadFile('export', exportId);
    if (!source) throw new Error('export missing');

    const target = join(userDir, 'mine.csv');
    writeFileSync(target, 'an older file the user chose to replace');
    shell.nextSave = target;
    expect(await router.dispatch('contacts:save-file', { kind: 'export', id: exportId }, sender)).toEqual({
      ok: true,
      value: { savedTo: target },
    });
    expect(shell.saveNames).toEqual([source.fileName]);
    expect(readFileSync(target)).toEqual(readFileSync(source.path));
    expect(readFileSync(target, 'utf8').trim().split(/\r?\n/)).toHaveLength(301);

    shell.nextSave = undefined;
    expect(await router.dispatch('contacts:save-file', { kind: 'export', id: exportId }, sender)).toEqual({
      ok: true,
      value: { savedTo: null },
    });
    shell.nextSave = join(userDir, 'no-such-folder', 'x.csv');
    expect(
      await router.dispatch('contacts:save-file', { kind: 'export', id: exportId }, sender),
    ).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', message: /that folder no longer exists/ } });
    expect(readdirSync(userDir).sort()).toEqual(['in.csv', 'mine.csv']);
    expect(existsSync(join(userDir, 'no-such-folder'))).toBe(false);
  });

  it('saves a rejects file, drags real files, and refuses unknown or malformed references', async () => {
    const picked = join(userDir, 'bad.csv');
    writeFileSync(picked, csv(3, 'call me,Nobody\n'));
    shell.nextOpen = picked;
    const pickedUpload = await router.dispatch('contacts:pick-import-file', {}, sender);
    if (!pickedUpload.ok || !pickedUpload.value) throw new Error('no upload');
    const started = await h.service.startImport(
      'ws1',
      (pickedUpload.value as { uploadId: string }).uploadId,
      settingsFor([{ kind: 'phone' }, { kind: 'name' }]),
    );
    const summary = await h.service.whenImportFinished(started.importId);
    expect(summary.rejectsFileId).not.toBeNull();
    const rejectsRef = { kind: 'rejects', id: summary.rejectsFileId as string };

    shell.nextSave = join(userDir, 'rejects.csv');
    expect(await router.dispatch('contacts:save-file', rejectsRef, sender)).toMatchObject({ ok: true });
    expect(readFileSync(join(userDir, 'rejects.csv'), 'utf8')).toContain(
      '"""call me"" is not a phone number"',
    );

    expect(await router.dispatch('contacts:drag-file', rejectsRef, sender)).toEqual({
      ok: true,
      value: { dragging: true },
    });
    const exportId = await exportAll();
    await router.dispatch('contacts:drag-file', { kind: 'export', id: exportId }, sender);
    expect(shell.dragged).toEqual([
      h.service.downloadFile('rejects', rejectsRef.id)?.path,
      h.service.downloadFile('export', exportId)?.path,
    ]);

    for (const bad of [
      { kind: 'export', id: 'contacts-ws1-nope.csv' },
      { kind: 'export', id: '../bellhop.sqlite' },
    ]) {
      expect(await router.dispatch('contacts:drag-file', bad, sender)).toMatchObject({
        ok: false,
        error: { code: 'NOT_FOUND' },
      });
    }
    expect(await router.dispatch('contacts:save-file', { kind: 'database', id: 'x' }, sender)).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(shell.dragged).toHaveLength(2);
    expect(shell.saveNames).toHaveLength(1);
  });

  it('answers UNAVAILABLE without a shell (the browser host), so the screen uses downloads', async () => {
    const browserRouter = createIpcRouter(bindContactFiles(h.service, undefined), createMemoryLogger());
    expect(await browserRouter.dispatch('contacts:pick-import-file', {}, sender)).toMatchObject({
      ok: false,
      error: { code: 'UNAVAILABLE' },
    });
    const exportId = await exportAll();
    expect(
      await browserRouter.dispatch('contacts:save-file', { kind: 'export', id: exportId }, sender),
    ).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
  });
});
