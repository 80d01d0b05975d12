// The Sandbox: a WhatsApp number backed by the embedded Cloud API simulator, so a newcomer without a
// Meta account can try every screen on day one.
//
// First start (one IMMEDIATE transaction, so two starts can never both seed): a workspace if there is
// none, a connection of kind 'sandbox' whose credentials (app secret, verify token, access token, ids)
// are generated once and stored sealed, demo contacts, and the sample templates. Every start: the
// simulator on 127.0.0.1 port 0 with those stored credentials, its callback URL pointed at the local
// webhook server, and its base URL handed to the connections module so clientFor() reaches it.
//
// The simulator keeps its templates in memory; the Sandbox stores a snapshot in settings (every few
// seconds when changed, and on close), so templates created in the Sandbox survive a restart.
import { randomBytes } from 'node:crypto';
import type {
  PhoneThread,
  PhoneThreadRequest,
  SimulateMessageInput,
} from '../../src-preload/connections.contract';
import type { Db } from '../db/open';
import type { Logger } from '../log';
import type { SecretBox } from '../secrets/secretBox';
import type { SettingsStore } from '../settings/settings.repo';
import type {
  InboundSpec,
  Simulator,
  StatusDelays,
  TemplateRecord,
  TemplateSeed,
} from '../simulator/simulator';
import type { InboundContext } from '../simulator/inbound';
import type { ConnectionsModule } from './connections.module';
import { CURRENT_WORKSPACE_SETTING } from './connections.service';
import { phoneThreadOf } from './sandboxPhone';
import { createSandboxRepo } from './sandbox.repo';
import {
  demoContacts,
  sampleTemplates,
  SANDBOX_CONNECTION_NAME,
  SANDBOX_VERIFIED_NAME,
  SANDBOX_WORKSPACE_NAME,
} from './sandbox.seed';

/** Marks the one-time seeding as done and names the Sandbox connection. */
export const SANDBOX_SETTING = 'sandbox.connection';
export const SANDBOX_TEMPLATES_SETTING = 'sandbox.templates';

const SNAPSHOT_EVERY_MS = 5_000;
/** A few hundred ms between ticks, so sent → delivered → read moves visibly in the inbox. */
const SANDBOX_STATUS_DELAYS: StatusDelays = { sentMs: 300, deliveredMs: 900, readMs: 1800 };
const SANDBOX_AUTO_APPROVE_MS = 1_500;
/** The Sandbox runs for as long as the app does: keep the simulator's ledger bounded. */
const SANDBOX_LEDGER_RECORDS = 5_000;

export interface SandboxOptions {
  module: ConnectionsModule;
  db: Db;
  secrets: SecretBox;
  settings: SettingsStore;
  log: Logger;
  /** The local webhook server's URL for a connection: `http://127.0.0.1:<port>/webhooks/whatsapp/<id>`. */
  webhookUrlFor(connectionId: string): string;
  now?: () => number;
  /** Tests: faster or slower status ticks and template approval. */
  statusDelays?: Partial<StatusDelays>;
  autoApproveTemplatesMs?: number;
}

export interface Sandbox {
  readonly connectionId: string;
  readonly workspaceId: string;
  /** The embedded simulator (tests drive its control handle). */
  readonly simulator: Simulator;
  /** Whether this start created the Sandbox (first start) or found it. */
  readonly created: boolean;
  simulateCustomerMessage(input: SimulateMessageInput): { wamid: string; from: string };
  /** The chat with one simulated customer, as their phone shows it. */
  phoneThread(input: PhoneThreadRequest): PhoneThread;
  close(): Promise<void>;
}

interface SandboxMarker {
  connectionId: string;
  workspaceId: string;
  createdAt: number;
}

function readMarker(value: unknown): SandboxMarker | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { connectionId, workspaceId, createdAt } = value as Record<string, unknown>;
  if (typeof connectionId !== 'string' || typeof workspaceId !== 'string' || typeof createdAt !== 'number') {
    return undefined;
  }
  return { connectionId, workspaceId, createdAt };
}

/** Numeric ids like Meta's (§1), 15 digits, never starting with 0. */
function randomDigits(length: number): string {
  const bytes = randomBytes(length);
  let out = String(1 + ((bytes[0] ?? 0) % 9));
  for (let i = 1; i < length; i += 1) out += String((bytes[i] ?? 0) % 10);
  return out;
}

/** A template as the simulator should get it back after a restart. */
function seedOf(record: TemplateRecord): TemplateSeed | undefined {
  // Deleted ones are gone; a PENDING one would have been approved moments later had the app kept running.
  if (record.status === 'DELETED' || record.status === 'PENDING_DELETION') return undefined;
  return {
    name: record.name,
    language: record.language,
    category: record.category,
    parameter_format: record.parameter_format,
    components: record.components,
    status: record.status === 'PENDING' ? 'APPROVED' : record.status,
    quality: record.quality_score.score,
  };
}

