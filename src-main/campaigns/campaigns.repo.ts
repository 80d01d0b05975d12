// The only SQL on campaigns, campaign_recipients and campaign_messages outside the status webhooks
// (campaignStatus.repo.ts). Statements are prepared once. Every state change is a conditional UPDATE
// (`... WHERE status = 'pending'`) so a late writer can never move a row backwards, and every counter
// moves with `n = n + 1` in the transaction that moves the recipient (seed §2).
import type { RecipientState } from '../../src-preload/campaigns.contract';
import type { Db } from '../db/open';

export interface CampaignRow {
  id: string;
  workspace_id: string;
  connection_id: string;
  template_id: string | null;
  template_name: string;
  template_language: string;
  name: string;
  status: 'draft' | 'scheduled' | 'running' | 'paused' | 'completed' | 'cancelled' | 'failed';
  status_reason: string | null;
  params: string;
  audience: string;
  exclusions: string | null;
  scheduled_at: number | null;
  late_since: number | null;
  started_at: number | null;
  finished_at: number | null;
  materialized_at: number | null;
  unconfirmed_resend_after_ms: number | null;
  total_count: number;
  sent_count: number;
  delivered_count: number;
  read_count: number;
  replied_count: number;
  failed_count: number;
  created_at: number;
  updated_at: number;
}

export interface DueRecipient {
  id: string;
  contact_id: string | null;
  phone_e164: string;
  params: string;
  attempts: number;
  /** Times put back after 131049: part of the message's biz_opaque_callback_data. */
  cap_retries: number;
}

export interface RecipientRow {
  id: string;
  contact_id: string | null;
  phone_e164: string;
  name: string | null;
  status: string;
  send_started_at: number | null;
  status_at: number | null;
  error_code: number | null;
  error_message: string | null;
  replied_at: number | null;
  attempts: number;
  retry_after: number | null;
}

export interface NewRecipient {
  id: string;
  contactId: string;
  phone: string;
  params: string;
  /** 'skipped' with a reason when the recipient cannot be rendered (an empty variable, too long). */
  skipReason: string | null;
}

export interface StateCounts {
  pending: number;
  sending: number;
  accepted: number;
  unconfirmed: number;
  skipped: number;
}

/** The SQL condition of each state the UI filters by (`r` is campaign_recipients). */
const stateCondition: Record<RecipientState, string> = {
  pending: `r.status = 'pending' AND r.send_started_at IS NULL`,
  sending: `r.status = 'pending' AND r.send_started_at IS NOT NULL`,
  sent: `r.status IN ('accepted', 'sent') AND r.replied_at IS NULL`,
  delivered: `r.status = 'delivered' AND r.replied_at IS NULL`,
  read: `r.status = 'read' AND r.replied_at IS NULL`,
  replied: `r.replied_at IS NOT NULL`,
  failed: `r.status = 'failed'`,
  unconfirmed: `r.status = 'unknown'`,
  skipped: `r.status = 'skipped'`,
};

export function recipientStateOf(
  row: Pick<RecipientRow, 'status' | 'send_started_at' | 'replied_at'>,
): RecipientState {
  if (row.replied_at !== null && row.status !== 'failed') return 'replied';
  switch (row.status) {
    case 'pending':
      return row.send_started_at === null ? 'pending' : 'sending';
    case 'accepted':
    case 'sent':
      return 'sent';
    case 'delivered':
      return 'delivered';
    case 'read':
      return 'read';
    case 'failed':
      return 'failed';
    case 'unknown':
      return 'unconfirmed';
    default:
      return 'skipped';
  }
}

/** A campaign message's client id: its idempotency key and its first send's biz_opaque_callback_data (§2). */
export function campaignClientId(recipientId: string): string {
  return `campaign:${recipientId}`;
}

/**
 * The biz_opaque_callback_data of a recipient's message: the client id, and after a retry following
 * 131049 the retry's number too, so the failed attempt's late webhooks never match the retry.
 */
export function campaignCallbackData(recipientId: string, capRetries: number): string {
  const clientId = campaignClientId(recipientId);
  return capRetries === 0 ? clientId : `${clientId}:retry${capRetries}`;
}

