// Template sync, create, delete and list (whatsapp-cloud-api.md §5, §10 "Template sync").
// A sync runs under the seed lock `template_sync:connection:{id}` (5 min): a second "Sync now" while one
// runs is told so (LOCKED) instead of starting another. It also takes a slot of
// `template_sync_rate_limit:connection:{id}` (10/min) — after the lock, so refused clicks cost no slot.
// All pages are fetched first (the client follows paging.next); the rows are written in one transaction,
// so a sync that fails half-way changes nothing, and only a complete listing may mark templates DELETED.
import type {
  TemplateCreateRequest,
  TemplateSyncResult,
  TemplateView,
} from '../../src-preload/messaging.contract';
import type { Db } from '../db/open';
import type { EventBus } from '../events';
import { AppError } from '../ipc/errors';
import { lockKeys } from '../locks/keys';
import { describeHolder, type LockRegistry } from '../locks/registry';
import type { Logger } from '../log';
import { templateSyncLimit } from '../ratelimit/limits';
import type { RateLimiter } from '../ratelimit/types';
import type { WhatsAppClient } from '../whatsapp/client';
import type { WhatsAppError } from '../whatsapp/errors';
import type { MessageTemplate } from '../whatsapp/types';
import {
  createTemplatesRepo,
  toTemplateView,
  type TemplateFilter,
  type TemplateUpsert,
} from './templates.repo';

/** Over `template_sync_rate_limit`: carries when a slot frees up, for the sync jobs. */
export class TemplateSyncRateLimitedError extends AppError {
  constructor(readonly retryAfterMs: number) {
    super(
      'RATE_LIMITED',
      `Templates can be synced at most 10 times a minute; try again in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s.`,
    );
    this.name = 'TemplateSyncRateLimitedError';
  }
}

export interface TemplatesServiceOptions {
  db: Db;
  locks: LockRegistry;
  limiter: RateLimiter;
  events: EventBus;
  log: Logger;
  now: () => number;
  clientFor(connectionId: string): WhatsAppClient;
}

/** A Meta failure as an AppError with the plain advice first. */
export function appErrorFromWhatsApp(error: WhatsAppError, what: string): AppError {
  const detail = error.details ?? error.message;
  switch (error.kind) {
    case 'RATE_LIMITED':
    case 'PAIR_RATE_LIMITED':
      return new AppError('RATE_LIMITED', `${what}: ${error.advice} (${detail})`);
    case 'TRANSIENT':
    case 'UNKNOWN_OUTCOME':
      return new AppError('UNAVAILABLE', `${what}: ${error.advice} (${detail})`);
    case 'AUTH':
      return new AppError('FORBIDDEN', `${what}: ${error.advice}`);
    case 'OUTSIDE_WINDOW':
    case 'TEMPLATE_PARAM_MISMATCH':
    case 'TEMPLATE_NOT_FOUND':
    case 'TEMPLATE_TEXT_TOO_LONG':
    case 'TEMPLATE_POLICY':
    case 'TEMPLATE_FORMAT_MISMATCH':
    case 'TEMPLATE_PAUSED':
    case 'TEMPLATE_DISABLED':
    case 'FATAL':
      return new AppError('BAD_REQUEST', `${what}: ${error.advice} (${detail})`);
  }
}

/** §5: language is `en_US` in REST but may be `en-US` in webhooks; the table keeps the REST form. */
export function normaliseLanguage(language: string): string {
  return language.replace('-', '_');
}

function toUpsert(connectionId: string, template: MessageTemplate, syncedAt: number): TemplateUpsert {
  // §5: parameter_format's case is unverified; the table stores it upper-case, POSITIONAL by default.
  const format =
    (template.parameter_format ?? 'POSITIONAL').toUpperCase() === 'NAMED' ? 'NAMED' : 'POSITIONAL';
  return {
    connectionId,
    metaTemplateId: template.id,
    name: template.name,
    language: normaliseLanguage(template.language),
    category: template.category ?? 'UNKNOWN',
    status: template.status,
    parameterFormat: format,
    components: template.components ?? [],
    qualityScore: template.quality_score?.score ?? null,
    rejectedReason: template.rejected_reason ?? null,
    syncedAt,
  };
}

