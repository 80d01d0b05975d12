// The Diagnostics page (spread into contract.ts): what a support conversation needs, in one call. Never
// a secret: tunnel state without verify tokens, connections by name and time of their last webhook.
import { z } from 'zod';
import { returns } from './contractSchema';

const empty = z.object({}).strict();

export interface DiagnosticsView {
  versions: Record<string, string>;
  platform: string;
  hostKind: 'electron' | 'browser';
  mode: 'normal' | 'recovery';
  dataDir: string;
  logsDir: string;
  backupsDir: string;
  schemaVersion: number | null;
  secretStorage: { kind: string; warning?: string };
  /** Jobs per queue and state (queued, running, dead). */
  queues: { queue: string; state: string; count: number }[];
  connections: { id: string; name: string; kind: string; status: string; lastWebhookAt: number | null }[];
  tunnel: { mode: string; status: string; publicUrl?: string; lastError?: string } | null;
  backups: { count: number; newest?: { name: string; createdAt: number } };
}

export const diagnosticsContract = {
  'diagnostics:get': { request: empty, response: returns<DiagnosticsView>() },
  /** Electron opens the folder in the file manager; the browser host cannot, and returns the path to show. */
  'diagnostics:open-logs-folder': {
    request: empty,
    response: returns<{ opened: boolean; path: string; message?: string }>(),
  },
} as const;
