// Backups, restore and the portable export, as the Settings panel and the recovery screen see them.
import { create } from 'zustand';
import type { BackupsStatus, ExportArchiveView } from '../../src-preload/backups.contract';
import { api, errorMessage } from '../lib/api';

interface BackupsState {
  status?: BackupsStatus;
  busy?: 'backup' | 'restore' | 'export';
  error?: string;
  notice?: string;
  lastExport?: ExportArchiveView;
  load: () => Promise<void>;
  backupNow: () => Promise<void>;
  restore: (name: string, confirm: string) => Promise<boolean>;
  exportAll: () => Promise<void>;
}

export const useBackupsStore = create<BackupsState>((set, get) => ({
  async load() {
    try {
      set({ status: await api.invoke('backups:list', {}), error: undefined });
    } catch (error) {
      set({ error: errorMessage(error) });
    }
  },
  async backupNow() {
    set({ busy: 'backup', error: undefined, notice: undefined });
    try {
      const backup = await api.invoke('backups:create', {});
      set({ notice: `Backup ${backup.name} written.` });
      await get().load();
    } catch (error) {
      set({ error: errorMessage(error) });
    } finally {
      set({ busy: undefined });
    }
  },
  async restore(name, confirm) {
    set({ busy: 'restore', error: undefined, notice: undefined });
    try {
      // The typed word travels as is: main refuses anything but RESTORE, so a stray call changes nothing.
      await api.invoke('backups:restore', { name, confirm: confirm as 'RESTORE' });
      return true;
    } catch (error) {
      // A restore that failed after the swap leaves the app in recovery mode: show that screen
      // (load first: it clears the error, which must stay on screen).
      await get().load();
      set({ error: errorMessage(error) });
      return false;
    } finally {
      set({ busy: undefined });
    }
  },
  async exportAll() {
    set({ busy: 'export', error: undefined, notice: undefined });
    try {
      set({ lastExport: await api.invoke('backups:export', {}) });
    } catch (error) {
      set({ error: errorMessage(error) });
    } finally {
      set({ busy: undefined });
    }
  },
}));
