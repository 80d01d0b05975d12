// Campaign rules and transactions: create / edit drafts, start, schedule, pause, resume, cancel,
// preflight, per-recipient results, CSV export and retargeting. No electron, no http: the runner
// (campaigns.runner.ts) does the sending; this module decides when it may.
//
// Starting is a conditional UPDATE (draft/scheduled → running) and the runner job is enqueued in the
// same transaction with a unique key, so ten concurrent "Send now" calls give one transition and one
// job; the runner's lock covers the rest.
import { appendFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  campaignDownloadPath,
  type Audience,
  type CampaignContent,
  type CampaignDraft,
  type CampaignExportResult,
  type CampaignView,
  type AudiencePreview,
  type PreflightExample,
  type PreflightProblem,
  type PreflightReport,
  type RecipientsPage,
  type RecipientView,
  type RetargetKind,
  type ExclusionCounts,
} from '../../src-preload/campaigns.contract';
import { csvLine, escapeFormula, UTF8_BOM } from '../contacts/csv/csvWrite';
import { newId } from '../db/ids';
import type { Db } from '../db/open';
import type { EventBus } from '../events';
import { AppError } from '../ipc/errors';
import type { Logger } from '../log';
import type { JobQueue } from '../queue/runner';
import { normaliseLanguage } from '../templates/templates.service';
import type { TemplatesService } from '../templates/templates.service';
import type { TemplateRow } from '../templates/templates.repo';
import type { WhatsAppClient } from '../whatsapp/client';
import { describeErrorCode } from '../whatsapp/errors';
import { resolveAudience, usableImport } from './audience';
import { recipientStateOf, type CampaignRow, type CampaignsRepo, type DraftColumns } from './campaigns.repo';
import { runJobKey, runJobType } from './campaigns.runner';
import { campaignProblems, renderFor, templateShape } from './render';

export const scheduleJobType = 'campaigns.scheduled-start';
/** A schedule that fires more than this late (the app was closed) waits for the user to confirm. */
export const LATE_GRACE_MS = 5 * 60_000;
export { MARKETING_CAP_RETRY_MS } from './campaigns.repo';

const sendableStatuses = new Set(['APPROVED', 'REINSTATED', 'FLAGGED']);
/** §4: unique users per rolling 24 h outside service windows, per business portfolio. */
const tierCaps: Record<string, number | null> = {
  TIER_250: 250,
  TIER_2K: 2_000,
  TIER_10K: 10_000,
  TIER_100K: 100_000,
  TIER_UNLIMITED: null,
};
const EXAMPLES = 5;

export interface CampaignsServiceOptions {
  db: Db;
  repo: CampaignsRepo;
  queue: JobQueue;
  events: EventBus;
  log: Logger;
  now: () => number;
  dataDir: string;
  templates: Pick<TemplatesService, 'sync' | 'repo'>;
  clientFor(connectionId: string): WhatsAppClient;
  currentWorkspaceId(): string | null;
}

interface ConnectionInfo {
  id: string;
  workspace_id: string;
  rate_limit_per_minute: number;
  rate_limit_per_second: number | null;
}

export function ratePerSecondOf(
  connection: Pick<ConnectionInfo, 'rate_limit_per_minute' | 'rate_limit_per_second'>,
): number {
  return connection.rate_limit_per_second ?? connection.rate_limit_per_minute / 60;
}