export function createTemplatesService(options: TemplatesServiceOptions) {
  const { db, locks, limiter, events, log, now } = options;
  const repo = createTemplatesRepo(db);
  const connectionExists = db.prepare<[string], { id: string }>('SELECT id FROM connections WHERE id = ?');

  const requireConnection = (connectionId: string): void => {
    if (!connectionExists.get(connectionId)) {
      throw new AppError('NOT_FOUND', 'That connection no longer exists.');
    }
  };

  async function sync(connectionId: string): Promise<TemplateSyncResult> {
    requireConnection(connectionId);
    const spec = lockKeys.templateSync(connectionId);
    const acquired = locks.tryAcquire(spec);
    if (!acquired.ok) throw new AppError('LOCKED', describeHolder(acquired.holder, now()));
    try {
      const limit = templateSyncLimit(connectionId);
      const slot = limiter.tryTake(limit.key, limit.rule);
      if (!slot.ok) throw new TemplateSyncRateLimitedError(slot.retryAfterMs);
      const startedAt = now();
      const client = options.clientFor(connectionId);
      const listed = await client.listAllTemplates();
      if (!listed.ok) throw appErrorFromWhatsApp(listed.error, 'Template sync failed');
      if (!locks.isHeld(acquired.key, acquired.token)) {
        // The lock ran out (5 min) and another sync may be writing: this one's listing is older.
        throw new AppError('CONFLICT', 'The template sync took too long and was superseded; sync again.');
      }
      const at = now();
      const { upserted, markedDeleted } = db
        .transaction(() => {
          for (const template of listed.value) repo.upsert(toUpsert(connectionId, template, startedAt), at);
          return {
            upserted: listed.value.length,
            markedDeleted: repo.markMissingDeleted(connectionId, startedAt, at),
          };
        })
        .immediate();
      const result: TemplateSyncResult = {
        connectionId,
        fetched: listed.value.length,
        upserted,
        markedDeleted,
        startedAt,
        finishedAt: now(),
      };
      log.info('templates: synced', { ...result });
      events.emit('templates:synced', result);
      return result;
    } finally {
      locks.release(acquired.key, acquired.token);
    }
  }

  return {
    repo,
    sync,

    list(filter: TemplateFilter): TemplateView[] {
      requireConnection(filter.connectionId);
      return repo.list(filter).map(toTemplateView);
    },

    /** Submits a template to Meta; it shows PENDING until Meta approves it (a webhook or the next sync). */
    async create(request: TemplateCreateRequest): Promise<TemplateView> {
      const { connectionId, ...definition } = request;
      requireConnection(connectionId);
      const language = normaliseLanguage(definition.language);
      const created = await options.clientFor(connectionId).createTemplate({ ...definition, language });
      if (!created.ok) throw appErrorFromWhatsApp(created.error, 'Meta did not accept the template');
      const at = now();
      repo.upsert(
        {
          connectionId,
          metaTemplateId: created.value.id,
          name: definition.name,
          language,
          category: created.value.category ?? definition.category,
          status: created.value.status,
          parameterFormat: definition.parameter_format === 'named' ? 'NAMED' : 'POSITIONAL',
          components: definition.components,
          qualityScore: null,
          rejectedReason: null,
          syncedAt: at,
        },
        at,
      );
      const row = repo.get(connectionId, definition.name, language);
      if (!row) throw new Error('The created template row is missing');
      return toTemplateView(row);
    },

    /** §5: by name removes every language; with a language only that version (by its hsm_id). */
    async delete(connectionId: string, name: string, language?: string): Promise<{ deleted: number }> {
      requireConnection(connectionId);
      let hsmId: string | undefined;
      const lang = language !== undefined ? normaliseLanguage(language) : null;
      if (lang !== null) {
        const row = repo.get(connectionId, name, lang);
        if (!row?.meta_template_id) {
          throw new AppError('NOT_FOUND', `There is no template ${name} in ${lang}; sync templates first.`);
        }
        hsmId = row.meta_template_id;
      }
      const result = await options
        .clientFor(connectionId)
        .deleteTemplate(hsmId !== undefined ? { name, hsmId } : { name });
      if (!result.ok) throw appErrorFromWhatsApp(result.error, 'Meta did not delete the template');
      return { deleted: repo.markDeleted(connectionId, name, lang, now()) };
    },
  };
}

export type TemplatesService = ReturnType<typeof createTemplatesService>;
