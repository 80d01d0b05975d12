// The connections module as the core sees it: workspaces and connections (service), their IPC handlers,
// one rate-limited WhatsAppClient per connection, the secrets the webhook server checks signatures with,
// and the component health for the status bar. The Sandbox (sandbox.ts) attaches itself here once its
// simulator runs.
import type {
  PhoneThread,
  PhoneThreadRequest,
  SimulateMessageInput,
} from '../../src-preload/connections.contract';
import type { Db } from '../db/open';
import type { EventBus } from '../events';
import { AppError } from '../ipc/errors';
import type { Handlers } from '../ipc/router';
import type { Logger } from '../log';
import type { RateLimiter } from '../ratelimit/types';
import type { SecretBox } from '../secrets/secretBox';
import type { SettingsStore } from '../settings/settings.repo';
import type { WhatsAppClient } from '../whatsapp/client';
import { ClientPool } from './clientPool';
import { bindConnections } from './connections.ipc';
import { createConnectionsRepo } from './connections.repo';
import {
  createConnectionsService,
  type ComponentHealth,
  type ConnectionSecrets,
  type ConnectionsService,
} from './connections.service';

export interface ConnectionsModuleOptions {
  db: Db;
  secrets: SecretBox;
  /** The process-wide limiter: every client takes its connection's slot from it before each request. */
  limiter: RateLimiter;
  log: Logger;
  events: EventBus;
  settings: SettingsStore;
  now?: () => number;
  /** Base URL for 'cloud' connections; default https://graph.facebook.com (tests: a simulator). */
  graphBaseUrl?: string;
  /** Per-request timeout of the shared clients (default: the client's 20 s). */
  clientTimeoutMs?: number;
  /** Per-request timeout of "Test connection" (default 15 s). */
  testTimeoutMs?: number;
}

/** What the running Sandbox gives the module: where its simulator listens, and its message injector. */
export interface SandboxAttachment {
  connectionId: string;
  baseUrl: string;
  simulate(input: SimulateMessageInput): { wamid: string; from: string };
  phoneThread(input: PhoneThreadRequest): PhoneThread;
}

export interface ConnectionsModule {
  readonly service: ConnectionsService;
  readonly handlers: Partial<Handlers>;
  /** The connection's shared client. Throws AppError NOT_FOUND / UNAVAILABLE (Sandbox not running). */
  clientFor(connectionId: string): WhatsAppClient;
  /** The app secret and verify token, for the webhook server; undefined for an unknown connection. */
  secretsFor(connectionId: string): ConnectionSecrets | undefined;
  health(): ComponentHealth;
  /** Called by the Sandbox; returns the detach function. */
  attachSandbox(attachment: SandboxAttachment): () => void;
  simulateCustomerMessage(input: SimulateMessageInput): { wamid: string; from: string };
  sandboxPhoneThread(input: PhoneThreadRequest): PhoneThread;
  /** Closes every client's sockets. The database and limiter belong to the caller. */
  close(): void;
}

export function createConnectionsModule(options: ConnectionsModuleOptions): ConnectionsModule {
  const now = options.now ?? Date.now;
  const repo = createConnectionsRepo(options.db);
  const pool = new ClientPool({
    limiter: options.limiter,
    secrets: options.secrets,
    ...(options.graphBaseUrl !== undefined ? { graphBaseUrl: options.graphBaseUrl } : {}),
    ...(options.clientTimeoutMs !== undefined ? { timeoutMs: options.clientTimeoutMs } : {}),
    // Called on a request's answer, never during construction, so `connections` is set by then.
    onAuthFailure: (connectionId, tokenEnc, error) =>
      connections.markNeedsReauth(connectionId, tokenEnc, error),
  });
  const connections: ConnectionsService = createConnectionsService({
    db: options.db,
    repo,
    pool,
    secrets: options.secrets,
    settings: options.settings,
    log: options.log,
    events: options.events,
    now,
    ...(options.testTimeoutMs !== undefined ? { testTimeoutMs: options.testTimeoutMs } : {}),
  });
  let sandbox: SandboxAttachment | undefined;

  const simulateCustomerMessage = (input: SimulateMessageInput): { wamid: string; from: string } => {
    if (!sandbox) {
      throw new AppError('UNAVAILABLE', 'The Sandbox is not running, so there is no customer to simulate.');
    }
    if (input.connectionId !== undefined && input.connectionId !== sandbox.connectionId) {
      throw new AppError('BAD_REQUEST', 'Only the Sandbox connection can simulate customer messages.');
    }
    return sandbox.simulate(input);
  };

  const sandboxPhoneThread = (input: PhoneThreadRequest): PhoneThread => {
    if (!sandbox) {
      throw new AppError('UNAVAILABLE', 'The Sandbox is not running, so there is no customer phone to show.');
    }
    if (input.connectionId !== undefined && input.connectionId !== sandbox.connectionId) {
      throw new AppError('BAD_REQUEST', 'Only the Sandbox connection has a simulated customer phone.');
    }
    return sandbox.phoneThread(input);
  };

  return {
    service: connections,
    handlers: bindConnections({ service: connections, simulateCustomerMessage, sandboxPhoneThread }),
    clientFor: (connectionId) => connections.clientFor(connectionId),
    secretsFor: (connectionId) => connections.secretsFor(connectionId),
    health: () => connections.health(),
    attachSandbox(attachment) {
      sandbox = attachment;
      pool.setSandboxBase(attachment.connectionId, attachment.baseUrl);
      connections.announce(connections.connectionRow(attachment.connectionId)?.workspace_id ?? null, [
        attachment.connectionId,
      ]);
      return () => {
        if (sandbox !== attachment) return;
        sandbox = undefined;
        pool.setSandboxBase(attachment.connectionId, null);
        if (options.db.open) {
          connections.announce(connections.connectionRow(attachment.connectionId)?.workspace_id ?? null, [
            attachment.connectionId,
          ]);
        }
      };
    },
    simulateCustomerMessage,
    sandboxPhoneThread,
    close() {
      pool.close();
    },
  };
}
