// Workspaces and connections: the rules, the transactions, and the one place where secrets are sealed
// and opened. What leaves this service for the renderer is a ConnectionView, which carries the token
// and the app secret only as "saved" (plus the token's last four characters); logs get ids, never values.
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import {
  createConnectionSchema,
  DEFAULT_API_VERSION,
  DEFAULT_RATE_LIMIT_PER_MINUTE,
  updateConnectionSchema,
  workspaceNameSchema,
  type ConnectionRemoved,
  type ConnectionTestResult,
  type ConnectionView,
  type WorkspacesList,
  type WorkspaceView,
} from '../../src-preload/connections.contract';
import type { ComponentState } from '../../src-preload/contract';
import { newId } from '../db/ids';
import type { Db } from '../db/open';
import { isUniqueViolation } from '../db/sql';
import type { EventBus } from '../events';
import { AppError } from '../ipc/errors';
import type { Logger } from '../log';
import type { SecretBox } from '../secrets/secretBox';
import type { SettingsStore } from '../settings/settings.repo';
import type { WhatsAppClient } from '../whatsapp/client';
import type { WhatsAppError } from '../whatsapp/errors';
import type { PhoneNumberField } from '../whatsapp/types';
import { SandboxNotRunningError, type ClientPool } from './clientPool';
import { diagnose, phoneFacts } from './connectionTest';
import type { ConnectionRow, ConnectionsRepo, WorkspaceRow } from './connections.repo';

/** The setting that holds the workspace the app is showing (one for the whole installation). */
export const CURRENT_WORKSPACE_SETTING = 'workspaces.current';

/** What the webhook server needs to check a delivery for one connection (whatsapp-cloud-api.md §6). */
export interface ConnectionSecrets {
  appSecret: string;
  verifyToken: string;
}

export interface ComponentHealth {
  state: ComponentState;
  detail?: string;
}

/** §9: the fields "Test connection" reads. */
const TEST_FIELDS: readonly PhoneNumberField[] = [
  'verified_name',
  'display_phone_number',
  'quality_rating',
  'throughput',
  'whatsapp_business_manager_messaging_limit',
];

export interface ConnectionsServiceOptions {
  db: Db;
  repo: ConnectionsRepo;
  pool: ClientPool;
  secrets: SecretBox;
  settings: SettingsStore;
  log: Logger;
  events: EventBus;
  now: () => number;
  /** Per-request timeout of "Test connection"; default 15 s. */
  testTimeoutMs?: number;
}

export interface NewSandboxConnection {
  workspaceId: string;
  name: string;
  phoneNumberId: string;
  wabaId: string;
  displayPhoneNumber: string;
  accessToken: string;
  appSecret: string;
  verifyToken: string;
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new AppError('BAD_REQUEST', result.error.issues[0]?.message ?? 'The request is not valid.');
}

/** A random verify token for Meta's webhook handshake (§6): 32 URL-safe characters. */
export function generateVerifyToken(): string {
  return randomBytes(24).toString('base64url');
}

function defaultConnectionName(phoneNumberId: string): string {
  return `WhatsApp number …${phoneNumberId.slice(-4)}`;
}

function workspaceView(row: WorkspaceRow): WorkspaceView {
  return { id: row.id, name: row.name, createdAt: row.created_at, connectionCount: row.connection_count };
}

export type ConnectionsService = ReturnType<typeof createConnectionsService>;