/** §3: 131049 (Meta's per-user marketing cap) may be retried after at least 24 h. */
export const MARKETING_CAP_RETRY_MS = 24 * 3_600_000;
/** Meta's per-user marketing cap (§3). */
export const MARKETING_CAP_CODE = 131049;

export interface CapRetryState {
  /** Failed with 131049 and past their 24 h. */
  ready: number;
  /** Failed with 131049, still inside their 24 h. */
  waiting: number;
  /** The earliest retry_after among the waiting ones. */
  nextAt: number | null;
}

/** Replies within this long after the send are attributed to the campaign. */
export const REPLY_ATTRIBUTION_MS = 72 * 3_600_000;

/**
 * A statement written with numbered parameters (?1 used twice reads better than a value passed twice);
 * better-sqlite3 binds them by name, so they are rewritten to @p1, @p2 … and bound from the arguments.
 */
function numbered<P extends unknown[], R = unknown>(db: Db, sql: string) {
  const statement = db.prepare(sql);
  const bind = (args: P): Record<string, unknown> =>
    Object.fromEntries(args.map((value, i) => [`p${i + 1}`, value]));
  return {
    run: (...args: P) => statement.run(bind(args)),
    get: (...args: P) => statement.get(bind(args)) as R | undefined,
    all: (...args: P) => statement.all(bind(args)) as R[],
  };
}

/** The columns a draft sets, on create and on edit. */
export interface DraftColumns {
  id: string;
  connectionId: string;
  templateId: string | null;
  templateName: string;
  templateLanguage: string;
  name: string;
  params: string;
  audience: string;
  resendAfter: number | null;
  now: number;
}