function storedTemplates(value: unknown): TemplateSeed[] {
  return Array.isArray(value) ? (value as TemplateSeed[]) : sampleTemplates;
}

/**
 * Starts the Sandbox, creating it on the first start. Returns null when the user removed the Sandbox
 * connection: it is not re-created behind their back.
 */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox | null> {
  const { module, db, secrets, settings, log } = options;
  const now = options.now ?? Date.now;
  const service = module.service;
  const sandboxRepo = createSandboxRepo(db);

  const seeded = db
    .transaction((): { marker: SandboxMarker; created: boolean } => {
      const existing = readMarker(settings.get(SANDBOX_SETTING));
      if (existing) return { marker: existing, created: false };
      let workspaceId = service.currentWorkspaceId();
      if (workspaceId === null) {
        workspaceId = service.insertWorkspace(SANDBOX_WORKSPACE_NAME).id;
        settings.set(CURRENT_WORKSPACE_SETTING, workspaceId);
      }
      const connectionId = service.insertSandboxConnection({
        workspaceId,
        name: SANDBOX_CONNECTION_NAME,
        phoneNumberId: randomDigits(15),
        wabaId: randomDigits(15),
        // US 555-01xx: a fictional number (digits only, §9).
        displayPhoneNumber: `1555010${randomDigits(4)}`,
        accessToken: `EAAG${randomBytes(48).toString('base64url')}`,
        // Meta's app secrets are 32 hex characters.
        appSecret: randomBytes(16).toString('hex'),
        verifyToken: randomBytes(24).toString('base64url'),
      });
      sandboxRepo.insertDemoContacts(workspaceId, demoContacts, now());
      settings.set(SANDBOX_TEMPLATES_SETTING, sampleTemplates);
      const marker: SandboxMarker = { connectionId, workspaceId, createdAt: now() };
      settings.set(SANDBOX_SETTING, marker);
      return { marker, created: true };
    })
    .immediate();
  const { marker, created } = seeded;
  if (created) {
    log.info('sandbox: created', { connectionId: marker.connectionId, workspaceId: marker.workspaceId });
    service.announce(marker.workspaceId, [marker.connectionId]);
  }

  const row = service.connectionRow(marker.connectionId);
  if (!row) {
    log.info('sandbox: the Sandbox connection was removed; not starting it', {
      connectionId: marker.connectionId,
    });
    return null;
  }

  // Loaded here, not with the core: the simulator is a sixth of the core's code, and the browser host
  // starts the Sandbox only after its first paint (startup/firstPaintGate.ts).
  const { startSimulator } = await import('../simulator/simulator');
  const simulator = await startSimulator({
    port: 0,
    appSecret: secrets.open(row.app_secret_enc),
    verifyToken: row.verify_token,
    accessToken: secrets.open(row.token_enc),
    wabaId: row.waba_id,
    phoneNumberId: row.phone_number_id,
    ...(row.display_phone_number !== null ? { displayPhoneNumber: row.display_phone_number } : {}),
    verifiedName: SANDBOX_VERIFIED_NAME,
    statusDelays: { ...SANDBOX_STATUS_DELAYS, ...options.statusDelays },
    autoApproveTemplatesMs: options.autoApproveTemplatesMs ?? SANDBOX_AUTO_APPROVE_MS,
    callbackUrl: options.webhookUrlFor(row.id),
    maxLedgerRecords: SANDBOX_LEDGER_RECORDS,
  });

  for (const seed of storedTemplates(settings.get(SANDBOX_TEMPLATES_SETTING))) {
    try {
      simulator.control.seedTemplate(seed);
    } catch (error) {
      // A damaged snapshot entry costs that one template, not the Sandbox.
      log.warn('sandbox: skipped a stored template', {
        reason: error instanceof Error ? error.message : 'unknown',
      });
    }
  }

  let lastSnapshot = JSON.stringify(simulator.control.templates().map(seedOf));
  const saveTemplates = (): void => {
    if (!db.open) return;
    const seeds = simulator.control.templates().map(seedOf);
    const serialized = JSON.stringify(seeds);
    if (serialized === lastSnapshot) return;
    settings.set(
      SANDBOX_TEMPLATES_SETTING,
      seeds.filter((seed) => seed !== undefined),
    );
    lastSnapshot = serialized;
  };
  const snapshotTimer = setInterval(() => {
    try {
      saveTemplates();
    } catch (error) {
      log.warn('sandbox: could not save the templates snapshot', { error });
    }
  }, SNAPSHOT_EVERY_MS);
  snapshotTimer.unref();

  const defaultCustomer = demoContacts[0];
  const simulateCustomerMessage = (input: SimulateMessageInput): { wamid: string; from: string } => {
    const digits = (input.from ?? defaultCustomer?.phoneE164 ?? '+14155550123').replace(/\D/g, '');
    const known = demoContacts.find((contact) => contact.phoneE164 === `+${digits}`);
    const profileName = input.profileName ?? known?.name;
    // §6: `context.from` is whoever sent the quoted message: the business for a wamid it sent, else
    // the customer quoting their own message.
    const quoting = (wamid: string): InboundContext => ({
      from: simulator.ledger.get(wamid) ? simulator.displayPhoneNumber : digits,
      id: wamid,
    });
    const common = {
      from: digits,
      ...(profileName !== undefined ? { profileName } : {}),
      ...(input.sentMinutesAgo !== undefined ? { timestamp: now() - input.sentMinutesAgo * 60_000 } : {}),
      ...(input.replyTo !== undefined ? { context: quoting(input.replyTo) } : {}),
    };
    let spec: InboundSpec;
    switch (input.type) {
      case 'text':
        spec = { ...common, type: 'text', text: { body: input.text } };
        break;
      case 'image':
        spec = {
          ...common,
          type: 'image',
          image: input.caption !== undefined ? { caption: input.caption } : {},
        };
        break;
      case 'video':
        spec = {
          ...common,
          type: 'video',
          video: input.caption !== undefined ? { caption: input.caption } : {},
        };
        break;
      case 'audio':
        spec = { ...common, type: 'audio', audio: { voice: true } };
        break;
      case 'sticker':
        spec = { ...common, type: 'sticker', sticker: {} };
        break;
      case 'document':
        spec = {
          ...common,
          type: 'document',
          document: {
            ...(input.caption !== undefined ? { caption: input.caption } : {}),
            ...(input.filename !== undefined ? { filename: input.filename } : {}),
          },
        };
        break;
      case 'location':
        spec = {
          ...common,
          type: 'location',
          location: {
            latitude: input.latitude,
            longitude: input.longitude,
            ...(input.name !== undefined ? { name: input.name } : {}),
            ...(input.address !== undefined ? { address: input.address } : {}),
          },
        };
        break;
      case 'contacts':
        spec = {
          ...common,
          type: 'contacts',
          contacts: [
            {
              name: { formatted_name: input.name, first_name: input.name },
              phones: [{ phone: input.phone, type: 'CELL' }],
            },
          ],
        };
        break;
      case 'reaction':
        spec = {
          ...common,
          type: 'reaction',
          reaction: {
            message_id: input.messageWamid,
            ...(input.emoji !== undefined ? { emoji: input.emoji } : {}),
          },
        };
        break;
      case 'unsupported':
        spec = { ...common, type: 'unsupported' };
        break;
      case 'interactive': {
        const reply =
          input.reply === 'button_reply'
            ? { type: 'button_reply' as const, button_reply: { id: input.id, title: input.title } }
            : {
                type: 'list_reply' as const,
                list_reply: {
                  id: input.id,
                  title: input.title,
                  ...(input.description !== undefined ? { description: input.description } : {}),
                },
              };
        spec = {
          ...common,
          type: 'interactive',
          interactive: reply,
          // §6: a reply carries the business message it answers; `from` is the business number.
          ...(input.contextWamid !== undefined
            ? { context: { from: simulator.displayPhoneNumber, id: input.contextWamid } }
            : {}),
        };
        break;
      }
    }
    const { wamid } = simulator.control.injectInbound(spec);
    log.info('sandbox: simulated a customer message', { connectionId: row.id, type: input.type });
    return { wamid, from: `+${digits}` };
  };

  const phoneThread = (input: PhoneThreadRequest): PhoneThread =>
    phoneThreadOf(simulator.ledger, simulator.phoneNumberId, input.customer.replace(/\D/g, ''));

  const detach = module.attachSandbox({
    connectionId: row.id,
    baseUrl: simulator.baseUrl,
    simulate: simulateCustomerMessage,
    phoneThread,
  });
  const stopOnRemoval = service.onConnectionRemoved((removed) => {
    if (removed.id === row.id) void close();
  });
  log.info('sandbox: started', { connectionId: row.id, baseUrl: simulator.baseUrl });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearInterval(snapshotTimer);
      stopOnRemoval();
      detach();
      try {
        if (db.open && service.connectionRow(row.id)) saveTemplates();
      } catch (error) {
        log.warn('sandbox: could not save the templates snapshot', { error });
      }
      await simulator.close();
    })();
    return closing;
  };

  return {
    connectionId: row.id,
    workspaceId: row.workspace_id,
    simulator,
    created,
    simulateCustomerMessage,
    phoneThread,
    close,
  };
}