export function createConnectionsService(options: ConnectionsServiceOptions) {
  const { db, repo, pool, secrets, settings, log, events, now } = options;
  const secretsCache = new Map<string, ConnectionSecrets>();
  const removedListeners = new Set<(row: ConnectionRow) => void>();

  const announce = (workspaceId: string | null, connectionIds: string[]): void => {
    events.emit('connections:changed', { workspaceId, connectionIds });
  };

  const tokenHint = (row: ConnectionRow): string => {
    try {
      const token = secrets.open(row.token_enc);
      return `…${token.slice(-4)}`;
    } catch {
      // Sealed on another computer or with a lost key: the UI asks for a new token (see statusReason).
      return '';
    }
  };

  const view = (row: ConnectionRow): ConnectionView => ({
    id: row.id,
    workspaceId: row.workspace_id,
    kind: row.kind,
    name: row.name,
    phoneNumberId: row.phone_number_id,
    wabaId: row.waba_id,
    displayPhoneNumber: row.display_phone_number,
    apiVersion: row.api_version,
    rateLimitPerMinute: row.rate_limit_per_minute,
    status: row.status,
    statusReason: row.status_reason,
    hasToken: row.token_enc.length > 0,
    tokenHint: tokenHint(row),
    hasAppSecret: row.app_secret_enc.length > 0,
    verifyToken: row.verify_token,
    reachable: pool.baseUrlOf(row) !== undefined,
    lastWebhookAt: row.last_webhook_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });

  const requireConnection = (connectionId: string): ConnectionRow => {
    const row = repo.getConnection(connectionId);
    if (!row) throw new AppError('NOT_FOUND', 'That connection no longer exists.');
    return row;
  };

  const currentWorkspaceId = (): string | null => {
    const stored = settings.get(CURRENT_WORKSPACE_SETTING);
    if (typeof stored === 'string' && repo.getWorkspace(stored)) return stored;
    // No choice made yet (or the chosen one is gone): the oldest workspace.
    return repo.listWorkspaces()[0]?.id ?? null;
  };

  const listWorkspaces = (): WorkspacesList => ({
    workspaces: repo.listWorkspaces().map(workspaceView),
    currentId: currentWorkspaceId(),
  });

  /** Inserts a workspace; no event (callers announce after their transaction commits). */
  const insertWorkspace = (nameInput: unknown): WorkspaceRow => {
    const name = parse(workspaceNameSchema, nameInput);
    return db
      .transaction(() => {
        if (repo.workspaceIdByName(name) !== undefined) {
          throw new AppError('CONFLICT', `A workspace called “${name}” already exists.`);
        }
        const at = now();
        const id = newId(at);
        repo.insertWorkspace(id, name, at);
        const row = repo.getWorkspace(id);
        if (!row) throw new Error('The new workspace could not be read back.');
        return row;
      })
      .immediate();
  };

  const conflictForPhoneNumber = (phoneNumberId: string, exceptId?: string): AppError | undefined => {
    const existing = repo.cloudConnectionByPhoneNumberId(phoneNumberId);
    if (!existing || existing.id === exceptId) return undefined;
    return new AppError(
      'CONFLICT',
      `This phone number (ID ${phoneNumberId}) is already connected as “${existing.name}” in the workspace “${existing.workspace_name}”. A number can belong to one connection only.`,
    );
  };

  /**
   * A write transaction for connection rows. IMMEDIATE, so its checks and its write see one state even
   * if another process shares the file; the UNIQUE index on cloud phone-number ids is the last word.
   */
  const writeConnection = <T>(fn: () => T): T => {
    try {
      return db.transaction(fn).immediate();
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AppError(
          'CONFLICT',
          'This phone number is already connected. A number can belong to one connection only.',
        );
      }
      throw error;
    }
  };

  const markNeedsReauth = (connectionId: string, tokenEnc: Buffer, error: WhatsAppError): void => {
    try {
      if (!db.open) return;
      const row = repo.getConnection(connectionId);
      // Removed meanwhile, or the answer is about a token the user has already replaced.
      if (!row || !row.token_enc.equals(tokenEnc)) return;
      const code = error.code !== null ? `code ${error.code}` : `HTTP ${error.httpStatus ?? '?'}`;
      const reason = `The access token was refused (expired or revoked, ${code}). Sending on this number is stopped until a new token is saved.`;
      if (repo.setStatus(connectionId, 'needs_reauth', reason, now())) {
        log.warn('connections: access token refused, the connection needs re-authentication', {
          connectionId,
          code: error.code,
          httpStatus: error.httpStatus,
        });
        announce(row.workspace_id, [connectionId]);
      }
    } catch (failure) {
      log.error('connections: could not record a refused token', { connectionId, error: failure });
    }
  };

  return {
    // ---------- workspaces ----------

    listWorkspaces,
    currentWorkspaceId,

    createWorkspace(input: { name: string }): WorkspaceView {
      const row = insertWorkspace(input.name);
      log.info('workspaces: created', { workspaceId: row.id });
      events.emit('workspaces:changed', { currentWorkspaceId: currentWorkspaceId() });
      return workspaceView(row);
    },

    renameWorkspace(input: { workspaceId: string; name: string }): WorkspaceView {
      const name = parse(workspaceNameSchema, input.name);
      const row = db
        .transaction(() => {
          if (!repo.getWorkspace(input.workspaceId)) {
            throw new AppError('NOT_FOUND', 'That workspace no longer exists.');
          }
          const sameName = repo.workspaceIdByName(name);
          if (sameName !== undefined && sameName !== input.workspaceId) {
            throw new AppError('CONFLICT', `A workspace called “${name}” already exists.`);
          }
          repo.renameWorkspace(input.workspaceId, name, now());
          return repo.getWorkspace(input.workspaceId);
        })
        .immediate();
      if (!row) throw new AppError('NOT_FOUND', 'That workspace no longer exists.');
      events.emit('workspaces:changed', { currentWorkspaceId: currentWorkspaceId() });
      return workspaceView(row);
    },

    switchWorkspace(input: { workspaceId: string }): WorkspacesList {
      if (!repo.getWorkspace(input.workspaceId)) {
        throw new AppError('NOT_FOUND', 'That workspace no longer exists.');
      }
      settings.set(CURRENT_WORKSPACE_SETTING, input.workspaceId);
      log.info('workspaces: switched', { workspaceId: input.workspaceId });
      events.emit('workspaces:changed', { currentWorkspaceId: input.workspaceId });
      return listWorkspaces();
    },

    /** For the Sandbox's first start, inside its seeding transaction. */
    insertWorkspace,

    // ---------- connections ----------

    listConnections(input: { workspaceId?: string } = {}): ConnectionView[] {
      const workspaceId = input.workspaceId ?? currentWorkspaceId();
      if (workspaceId === null) return [];
      if (input.workspaceId !== undefined && !repo.getWorkspace(workspaceId)) {
        throw new AppError('NOT_FOUND', 'That workspace no longer exists.');
      }
      return repo.listConnections(workspaceId).map(view);
    },

    getConnection(connectionId: string): ConnectionView {
      return view(requireConnection(connectionId));
    },

    /** The row itself (sealed secrets included) — for main-process modules, never for IPC. */
    connectionRow(connectionId: string): ConnectionRow | undefined {
      return repo.getConnection(connectionId);
    },

    createConnection(input: unknown): ConnectionView {
      const data = parse(createConnectionSchema, input);
      const workspaceId = data.workspaceId ?? currentWorkspaceId();
      if (workspaceId === null) throw new AppError('BAD_REQUEST', 'Create a workspace first.');
      const at = now();
      const id = newId(at);
      const row = writeConnection(() => {
        if (!repo.getWorkspace(workspaceId))
          throw new AppError('NOT_FOUND', 'That workspace no longer exists.');
        const conflict = conflictForPhoneNumber(data.phoneNumberId);
        if (conflict) throw conflict;
        repo.insertConnection({
          id,
          workspace_id: workspaceId,
          kind: 'cloud',
          name: data.name ?? defaultConnectionName(data.phoneNumberId),
          phone_number_id: data.phoneNumberId,
          waba_id: data.wabaId,
          display_phone_number: null,
          api_version: data.apiVersion ?? DEFAULT_API_VERSION,
          token_enc: secrets.seal(data.accessToken),
          app_secret_enc: secrets.seal(data.appSecret),
          verify_token: data.verifyToken ?? generateVerifyToken(),
          rate_limit_per_minute: data.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE,
          now: at,
        });
        return requireConnection(id);
      });
      log.info('connections: added', {
        connectionId: id,
        workspaceId,
        kind: 'cloud',
        phoneNumberId: row.phone_number_id,
      });
      announce(workspaceId, [id]);
      return view(row);
    },

    updateConnection(input: unknown): ConnectionView {
      const data = parse(updateConnectionSchema, input);
      const changed: string[] = [];
      const row = writeConnection(() => {
        const saved = requireConnection(data.connectionId);
        const differs = <K extends keyof typeof data>(key: K, current: unknown): boolean => {
          const value = data[key];
          return value !== undefined && value !== current;
        };
        const credentialEdits =
          differs('phoneNumberId', saved.phone_number_id) ||
          differs('wabaId', saved.waba_id) ||
          differs('verifyToken', saved.verify_token) ||
          differs('apiVersion', saved.api_version) ||
          data.accessToken !== undefined ||
          data.appSecret !== undefined;
        if (saved.kind === 'sandbox' && credentialEdits) {
          throw new AppError(
            'BAD_REQUEST',
            "The Sandbox's credentials are managed by Bellhop: only its name and rate limit can be changed.",
          );
        }
        const phoneNumberId = data.phoneNumberId ?? saved.phone_number_id;
        if (phoneNumberId !== saved.phone_number_id) {
          const conflict = conflictForPhoneNumber(phoneNumberId, saved.id);
          if (conflict) throw conflict;
        }
        for (const [key, current] of [
          ['name', saved.name],
          ['phoneNumberId', saved.phone_number_id],
          ['wabaId', saved.waba_id],
          ['verifyToken', saved.verify_token],
          ['apiVersion', saved.api_version],
          ['rateLimitPerMinute', saved.rate_limit_per_minute],
        ] as const) {
          if (differs(key, current)) changed.push(key);
        }
        if (data.accessToken !== undefined) changed.push('accessToken');
        if (data.appSecret !== undefined) changed.push('appSecret');
        const newToken = data.accessToken !== undefined;
        repo.updateConnection({
          id: saved.id,
          name: data.name ?? saved.name,
          phone_number_id: phoneNumberId,
          waba_id: data.wabaId ?? saved.waba_id,
          api_version: data.apiVersion ?? saved.api_version,
          token_enc: newToken ? secrets.seal(data.accessToken ?? '') : saved.token_enc,
          app_secret_enc: data.appSecret !== undefined ? secrets.seal(data.appSecret) : saved.app_secret_enc,
          verify_token: data.verifyToken ?? saved.verify_token,
          rate_limit_per_minute: data.rateLimitPerMinute ?? saved.rate_limit_per_minute,
          // A new token is a fresh start; "Test connection" tells whether it works.
          status: newToken && saved.status === 'needs_reauth' ? 'active' : saved.status,
          status_reason: newToken && saved.status === 'needs_reauth' ? null : saved.status_reason,
          // The display number belongs to the phone-number id; the next test reads the new one.
          display_phone_number: phoneNumberId === saved.phone_number_id ? saved.display_phone_number : null,
          now: now(),
        });
        return requireConnection(saved.id);
      });
      pool.invalidate(row.id);
      secretsCache.delete(row.id);
      log.info('connections: updated', { connectionId: row.id, fields: changed });
      announce(row.workspace_id, [row.id]);
      return view(row);
    },

    removeConnection(input: { connectionId: string }): ConnectionRemoved {
      const { row, counts } = db
        .transaction(() => {
          const saved = requireConnection(input.connectionId);
          const cascade = repo.cascadeCounts(saved.id);
          if (cascade.liveCampaigns > 0) {
            throw new AppError(
              'CONFLICT',
              `${cascade.liveCampaigns === 1 ? 'A campaign is' : `${cascade.liveCampaigns} campaigns are`} running or scheduled on this number: pause or cancel ${cascade.liveCampaigns === 1 ? 'it' : 'them'} first.`,
            );
          }
          repo.deleteConnection(saved.id);
          return { row: saved, counts: cascade };
        })
        .immediate();
      pool.invalidate(row.id);
      secretsCache.delete(row.id);
      const removed = {
        conversations: counts.conversations,
        messages: counts.messages,
        templates: counts.templates,
        campaigns: counts.campaigns,
      };
      log.info('connections: removed', { connectionId: row.id, kind: row.kind, removed });
      for (const listener of removedListeners) listener(row);
      announce(row.workspace_id, [row.id]);
      return { connectionId: row.id, removed };
    },

    /** Reads the phone number's fields, then one page of the WABA's templates, and says what is wrong. */
    async testConnection(input: { connectionId: string }): Promise<ConnectionTestResult> {
      const row = requireConnection(input.connectionId);
      const checkedAt = now();
      const ids = {
        phoneNumberId: row.phone_number_id,
        wabaId: row.waba_id,
        sandbox: row.kind === 'sandbox',
      };
      let client: WhatsAppClient;
      try {
        client = pool.fresh(row, options.testTimeoutMs ?? 15_000);
      } catch (error) {
        if (!(error instanceof SandboxNotRunningError)) throw error;
        return {
          ok: false,
          connectionId: row.id,
          checkedAt,
          problem: 'not_running',
          headline: 'The Sandbox is not running.',
          advice: 'Restart Bellhop; the Sandbox starts with it.',
          code: null,
        };
      }
      try {
        const phone = await client.getPhoneNumber(TEST_FIELDS);
        if (!phone.ok) {
          const diagnosis = diagnose(phone.error, 'phone', ids);
          log.info('connections: test failed', {
            connectionId: row.id,
            problem: diagnosis.problem,
            code: diagnosis.code,
          });
          return { ok: false, connectionId: row.id, checkedAt, ...diagnosis };
        }
        const templates = await client.listTemplates({ limit: 1 });
        if (!templates.ok) {
          const diagnosis = diagnose(templates.error, 'waba', ids);
          log.info('connections: test failed', {
            connectionId: row.id,
            problem: diagnosis.problem,
            code: diagnosis.code,
          });
          return { ok: false, connectionId: row.id, checkedAt, ...diagnosis };
        }
        const facts = phoneFacts(phone.value);
        let recovered = false;
        const changed = db
          .transaction(() => {
            const current = repo.getConnection(row.id);
            // Removed meanwhile, or its token replaced during the test: this result is about the old token.
            if (!current || !current.token_enc.equals(row.token_enc)) return false;
            let any = false;
            if (facts.displayPhoneNumber !== null) {
              any = repo.setDisplayPhoneNumber(row.id, facts.displayPhoneNumber, now()) || any;
            }
            if (current.status === 'needs_reauth') {
              recovered = repo.setStatus(row.id, 'active', null, now());
              any = recovered || any;
            }
            return any;
          })
          .immediate();
        // The shared client latched the refusal (§10); the token works again, so give it a fresh one.
        if (recovered) pool.invalidate(row.id);
        if (changed) announce(row.workspace_id, [row.id]);
        log.info('connections: test passed', { connectionId: row.id });
        const name = facts.verifiedName ?? row.name;
        const number = facts.displayPhoneNumber !== null ? ` (${facts.displayPhoneNumber})` : '';
        return {
          ok: true,
          connectionId: row.id,
          checkedAt,
          headline: `Connected: ${name}${number} answers and the token can read its WhatsApp account.`,
          phone: facts,
        };
      } finally {
        client.close();
      }
    },

    /** The shared, rate-limited client of a connection (see clientPool.ts). */
    clientFor(connectionId: string): WhatsAppClient {
      const cached = pool.cached(connectionId);
      if (cached) return cached;
      const row = requireConnection(connectionId);
      try {
        return pool.get(row);
      } catch (error) {
        if (error instanceof SandboxNotRunningError) {
          throw new AppError('UNAVAILABLE', 'The Sandbox is not running.');
        }
        throw error;
      }
    },

    /** For the webhook server's signature check; undefined for an unknown connection. */
    secretsFor(connectionId: string): ConnectionSecrets | undefined {
      const cached = secretsCache.get(connectionId);
      if (cached) return cached;
      const row = repo.getConnection(connectionId);
      if (!row) return undefined;
      let found: ConnectionSecrets;
      try {
        found = { appSecret: secrets.open(row.app_secret_enc), verifyToken: row.verify_token };
      } catch (error) {
        log.warn('connections: the app secret cannot be opened on this computer', {
          connectionId,
          reason: error instanceof Error ? error.message : 'unknown',
        });
        return undefined;
      }
      secretsCache.set(connectionId, found);
      return found;
    },

    markNeedsReauth,

    /** For the status bar: 'off' without connections, 'degraded'/'down' when some/all cannot send. */
    health(): ComponentHealth {
      if (!db.open) return { state: 'off', detail: 'The database is closed.' };
      const rows = repo.listAllConnections().filter((row) => row.status !== 'disabled');
      if (rows.length === 0) return { state: 'off', detail: 'No connection set up yet.' };
      const problems: string[] = [];
      let usable = 0;
      for (const row of rows) {
        if (row.status === 'needs_reauth') {
          problems.push(`“${row.name}” needs a new access token (Settings → Connections).`);
        } else if (pool.baseUrlOf(row) === undefined) {
          problems.push(`The Sandbox “${row.name}” is not running.`);
        } else {
          usable += 1;
        }
      }
      if (problems.length === 0) return { state: 'ok' };
      return { state: usable === 0 ? 'down' : 'degraded', detail: problems.join(' ') };
    },

    /** Inserts the Sandbox connection (kind 'sandbox'); the caller runs it inside its seeding transaction. */
    insertSandboxConnection(input: NewSandboxConnection): string {
      const at = now();
      const id = newId(at);
      try {
        repo.insertConnection({
          id,
          workspace_id: input.workspaceId,
          kind: 'sandbox',
          name: input.name,
          phone_number_id: input.phoneNumberId,
          waba_id: input.wabaId,
          display_phone_number: input.displayPhoneNumber,
          api_version: DEFAULT_API_VERSION,
          token_enc: secrets.seal(input.accessToken),
          app_secret_enc: secrets.seal(input.appSecret),
          verify_token: input.verifyToken,
          rate_limit_per_minute: DEFAULT_RATE_LIMIT_PER_MINUTE,
          now: at,
        });
      } catch (error) {
        if (isUniqueViolation(error))
          throw new AppError('CONFLICT', 'The Sandbox connection already exists.');
        throw error;
      }
      return id;
    },

    /** Opens a connection's sealed access token; main process only (the Sandbox starts its simulator with it). */
    openToken(row: ConnectionRow): string {
      return secrets.open(row.token_enc);
    },

    openAppSecret(row: ConnectionRow): string {
      return secrets.open(row.app_secret_enc);
    },

    announce,

    onConnectionRemoved(listener: (row: ConnectionRow) => void): () => void {
      removedListeners.add(listener);
      return () => removedListeners.delete(listener);
    },
  };
}