export function createCampaignsRepo(db: Db) {
  const columns = `id, workspace_id, connection_id, template_id, template_name, template_language, name, status,
    status_reason, params, audience, exclusions, scheduled_at, late_since, started_at, finished_at, materialized_at,
    unconfirmed_resend_after_ms, total_count, sent_count, delivered_count, read_count, replied_count, failed_count,
    created_at, updated_at`;
  const get = db.prepare<[string], CampaignRow>(`SELECT ${columns} FROM campaigns WHERE id = ?`);
  const list = db.prepare<[string], CampaignRow>(
    `SELECT ${columns} FROM campaigns WHERE workspace_id = ? ORDER BY created_at DESC, id DESC`,
  );
  const statusOf = db.prepare<[string], string>('SELECT status FROM campaigns WHERE id = ?').pluck();
  const insert = db.prepare(
    `INSERT INTO campaigns (id, workspace_id, connection_id, template_id, template_name, template_language, name,
       status, params, audience, unconfirmed_resend_after_ms, created_at, updated_at)
     VALUES (@id, @workspaceId, @connectionId, @templateId, @templateName, @templateLanguage, @name, 'draft',
       @params, @audience, @resendAfter, @now, @now)`,
  );
  const updateDraft = db.prepare(
    `UPDATE campaigns SET connection_id = @connectionId, template_id = @templateId, template_name = @templateName,
       template_language = @templateLanguage, name = @name, params = @params, audience = @audience,
       unconfirmed_resend_after_ms = @resendAfter, exclusions = NULL, updated_at = @now
     WHERE id = @id AND status IN ('draft', 'scheduled') AND materialized_at IS NULL`,
  );
  const remove = db.prepare<[string]>(
    `DELETE FROM campaigns WHERE id = ? AND status IN ('draft', 'scheduled', 'completed', 'cancelled', 'failed')`,
  );
  const setRunning = numbered<[number, string]>(
    db,
    `UPDATE campaigns SET status = 'running', status_reason = NULL, late_since = NULL,
       started_at = coalesce(started_at, @p1), updated_at = @p1
     WHERE id = @p2 AND status IN ('draft', 'scheduled')`,
  );
  const setScheduled = numbered<[number, number, string]>(
    db,
    `UPDATE campaigns SET status = 'scheduled', scheduled_at = @p1, late_since = NULL, updated_at = @p2
     WHERE id = @p3 AND status IN ('draft', 'scheduled')`,
  );
  const setLate = numbered<[number, string, number]>(
    db,
    `UPDATE campaigns SET late_since = @p1, updated_at = @p1 WHERE id = @p2 AND status = 'scheduled' AND scheduled_at = @p3`,
  );
  const pause = numbered<[string | null, number, string]>(
    db,
    `UPDATE campaigns SET status = 'paused', status_reason = @p1, updated_at = @p2 WHERE id = @p3 AND status = 'running'`,
  );
  const resume = numbered<[number, string]>(
    db,
    `UPDATE campaigns SET status = 'running', status_reason = NULL, updated_at = @p1 WHERE id = @p2 AND status = 'paused'`,
  );
  const cancel = numbered<[number, string]>(
    db,
    `UPDATE campaigns SET status = 'cancelled', status_reason = 'Cancelled by you.', finished_at = @p1, updated_at = @p1
     WHERE id = @p2 AND status IN ('draft', 'scheduled', 'running', 'paused')`,
  );
  const skipUnsent = numbered<[number, string]>(
    db,
    `UPDATE campaign_recipients SET status = 'skipped', error_message = 'The campaign was cancelled before this was sent.',
       status_at = @p1, updated_at = @p1
     WHERE campaign_id = @p2 AND status = 'pending' AND send_started_at IS NULL`,
  );
  const complete = numbered<[number, string]>(
    db,
    `UPDATE campaigns SET status = 'completed', finished_at = @p1, updated_at = @p1 WHERE id = @p2 AND status = 'running'`,
  );
  const reopen = numbered<[number, string]>(
    db,
    `UPDATE campaigns SET status = 'running', finished_at = NULL, conversations_opened_at = NULL, updated_at = @p1
     WHERE id = @p2 AND status = 'completed'`,
  );
  const setExclusions = numbered<[string, number, string]>(
    db,
    `UPDATE campaigns SET exclusions = @p1, updated_at = @p2 WHERE id = @p3`,
  );
  const markMaterialized = numbered<[string, number, string]>(
    db,
    `UPDATE campaigns SET materialized_at = @p2, exclusions = @p1,
       total_count = (SELECT count(*) FROM campaign_recipients WHERE campaign_id = @p3), updated_at = @p2
     WHERE id = @p3`,
  );
  const insertRecipient = db.prepare(
    `INSERT INTO campaign_recipients (id, campaign_id, contact_id, phone_e164, params, status, error_message,
       status_at, next_attempt_at, created_at, updated_at)
     VALUES (@id, @campaignId, @contactId, @phone, @params, @status, @reason, @statusAt, 0, @now, @now)
     ON CONFLICT (campaign_id, contact_id) DO NOTHING`,
  );
  const due = db.prepare<[string, number, number], DueRecipient>(
    `SELECT id, contact_id, phone_e164, params, attempts, cap_retries FROM campaign_recipients
     WHERE campaign_id = ? AND status = 'pending' AND send_started_at IS NULL AND next_attempt_at <= ?
     ORDER BY next_attempt_at, rowid LIMIT ?`,
  );
  const nextDue = db
    .prepare<[string], number | null>(
      `SELECT min(next_attempt_at) FROM campaign_recipients
       WHERE campaign_id = ? AND status = 'pending' AND send_started_at IS NULL`,
    )
    .pluck();
  const oldestUnconfirmed = db
    .prepare<[string], number | null>(
      `SELECT min(status_at) FROM campaign_recipients WHERE campaign_id = ? AND status = 'unknown'`,
    )
    .pluck();
  const contactOptedOut = db
    .prepare<[string], number | null>('SELECT opted_out_at FROM contacts WHERE id = ?')
    .pluck();
  // The statements run for every send bind positional parameters: numbered() builds an object per call.
  const markSending = db.prepare<[number, number, string]>(
    `UPDATE campaign_recipients SET send_started_at = ?, attempts = attempts + 1, updated_at = ?
     WHERE id = ? AND status = 'pending' AND send_started_at IS NULL`,
  );
  const upsertMessage = db.prepare<[string, string, string, string, string, number, number]>(
    `INSERT INTO campaign_messages (id, campaign_id, campaign_recipient_id, client_id, biz_opaque_callback_data,
       status, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)
     ON CONFLICT (campaign_recipient_id) DO UPDATE SET
       status = CASE WHEN status = 'unknown' THEN 'pending' ELSE status END, updated_at = excluded.updated_at`,
  );
  const messageAccepted = db.prepare<[string, number, number, string]>(
    `UPDATE campaign_messages SET wamid = coalesce(wamid, ?),
       status = CASE WHEN status IN ('pending', 'unknown') THEN 'accepted' ELSE status END,
       status_at = CASE WHEN status IN ('pending', 'unknown') THEN ? ELSE status_at END, updated_at = ?
     WHERE campaign_recipient_id = ?`,
  );
  const recipientAccepted = db.prepare<[number, number, string]>(
    `UPDATE campaign_recipients SET status = 'accepted', status_at = ?, error_code = NULL, error_message = NULL,
       updated_at = ?
     WHERE id = ? AND status IN ('pending', 'unknown')`,
  );
  const messageUnknown = numbered<[number, string]>(
    db,
    `UPDATE campaign_messages SET status = 'unknown', status_at = @p1, updated_at = @p1
     WHERE campaign_recipient_id = @p2 AND status = 'pending'`,
  );
  const recipientUnknown = numbered<[number, string | null, string]>(
    db,
    `UPDATE campaign_recipients SET status = 'unknown', status_at = @p1, error_message = @p2, updated_at = @p1
     WHERE id = @p3 AND status = 'pending'`,
  );
  const messageFailed = numbered<[number, number | null, string, string]>(
    db,
    `UPDATE campaign_messages SET status = 'failed', status_at = @p1, failed_at = @p1, error_code = @p2,
       error_message = @p3, updated_at = @p1
     WHERE campaign_recipient_id = @p4 AND failed_at IS NULL AND status IN ('pending', 'unknown')`,
  );
  const recipientFailed = numbered<[number, number | null, string, string]>(
    db,
    `UPDATE campaign_recipients SET status = 'failed', status_at = @p1, error_code = @p2, error_message = @p3,
       retry_after = CASE WHEN @p2 = ${MARKETING_CAP_CODE} THEN @p1 + ${MARKETING_CAP_RETRY_MS} END, updated_at = @p1
     WHERE id = @p4 AND status IN ('pending', 'unknown')`,
  );
  const bumpFailed = numbered<[number, string]>(
    db,
    `UPDATE campaigns SET failed_count = failed_count + 1, updated_at = @p1 WHERE id = @p2`,
  );
  const release = numbered<[number, number | null, string | null, number, string]>(
    db,
    `UPDATE campaign_recipients SET send_started_at = NULL, next_attempt_at = @p1, error_code = @p2,
       error_message = @p3, updated_at = @p4
     WHERE id = @p5 AND status = 'pending'`,
  );
  const skip = numbered<[number, string, string]>(
    db,
    `UPDATE campaign_recipients SET status = 'skipped', status_at = @p1, error_message = @p2, updated_at = @p1
     WHERE id = @p3 AND status = 'pending'`,
  );
  const inFlightToUnknown = numbered<[number, string]>(
    db,
    `UPDATE campaign_recipients SET status = 'unknown', status_at = @p1,
       error_message = 'The app stopped while this message was being sent: it may have gone out, so it is not sent again until WhatsApp confirms or you decide.',
       updated_at = @p1
     WHERE campaign_id = @p2 AND status = 'pending' AND send_started_at IS NOT NULL`,
  );
  const messagesToUnknown = numbered<[number, string]>(
    db,
    `UPDATE campaign_messages SET status = 'unknown', status_at = @p1, updated_at = @p1
     WHERE campaign_id = @p2 AND status = 'pending'
       AND campaign_recipient_id IN (SELECT id FROM campaign_recipients WHERE campaign_id = @p2 AND status = 'unknown')`,
  );
  const requeueUnknown = numbered<[number, string, number]>(
    db,
    `UPDATE campaign_recipients SET status = 'pending', send_started_at = NULL, next_attempt_at = 0, status_at = @p1,
       error_message = NULL, updated_at = @p1
     WHERE campaign_id = @p2 AND status = 'unknown' AND status_at <= @p3`,
  );
  const stateCounts = db.prepare<[string], { state: keyof StateCounts; n: number }>(
    `SELECT CASE
       WHEN status = 'pending' AND send_started_at IS NULL THEN 'pending'
       WHEN status = 'pending' THEN 'sending'
       WHEN status = 'unknown' THEN 'unconfirmed'
       WHEN status = 'skipped' THEN 'skipped'
       WHEN status = 'failed' THEN 'failed'
       ELSE 'accepted' END AS state, count(*) AS n
     FROM campaign_recipients WHERE campaign_id = ? GROUP BY 1`,
  );
  const recipientColumns = `r.id, r.contact_id, r.phone_e164, c.name, r.status, r.send_started_at, r.status_at,
    r.error_code, r.error_message, r.replied_at, r.attempts, r.retry_after`;
  const pageStatements = new Map<string, ReturnType<typeof db.prepare>>();
  const pageOf = (state: RecipientState | undefined) => {
    const key = state ?? 'all';
    let statement = pageStatements.get(key);
    if (!statement) {
      const where = state ? `AND ${stateCondition[state]}` : '';
      statement = db.prepare(
        `SELECT ${recipientColumns} FROM campaign_recipients r LEFT JOIN contacts c ON c.id = r.contact_id
         WHERE r.campaign_id = ? ${where} ORDER BY r.rowid LIMIT ? OFFSET ?`,
      );
      pageStatements.set(key, statement);
    }
    return statement as ReturnType<typeof db.prepare<[string, number, number], RecipientRow>>;
  };
  const countStatements = new Map<string, ReturnType<typeof db.prepare>>();
  const countOf = (state: RecipientState | undefined) => {
    const key = state ?? 'all';
    let statement = countStatements.get(key);
    if (!statement) {
      const where = state ? `AND ${stateCondition[state]}` : '';
      statement = db
        .prepare(`SELECT count(*) FROM campaign_recipients r WHERE r.campaign_id = ? ${where}`)
        .pluck();
      countStatements.set(key, statement);
    }
    return statement as ReturnType<typeof db.prepare<[string], number>>;
  };
  const allRecipients = db.prepare<[string], RecipientRow>(
    `SELECT ${recipientColumns} FROM campaign_recipients r LEFT JOIN contacts c ON c.id = r.contact_id
     WHERE r.campaign_id = ? ORDER BY r.rowid`,
  );
  const replyTarget = numbered<[string, string, number, number], { id: string; campaign_id: string }>(
    db,
    `SELECT r.id, r.campaign_id FROM campaign_recipients r JOIN campaigns c ON c.id = r.campaign_id
     WHERE r.contact_id = @p1 AND c.connection_id = @p2 AND r.replied_at IS NULL
       AND r.status IN ('accepted', 'sent', 'delivered', 'read', 'unknown')
       AND r.send_started_at IS NOT NULL AND r.send_started_at BETWEEN @p3 AND @p4
     ORDER BY r.send_started_at DESC LIMIT 1`,
  );
  const markReplied = numbered<[number, number, string]>(
    db,
    `UPDATE campaign_recipients SET replied_at = @p1, updated_at = @p2 WHERE id = @p3 AND replied_at IS NULL`,
  );
  const bumpReplied = numbered<[number, string]>(
    db,
    `UPDATE campaigns SET replied_count = replied_count + 1, updated_at = @p1 WHERE id = @p2`,
  );
  const capRetryState = numbered<[string, number], CapRetryState>(
    db,
    `SELECT count(*) FILTER (WHERE retry_after <= @p2) AS ready, count(*) FILTER (WHERE retry_after > @p2) AS waiting,
       min(retry_after) FILTER (WHERE retry_after > @p2) AS nextAt
     FROM campaign_recipients WHERE campaign_id = @p1 AND status = 'failed' AND retry_after IS NOT NULL`,
  );
  // The recipients a cap retry puts back: failed with 131049 and past their retry_after.
  const capReady = `SELECT id FROM campaign_recipients
     WHERE campaign_id = @p1 AND status = 'failed' AND retry_after IS NOT NULL AND retry_after <= @p2`;
  // Their failed attempt no longer counts: the funnel counts each recipient's current message once.
  const uncountCapRetried = numbered<[string, number, number]>(
    db,
    `UPDATE campaigns SET
       sent_count = sent_count - (SELECT count(*) FROM campaign_messages WHERE sent_at IS NOT NULL AND campaign_recipient_id IN (${capReady})),
       delivered_count = delivered_count - (SELECT count(*) FROM campaign_messages WHERE delivered_at IS NOT NULL AND campaign_recipient_id IN (${capReady})),
       read_count = read_count - (SELECT count(*) FROM campaign_messages WHERE read_at IS NOT NULL AND campaign_recipient_id IN (${capReady})),
       failed_count = failed_count - (SELECT count(*) FROM campaign_messages WHERE failed_at IS NOT NULL AND campaign_recipient_id IN (${capReady})),
       updated_at = @p3
     WHERE id = @p1`,
  );
  // The retry is a new message to Meta: a fresh row state, and a callback data of its own.
  const resetCapRetriedMessages = numbered<[string, number, number]>(
    db,
    `UPDATE campaign_messages SET status = 'pending', wamid = NULL, status_at = NULL, error_code = NULL,
       error_message = NULL, sent_at = NULL, delivered_at = NULL, read_at = NULL, failed_at = NULL,
       biz_opaque_callback_data = client_id || ':retry' || (
         SELECT r.cap_retries + 1 FROM campaign_recipients r WHERE r.id = campaign_messages.campaign_recipient_id),
       updated_at = @p3
     WHERE campaign_recipient_id IN (${capReady})`,
  );
  const requeueCapRetried = numbered<[string, number, number]>(
    db,
    `UPDATE campaign_recipients SET status = 'pending', send_started_at = NULL, next_attempt_at = 0, status_at = @p3,
       error_code = NULL, error_message = NULL, retry_after = NULL, cap_retries = cap_retries + 1, updated_at = @p3
     WHERE id IN (${capReady})`,
  );
  // Finished campaigns whose recipients have not all got their conversation yet (a crash stopped it).
  const conversationsToOpen = db
    .prepare<[], string>(
      `SELECT id FROM campaigns WHERE status IN ('completed', 'cancelled', 'failed') AND conversations_opened_at IS NULL`,
    )
    .pluck();
  const markConversationsOpened = numbered<[number, string]>(
    db,
    `UPDATE campaigns SET conversations_opened_at = @p1
     WHERE id = @p2 AND status IN ('completed', 'cancelled', 'failed') AND conversations_opened_at IS NULL`,
  );
  const needsConversations = db
    .prepare<[string], number>(
      `SELECT count(*) FROM campaigns WHERE id = ? AND status IN ('completed', 'cancelled', 'failed')
         AND conversations_opened_at IS NULL`,
    )
    .pluck();
  // Only while the campaign can still send: a finished campaign's setting is its history.
  const setResendWait = numbered<[number | null, number, string]>(
    db,
    `UPDATE campaigns SET unconfirmed_resend_after_ms = @p1, updated_at = @p2
     WHERE id = @p3 AND status IN ('draft', 'scheduled', 'running', 'paused')`,
  );
  const resendWaitOf = db
    .prepare<[string], number | null>('SELECT unconfirmed_resend_after_ms FROM campaigns WHERE id = ?')
    .pluck();
  const liveWithTemplate = db.prepare<[string, string, string], { id: string }>(
    `SELECT id FROM campaigns WHERE connection_id = ? AND template_name = ? AND template_language = ?
       AND status IN ('running', 'scheduled')`,
  );
  const pauseAny = numbered<[string, number, string]>(
    db,
    `UPDATE campaigns SET status = 'paused', status_reason = @p1, updated_at = @p2
     WHERE id = @p3 AND status IN ('running', 'scheduled')`,
  );

  return {
    get: (id: string): CampaignRow | undefined => get.get(id),
    list: (workspaceId: string): CampaignRow[] => list.all(workspaceId),
    statusOf: (id: string): string | undefined => statusOf.get(id),
    insert(row: DraftColumns & { workspaceId: string }): void {
      insert.run(row);
    },
    updateDraft(row: DraftColumns): boolean {
      return updateDraft.run(row).changes === 1;
    },
    remove: (id: string): boolean => remove.run(id).changes === 1,
    setRunning: (id: string, now: number): boolean => setRunning.run(now, id).changes === 1,
    setScheduled: (id: string, at: number, now: number): boolean =>
      setScheduled.run(at, now, id).changes === 1,
    setLate: (id: string, scheduledAt: number, now: number): boolean =>
      setLate.run(now, id, scheduledAt).changes === 1,
    pause: (id: string, reason: string | null, now: number): boolean =>
      pause.run(reason, now, id).changes === 1,
    /** Pauses a running or scheduled campaign (auto-pause). */
    pauseLive: (id: string, reason: string, now: number): boolean =>
      pauseAny.run(reason, now, id).changes === 1,
    resume: (id: string, now: number): boolean => resume.run(now, id).changes === 1,
    cancel(id: string, now: number): boolean {
      if (cancel.run(now, id).changes !== 1) return false;
      skipUnsent.run(now, id);
      return true;
    },
    complete: (id: string, now: number): boolean => complete.run(now, id).changes === 1,
    /** A completed campaign runs again (the user chose to resend its unconfirmed sends). */
    reopen: (id: string, now: number): boolean => reopen.run(now, id).changes === 1,
    setExclusions: (id: string, exclusions: string, now: number): void => {
      setExclusions.run(exclusions, now, id);
    },
    insertRecipient(campaignId: string, r: NewRecipient, now: number): boolean {
      return (
        insertRecipient.run({
          id: r.id,
          campaignId,
          contactId: r.contactId,
          phone: r.phone,
          params: r.params,
          status: r.skipReason === null ? 'pending' : 'skipped',
          reason: r.skipReason,
          statusAt: r.skipReason === null ? null : now,
          now,
        }).changes === 1
      );
    },
    markMaterialized: (id: string, exclusions: string, now: number): void => {
      markMaterialized.run(exclusions, now, id);
    },
    due: (campaignId: string, now: number, limit: number): DueRecipient[] => due.all(campaignId, now, limit),
    nextDue: (campaignId: string): number | null => nextDue.get(campaignId) ?? null,
    oldestUnconfirmed: (campaignId: string): number | null => oldestUnconfirmed.get(campaignId) ?? null,
    contactOptedOut: (contactId: string): boolean => (contactOptedOut.get(contactId) ?? null) !== null,
    /** pending → sending, with its campaign message row (upsert on campaign_recipient_id, seed §3). */
    markSending(
      campaignId: string,
      recipient: Pick<DueRecipient, 'id' | 'cap_retries'>,
      messageId: string,
      now: number,
    ): boolean {
      const recipientId = recipient.id;
      if (markSending.run(now, now, recipientId).changes !== 1) return false;
      const clientId = campaignClientId(recipientId);
      const callbackData = campaignCallbackData(recipientId, recipient.cap_retries);
      upsertMessage.run(messageId, campaignId, recipientId, clientId, callbackData, now, now);
      return true;
    },
    markAccepted(recipientId: string, wamid: string, now: number): void {
      messageAccepted.run(wamid, now, now, recipientId);
      recipientAccepted.run(now, now, recipientId);
    },
    markUnknown(recipientId: string, reason: string, now: number): void {
      if (recipientUnknown.run(now, reason, recipientId).changes === 1) messageUnknown.run(now, recipientId);
    },
    /** Failed now (a synchronous API error); counts once, whichever of this and a webhook comes first. */
    markFailed(
      campaignId: string,
      recipientId: string,
      code: number | null,
      message: string,
      now: number,
    ): boolean {
      recipientFailed.run(now, code, message, recipientId);
      if (messageFailed.run(now, code, message, recipientId).changes !== 1) return false;
      bumpFailed.run(now, campaignId);
      return true;
    },
    /** Not sent: back to pending, due again at `nextAttemptAt`. */
    release(
      recipientId: string,
      nextAttemptAt: number,
      code: number | null,
      reason: string | null,
      now: number,
    ): void {
      release.run(nextAttemptAt, code, reason, now, recipientId);
    },
    skip(recipientId: string, reason: string, now: number): void {
      skip.run(now, reason, recipientId);
    },
    /** At a runner's start: sends a dead runner left in flight become unconfirmed (never resent blindly). */
    recoverInFlight(campaignId: string, now: number): number {
      const moved = inFlightToUnknown.run(now, campaignId).changes;
      if (moved > 0) messagesToUnknown.run(now, campaignId);
      return moved;
    },
    /** Unconfirmed since before `olderThan` (no webhook came): pending again. */
    requeueUnconfirmed(campaignId: string, olderThan: number, now: number): number {
      return requeueUnknown.run(now, campaignId, olderThan).changes;
    },
    stateCounts(campaignId: string): StateCounts & { failed: number } {
      const counts = { pending: 0, sending: 0, accepted: 0, unconfirmed: 0, skipped: 0, failed: 0 };
      for (const row of stateCounts.all(campaignId)) counts[row.state] = row.n;
      return counts;
    },
    recipientsPage(campaignId: string, state: RecipientState | undefined, offset: number, limit: number) {
      return {
        rows: pageOf(state).all(campaignId, limit, offset),
        total: countOf(state).get(campaignId) ?? 0,
      };
    },
    allRecipients: (campaignId: string): IterableIterator<RecipientRow> => allRecipients.iterate(campaignId),
    /** Inside the transaction that stored an inbound message: credits the latest campaign sent within 72 h. */
    attributeReply(contactId: string, connectionId: string, atMs: number, now: number): string | null {
      // Meta's timestamps are whole seconds (§6): a reply in the same second as the send is still after it.
      const target = replyTarget.get(contactId, connectionId, atMs - REPLY_ATTRIBUTION_MS, atMs + 999);
      if (!target) return null;
      if (markReplied.run(atMs, now, target.id).changes !== 1) return null;
      bumpReplied.run(now, target.campaign_id);
      return target.campaign_id;
    },
    capRetryState: (campaignId: string, now: number): CapRetryState => capRetryState.get(campaignId, now)!,
    /**
     * Recipients failed with 131049 whose 24 h have passed go back to pending as new messages. Must run
     * inside the caller's transaction (the counters, the messages and the recipients move together).
     */
    requeueCapRetries(campaignId: string, now: number): number {
      uncountCapRetried.run(campaignId, now, now);
      resetCapRetriedMessages.run(campaignId, now, now);
      return requeueCapRetried.run(campaignId, now, now).changes;
    },
    /** False when the campaign is finished (or gone): its setting no longer changes. */
    setResendWait: (id: string, ms: number | null, now: number): boolean =>
      setResendWait.run(ms, now, id).changes === 1,
    /** The current wait (the runner reads it each time it runs out of due recipients, so a change applies). */
    resendWaitOf: (id: string): number | null => resendWaitOf.get(id) ?? null,
    /** Finished campaigns whose recipients' conversations are not all opened yet. */
    conversationsToOpen: (): string[] => conversationsToOpen.all(),
    needsConversations: (id: string): boolean => (needsConversations.get(id) ?? 0) > 0,
    /** False when the campaign runs again (a reopen) or another pass recorded it first. */
    markConversationsOpened: (id: string, now: number): boolean =>
      markConversationsOpened.run(now, id).changes === 1,
    liveWithTemplate: (connectionId: string, name: string, language: string): string[] =>
      liveWithTemplate.all(connectionId, name, language).map((r) => r.id),
  };
}

export type CampaignsRepo = ReturnType<typeof createCampaignsRepo>;