export function createCampaignsService(options: CampaignsServiceOptions) {
  const { db, repo, queue, events, log, now } = options;
  const connectionById = db.prepare<[string], ConnectionInfo>(
    'SELECT id, workspace_id, rate_limit_per_minute, rate_limit_per_second FROM connections WHERE id = ?',
  );
  const exportsDir = join(options.dataDir, 'campaign-exports');

  const changed = (campaignId: string): void =>
    events.emit('campaigns:changed', { campaignIds: [campaignId] });

  function workspaceId(requested?: string): string {
    const id = requested ?? options.currentWorkspaceId();
    if (!id) throw new AppError('NOT_FOUND', 'Create a workspace and connect a number first.');
    return id;
  }

  function requireCampaign(id: string): CampaignRow {
    const row = repo.get(id);
    if (!row) throw new AppError('NOT_FOUND', 'That campaign no longer exists.');
    return row;
  }

  function requireConnection(id: string): ConnectionInfo {
    const row = connectionById.get(id);
    if (!row) throw new AppError('NOT_FOUND', 'That connection no longer exists.');
    return row;
  }

  function templateOf(connectionId: string, name: string, language: string): TemplateRow | undefined {
    return options.templates.repo.get(connectionId, name, normaliseLanguage(language));
  }

  function requireSendableTemplate(connectionId: string, name: string, language: string): TemplateRow {
    const template = templateOf(connectionId, name, language);
    if (!template) {
      throw new AppError(
        'NOT_FOUND',
        `There is no template ${name} (${language}) on this number; sync templates first.`,
      );
    }
    if (!sendableStatuses.has(template.status)) {
      throw new AppError(
        'BAD_REQUEST',
        `The template ${name} (${language}) is ${template.status}; only an approved template can be sent.`,
      );
    }
    return template;
  }

  function view(row: CampaignRow): CampaignView {
    const states = repo.stateCounts(row.id);
    return {
      id: row.id,
      workspaceId: row.workspace_id,
      connectionId: row.connection_id,
      name: row.name,
      templateName: row.template_name,
      templateLanguage: row.template_language,
      status: row.status,
      statusReason: row.status_reason,
      content: JSON.parse(row.params) as CampaignContent,
      audience: JSON.parse(row.audience) as Audience,
      exclusions: row.exclusions !== null ? (JSON.parse(row.exclusions) as ExclusionCounts) : null,
      scheduledAt: row.scheduled_at,
      lateSince: row.late_since,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      unconfirmedResendAfterMs: row.unconfirmed_resend_after_ms,
      capRetry: repo.capRetryState(row.id, now()),
      counters: {
        total: row.total_count,
        sent: row.sent_count,
        delivered: row.delivered_count,
        read: row.read_count,
        replied: row.replied_count,
        failed: row.failed_count,
        pending: states.pending,
        sending: states.sending,
        unconfirmed: states.unconfirmed,
        skipped: states.skipped,
        accepted: states.accepted,
      },
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  /** The stored form of a draft checked against its template (create and edit write the same columns). */
  const draftColumns = (id: string, draft: CampaignDraft, template: TemplateRow): DraftColumns => ({
    id,
    connectionId: draft.connectionId,
    templateId: template.id,
    templateName: template.name,
    templateLanguage: template.language,
    name: draft.name,
    params: JSON.stringify(draft.content),
    audience: JSON.stringify(draft.audience),
    resendAfter: draft.unconfirmedResendAfterMs ?? null,
    now: now(),
  });

  function checkDraft(draft: CampaignDraft): { connection: ConnectionInfo; template: TemplateRow } {
    const connection = requireConnection(draft.connectionId);
    const current = options.currentWorkspaceId();
    if (current !== null && connection.workspace_id !== current) {
      throw new AppError('BAD_REQUEST', 'That number belongs to another workspace.');
    }
    const template = requireSendableTemplate(draft.connectionId, draft.templateName, draft.templateLanguage);
    if (draft.audience.kind === 'retarget') requireCampaign(draft.audience.campaignId);
    if (draft.audience.kind === 'import') usableImport(db, connection.workspace_id, draft.audience.importId);
    return { connection, template };
  }

  function enqueueRun(campaignId: string): void {
    queue.enqueue(runJobType, { campaignId }, { uniqueKey: runJobKey(campaignId) });
  }

  function start(campaignId: string): CampaignView {
    const row = db
      .transaction(() => {
        const campaign = requireCampaign(campaignId);
        if (campaign.status === 'running') return campaign;
        if (campaign.status !== 'draft' && campaign.status !== 'scheduled') {
          throw new AppError(
            'CONFLICT',
            campaign.status === 'paused'
              ? 'This campaign is paused: resume it instead.'
              : `This campaign is ${campaign.status} and cannot be sent again; retarget it instead.`,
          );
        }
        requireSendableTemplate(campaign.connection_id, campaign.template_name, campaign.template_language);
        if (repo.setRunning(campaignId, now())) enqueueRun(campaignId);
        return requireCampaign(campaignId);
      })
      .immediate();
    changed(campaignId);
    return view(row);
  }

  async function preflight(campaignId: string): Promise<PreflightReport> {
    const campaign = requireCampaign(campaignId);
    const connection = requireConnection(campaign.connection_id);
    const problems: PreflightProblem[] = [];
    let syncNote: string | null = null;
    try {
      await options.templates.sync(campaign.connection_id);
    } catch (error) {
      syncNote = `Templates could not be synced just now (${error instanceof Error ? error.message : String(error)}); the last synced copy was checked.`;
    }
    const template = templateOf(campaign.connection_id, campaign.template_name, campaign.template_language);
    const content = JSON.parse(campaign.params) as CampaignContent;
    const audience = resolveAudience(db, campaign.workspace_id, JSON.parse(campaign.audience) as Audience);
    // A template problem blocks everyone: the first few recipients show who would not get the message.
    const blockedBy = (value: string): PreflightExample[] =>
      audience.contacts.slice(0, EXAMPLES).map((c) => ({ name: c.name, phone: c.phone_e164, value }));
    if (!template) {
      problems.push({
        code: 'TEMPLATE_NOT_FOUND',
        severity: 'error',
        message: `The template ${campaign.template_name} (${campaign.template_language}) is not on this number any more.`,
        count: 1,
        examples: [],
        recipients: blockedBy(`template ${campaign.template_name} is not on this number`),
      });
    } else if (!sendableStatuses.has(template.status)) {
      const paused = template.status === 'PAUSED' || template.status === 'DISABLED';
      problems.push({
        code: paused ? 'TEMPLATE_PAUSED' : 'TEMPLATE_NOT_APPROVED',
        severity: 'error',
        message: `The template is ${template.status}; ${paused ? 'Meta stopped it for quality: wait or choose another template.' : 'only an approved template can be sent.'}`,
        count: 1,
        examples: [],
        recipients: blockedBy(`template ${campaign.template_name} is ${template.status}`),
      });
    }
    const samples: { phone: string; body: string }[] = [];
    let sendable = 0;
    if (template) {
      const shape = templateShape(template);
      for (const problem of campaignProblems(shape, content)) {
        problems.push({
          code: problem.code,
          severity: 'error',
          message: problem.message,
          count: 1,
          examples: problem.examples,
          recipients: [],
        });
      }
      const perCode = new Map<
        string,
        { count: number; examples: string[]; recipients: PreflightExample[] }
      >();
      for (const contact of audience.contacts) {
        const rendered = renderFor(shape, content, contact);
        if (rendered.ok) {
          sendable++;
          if (samples.length < 3) samples.push({ phone: contact.phone_e164, body: rendered.body });
          continue;
        }
        const entry = perCode.get(rendered.problem.code) ?? { count: 0, examples: [], recipients: [] };
        entry.count++;
        if (entry.examples.length < EXAMPLES) {
          entry.examples.push(`${contact.phone_e164}: ${rendered.problem.detail}`);
          entry.recipients.push({
            name: contact.name,
            phone: contact.phone_e164,
            value: rendered.problem.detail,
          });
        }
        perCode.set(rendered.problem.code, entry);
      }
      for (const [code, entry] of perCode) {
        problems.push({
          code: code as PreflightProblem['code'],
          severity: 'warning',
          message:
            code === 'EMPTY_VARIABLE'
              ? `${entry.count} recipient(s) have an empty variable and no fallback; they will be skipped.`
              : `${entry.count} recipient(s) would get a message that is too long; they will be skipped.`,
          count: entry.count,
          examples: entry.examples,
          recipients: entry.recipients,
        });
      }
    }
    const fromFile = audience.csv ? ` (rows of ${audience.csv.fileName}; see its rejects file)` : '';
    const exclusionProblems: [keyof ExclusionCounts, PreflightProblem['code'], string][] = [
      ['optedOut', 'OPTED_OUT', 'contact(s) opted out and will not get this campaign'],
      [
        'invalid',
        'INVALID_NUMBER',
        `contact(s) have a number that is not a valid phone number and are left out${fromFile}`,
      ],
      ['duplicate', 'DUPLICATE', `contact(s) are duplicates and are sent once${fromFile}`],
      ['rejectedRows', 'REJECTED_ROWS', `row(s) of the file were not imported and are left out${fromFile}`],
      ['missing', 'MISSING_CONTACT', 'contact(s) no longer exist and are left out'],
    ];
    for (const [key, code, words] of exclusionProblems) {
      const count = audience.exclusions[key] ?? 0;
      if (count > 0) {
        problems.push({
          code,
          severity: 'warning',
          message: `${count} ${words}.`,
          count,
          examples: audience.examples[key],
          recipients:
            key === 'optedOut' || key === 'invalid' || key === 'duplicate'
              ? audience.exampleRecipients[key]
              : [],
        });
      }
    }
    if (audience.contacts.length === 0) {
      problems.push({
        code: 'EMPTY_AUDIENCE',
        severity: 'error',
        message: 'Nobody to send to: the audience is empty after exclusions.',
        count: 0,
        examples: [],
        recipients: [],
      });
    }
    repo.setExclusions(campaignId, JSON.stringify(audience.exclusions), now());

    const ratePerSecond = ratePerSecondOf(connection);
    let messagingTier: string | null = null;
    let tierWarning: string | null = null;
    try {
      const info = await options
        .clientFor(campaign.connection_id)
        .getPhoneNumber(['whatsapp_business_manager_messaging_limit']);
      if (info.ok) messagingTier = info.value.whatsapp_business_manager_messaging_limit ?? null;
      else tierWarning = `The messaging tier could not be read (${info.error.advice}).`;
    } catch (error) {
      tierWarning = `The messaging tier could not be read (${error instanceof Error ? error.message : String(error)}).`;
    }
    const tierDailyCap = messagingTier !== null ? (tierCaps[messagingTier] ?? null) : null;
    if (tierDailyCap !== null && sendable > tierDailyCap) {
      tierWarning = `Your messaging tier (${messagingTier}) allows ${tierDailyCap.toLocaleString('en-US')} unique customers per 24 hours outside open conversations; this campaign has ${sendable.toLocaleString('en-US')}. Meta will refuse the rest (§4).`;
    }
    return {
      campaignId,
      templateStatus: template?.status ?? null,
      costCategory: template?.category ?? null,
      templateSyncedAt: template?.synced_at ?? null,
      syncNote,
      recipients: sendable,
      exclusions: audience.exclusions,
      problems,
      samples,
      ratePerSecond,
      etaSeconds: Math.ceil(sendable / Math.max(ratePerSecond, 1 / 60)),
      messagingTier,
      tierDailyCap,
      tierWarning,
      canSend: sendable > 0 && !problems.some((p) => p.severity === 'error'),
    };
  }

  function toRecipientView(row: ReturnType<CampaignsRepo['recipientsPage']>['rows'][number]): RecipientView {
    return {
      id: row.id,
      contactId: row.contact_id,
      phone: row.phone_e164,
      name: row.name,
      state: recipientStateOf(row),
      errorCode: row.error_code,
      errorMessage: row.error_message,
      advice: row.error_code !== null ? describeErrorCode(row.error_code).advice : null,
      attempts: row.attempts,
      statusAt: row.status_at,
      repliedAt: row.replied_at,
      retryAfter: row.status === 'failed' ? row.retry_after : null,
    };
  }

  function create(draft: CampaignDraft, extra?: { retargetOf?: string }): CampaignView {
    const { template } = checkDraft(draft);
    const id = newId(now());
    repo.insert({
      ...draftColumns(id, draft, template),
      workspaceId: requireConnection(draft.connectionId).workspace_id,
    });
    if (extra?.retargetOf) log.info('campaigns: retarget created', { id, of: extra.retargetOf });
    changed(id);
    return view(requireCampaign(id));
  }

  return {
    list(requestedWorkspace?: string): CampaignView[] {
      return repo.list(workspaceId(requestedWorkspace)).map(view);
    },
    get: (campaignId: string): CampaignView => view(requireCampaign(campaignId)),
    create: (draft: CampaignDraft): CampaignView => create(draft),
    update(campaignId: string, draft: CampaignDraft): CampaignView {
      requireCampaign(campaignId);
      const { template } = checkDraft(draft);
      const updated = repo.updateDraft(draftColumns(campaignId, draft, template));
      if (!updated) throw new AppError('CONFLICT', 'Only a draft or a scheduled campaign can be edited.');
      changed(campaignId);
      return view(requireCampaign(campaignId));
    },
    delete(campaignId: string): { deleted: boolean } {
      requireCampaign(campaignId);
      if (!repo.remove(campaignId)) {
        throw new AppError('CONFLICT', 'A running or paused campaign cannot be deleted; cancel it first.');
      }
      changed(campaignId);
      return { deleted: true };
    },
    preflight,
    /** What an audience comes to for a number's workspace, before anything is saved. */
    previewAudience(connectionId: string, audience: Audience): AudiencePreview {
      const connection = requireConnection(connectionId);
      const resolved = resolveAudience(db, connection.workspace_id, audience);
      return {
        contacts: resolved.contacts.length,
        exclusions: resolved.exclusions,
        examples: resolved.examples,
      };
    },
    start,
    schedule(campaignId: string, at: number): CampaignView {
      if (at <= now()) throw new AppError('BAD_REQUEST', 'Choose a time in the future, or send now.');
      db.transaction(() => {
        const campaign = requireCampaign(campaignId);
        requireSendableTemplate(campaign.connection_id, campaign.template_name, campaign.template_language);
        if (!repo.setScheduled(campaignId, at, now())) {
          throw new AppError(
            'CONFLICT',
            `This campaign is ${campaign.status}; only a draft can be scheduled.`,
          );
        }
        // Durable: the job fires once at `at`, or at the next start if the app was closed then.
        queue.enqueue(
          scheduleJobType,
          { campaignId, at },
          { runAt: at, uniqueKey: `${scheduleJobType}:${campaignId}:${at}` },
        );
      }).immediate();
      changed(campaignId);
      return view(requireCampaign(campaignId));
    },
    /** The scheduled job: start on time, or mark late and wait for the user. */
    fireSchedule(campaignId: string, at: number): void {
      const campaign = repo.get(campaignId);
      if (!campaign || campaign.status !== 'scheduled' || campaign.scheduled_at !== at) return;
      if (now() - at > LATE_GRACE_MS) {
        if (repo.setLate(campaignId, at, now())) {
          log.warn('campaigns: a schedule came due while the app was closed; waiting for confirmation', {
            campaignId,
          });
          changed(campaignId);
        }
        return;
      }
      try {
        start(campaignId);
      } catch (error) {
        const reason = error instanceof AppError ? error.message : 'The campaign could not start.';
        if (repo.setLate(campaignId, at, now()))
          log.warn('campaigns: scheduled start refused', { campaignId, reason });
        changed(campaignId);
      }
    },
    pause(campaignId: string): CampaignView {
      const campaign = requireCampaign(campaignId);
      if (campaign.status !== 'paused' && !repo.pause(campaignId, 'Paused by you.', now())) {
        throw new AppError(
          'CONFLICT',
          `This campaign is ${campaign.status}; only a sending campaign can be paused.`,
        );
      }
      changed(campaignId);
      return view(requireCampaign(campaignId));
    },
    resume(campaignId: string): CampaignView {
      db.transaction(() => {
        const campaign = requireCampaign(campaignId);
        if (campaign.status === 'running') return;
        requireSendableTemplate(campaign.connection_id, campaign.template_name, campaign.template_language);
        if (!repo.resume(campaignId, now())) {
          throw new AppError(
            'CONFLICT',
            `This campaign is ${campaign.status}; only a paused campaign can be resumed.`,
          );
        }
        enqueueRun(campaignId);
      }).immediate();
      changed(campaignId);
      return view(requireCampaign(campaignId));
    },
    cancel(campaignId: string): CampaignView {
      const campaign = requireCampaign(campaignId);
      const cancelled = db.transaction(() => repo.cancel(campaignId, now())).immediate();
      if (!cancelled && campaign.status !== 'cancelled') {
        throw new AppError('CONFLICT', `This campaign is ${campaign.status} and cannot be cancelled.`);
      }
      changed(campaignId);
      return view(requireCampaign(campaignId));
    },
    /**
     * The wait before unconfirmed sends go again, changed while the campaign can still send. On a running
     * campaign it takes effect at once: the unconfirmed sends already past the new wait are due again now
     * (a conditional UPDATE on 'unknown', so one a status webhook resolved is never resent), and a runner
     * sleeping until the old wait runs now and sleeps again by the new one. A paused campaign's runner
     * applies it when resumed; turning it off never sends more.
     */
    setResendWait(campaignId: string, ms: number | null): CampaignView {
      const campaign = requireCampaign(campaignId);
      const requeued = db
        .transaction(() => {
          const at = now();
          if (!repo.setResendWait(campaignId, ms, at)) {
            throw new AppError(
              'CONFLICT',
              `This campaign is ${repo.statusOf(campaignId) ?? campaign.status}; the resend setting of a finished campaign cannot change.`,
            );
          }
          if (ms === null || repo.statusOf(campaignId) !== 'running') return 0;
          const n = repo.requeueUnconfirmed(campaignId, at - ms, at);
          queue.expedite(runJobKey(campaignId), at);
          return n;
        })
        .immediate();
      if (requeued > 0) {
        log.warn('campaigns: unconfirmed sends past the new resend wait are sent again', {
          campaignId,
          requeued,
        });
      }
      changed(campaignId);
      return view(requireCampaign(campaignId));
    },
    /** The user's decision for unconfirmed sends: send them again (they may get the message twice). */
    resendUnconfirmed(campaignId: string): { requeued: number } {
      const requeued = db
        .transaction(() => {
          const campaign = requireCampaign(campaignId);
          const n = repo.requeueUnconfirmed(campaignId, Number.MAX_SAFE_INTEGER, now());
          if (n === 0) return 0;
          if (campaign.status === 'completed') repo.reopen(campaignId, now());
          if (campaign.status === 'running' || campaign.status === 'completed') enqueueRun(campaignId);
          return n;
        })
        .immediate();
      changed(campaignId);
      return { requeued };
    },
    /**
     * Recipients that failed with 131049 (Meta's per-user marketing cap, §3) go back to the list once
     * their 24 h have passed; before then this refuses and says when. They are sent again as new messages.
     */
    retryCapped(campaignId: string): { requeued: number } {
      const requeued = db
        .transaction(() => {
          const campaign = requireCampaign(campaignId);
          if (campaign.status === 'cancelled' || campaign.status === 'failed') {
            throw new AppError(
              'CONFLICT',
              `This campaign is ${campaign.status}: its recipients cannot be retried.`,
            );
          }
          const at = now();
          const state = repo.capRetryState(campaignId, at);
          if (state.ready === 0) {
            throw new AppError(
              'CONFLICT',
              state.nextAt !== null
                ? `Meta's marketing cap (131049) allows a retry 24 hours after the failure: the first of these ` +
                    `${state.waiting} recipient(s) can be retried from ${new Date(state.nextAt).toISOString()}.`
                : "No recipient of this campaign failed with Meta's marketing cap (131049).",
            );
          }
          const n = repo.requeueCapRetries(campaignId, at);
          if (campaign.status === 'completed') repo.reopen(campaignId, at);
          if (campaign.status === 'running' || campaign.status === 'completed') enqueueRun(campaignId);
          return n;
        })
        .immediate();
      log.info('campaigns: recipients capped by 131049 requeued', { campaignId, requeued });
      changed(campaignId);
      return { requeued };
    },
    recipients(query: {
      campaignId: string;
      state?: RecipientView['state'] | undefined;
      offset: number;
      limit: number;
    }): RecipientsPage {
      requireCampaign(query.campaignId);
      const page = repo.recipientsPage(query.campaignId, query.state, query.offset, query.limit);
      return {
        campaignId: query.campaignId,
        offset: query.offset,
        total: page.total,
        rows: page.rows.map(toRecipientView),
      };
    },
    exportResults(campaignId: string): CampaignExportResult {
      const campaign = requireCampaign(campaignId);
      mkdirSync(exportsDir, { recursive: true });
      const safeName =
        campaign.name
          .replace(/[^A-Za-z0-9_-]+/g, '-')
          .replace(/^-+|-+$/g, '')
          .slice(0, 60) || 'campaign';
      const fileId = `${safeName}-${new Date(now()).toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.csv`;
      const partial = join(exportsDir, `${fileId}.partial`);
      writeFileSync(
        partial,
        UTF8_BOM +
          csvLine([
            'phone',
            'name',
            'state',
            'error_code',
            'error',
            'advice',
            'attempts',
            'updated_at',
            'replied_at',
          ]),
      );
      let rows = 0;
      let chunk = '';
      const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString());
      for (const row of repo.allRecipients(campaignId)) {
        const v = toRecipientView(row);
        chunk += csvLine([
          v.phone,
          escapeFormula(v.name ?? ''),
          v.state,
          v.errorCode === null ? '' : String(v.errorCode),
          escapeFormula(v.errorMessage ?? ''),
          v.advice ?? '',
          String(v.attempts),
          iso(v.statusAt),
          iso(v.repliedAt),
        ]);
        rows++;
        if (chunk.length > 256 * 1024) {
          appendFileSync(partial, chunk);
          chunk = '';
        }
      }
      appendFileSync(partial, chunk);
      // Complete on disk before it gets its final name: a reader never sees half an export.
      renameSync(partial, join(exportsDir, fileId));
      return { fileId, fileName: fileId, rows, downloadUrl: campaignDownloadPath(fileId) };
    },
    downloadFile(fileId: string): { path: string; fileName: string } | undefined {
      if (!/^[A-Za-z0-9._-]{1,200}\.csv$/.test(fileId) || fileId.includes('..')) return undefined;
      const path = join(exportsDir, fileId);
      return existsSync(path) ? { path, fileName: fileId } : undefined;
    },
    retarget(campaignId: string, which: RetargetKind, name?: string): CampaignView {
      const source = requireCampaign(campaignId);
      const words = { failed: 'failed', not_read: 'not read', not_replied: 'not replied' }[which];
      return create(
        {
          name: name ?? `${source.name} — ${words}`.slice(0, 200),
          connectionId: source.connection_id,
          templateName: source.template_name,
          templateLanguage: source.template_language,
          content: JSON.parse(source.params) as CampaignContent,
          audience: { kind: 'retarget', campaignId, which },
          unconfirmedResendAfterMs: source.unconfirmed_resend_after_ms,
        },
        { retargetOf: campaignId },
      );
    },
    /** A template webhook said PAUSED / DISABLED: stop every live campaign using it (§10). */
    onTemplateStatus(event: {
      connectionId: string;
      name: string;
      language: string;
      status: string;
    }): string[] {
      if (event.status !== 'PAUSED' && event.status !== 'DISABLED') return [];
      const paused: string[] = [];
      for (const id of repo.liveWithTemplate(
        event.connectionId,
        event.name,
        normaliseLanguage(event.language),
      )) {
        const reason =
          event.status === 'PAUSED'
            ? `Meta paused the template ${event.name} for low quality; resume once it is active again, or use another template.`
            : `Meta disabled the template ${event.name} for good; use another template.`;
        if (repo.pauseLive(id, reason, now())) {
          paused.push(id);
          changed(id);
        }
      }
      if (paused.length) log.warn('campaigns: paused by a template status webhook', { ...event, paused });
      return paused;
    },
  };
}

export type CampaignsService = ReturnType<typeof createCampaignsService>;
