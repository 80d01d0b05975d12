// The only SQL on `templates`. Meta keys a template by (name, language) per WABA (whatsapp-cloud-api.md
// §5), so every write is an upsert on UNIQUE(connection_id, name, language). Templates gone from Meta are
// marked DELETED, never dropped: campaigns refer to them.
import type { TemplateView } from '../../src-preload/messaging.contract';
import { newId } from '../db/ids';
import type { Db } from '../db/open';

export interface TemplateRow {
  id: string;
  connection_id: string;
  meta_template_id: string | null;
  name: string;
  language: string;
  category: string;
  status: string;
  parameter_format: 'POSITIONAL' | 'NAMED';
  components: string;
  quality_score: string | null;
  rejected_reason: string | null;
  synced_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface TemplateUpsert {
  connectionId: string;
  metaTemplateId: string | null;
  name: string;
  language: string;
  category: string;
  status: string;
  parameterFormat: 'POSITIONAL' | 'NAMED';
  components: unknown[];
  qualityScore: string | null;
  rejectedReason: string | null;
  /** The sync's start time (or now for a local create): rows older than a sync's stamp were not seen. */
  syncedAt: number;
}

export interface TemplateFilter {
  connectionId: string;
  status?: string | undefined;
  category?: string | undefined;
  quality?: string | undefined;
  language?: string | undefined;
  search?: string | undefined;
  includeDeleted?: boolean | undefined;
}

export function toTemplateView(row: TemplateRow): TemplateView {
  return {
    id: row.id,
    connectionId: row.connection_id,
    metaTemplateId: row.meta_template_id,
    name: row.name,
    language: row.language,
    category: row.category,
    status: row.status,
    parameterFormat: row.parameter_format,
    components: JSON.parse(row.components) as unknown[],
    qualityScore: row.quality_score,
    rejectedReason: row.rejected_reason,
    syncedAt: row.synced_at,
    updatedAt: row.updated_at,
  };
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function createTemplatesRepo(db: Db) {
  const upsert = db.prepare(
    `INSERT INTO templates (id, connection_id, meta_template_id, name, language, category, status, parameter_format,
                            components, quality_score, rejected_reason, synced_at, created_at, updated_at)
     VALUES (@id, @connectionId, @metaTemplateId, @name, @language, @category, @status, @parameterFormat,
             @components, @qualityScore, @rejectedReason, @syncedAt, @now, @now)
     ON CONFLICT (connection_id, name, language) DO UPDATE SET
       meta_template_id = coalesce(excluded.meta_template_id, templates.meta_template_id),
       category = excluded.category,
       status = excluded.status,
       parameter_format = excluded.parameter_format,
       components = excluded.components,
       quality_score = excluded.quality_score,
       rejected_reason = excluded.rejected_reason,
       synced_at = max(coalesce(templates.synced_at, 0), excluded.synced_at),
       updated_at = CASE WHEN templates.status IS NOT excluded.status
                          OR templates.category IS NOT excluded.category
                          OR templates.components IS NOT excluded.components
                          OR templates.quality_score IS NOT excluded.quality_score
                          OR templates.parameter_format IS NOT excluded.parameter_format
                          OR templates.rejected_reason IS NOT excluded.rejected_reason
                     THEN excluded.updated_at ELSE templates.updated_at END`,
  );
  // A row a sync did not see: not listed by Meta any more. Rows created or seen after the sync started
  // carry a later stamp and stay.
  const markMissing = db.prepare<{ connectionId: string; stamp: number; now: number }>(
    `UPDATE templates SET status = 'DELETED', updated_at = @now
     WHERE connection_id = @connectionId AND status <> 'DELETED'
       AND (synced_at IS NULL OR synced_at < @stamp)`,
  );
  const markDeleted = db.prepare<{
    connectionId: string;
    name: string;
    language: string | null;
    now: number;
  }>(
    `UPDATE templates SET status = 'DELETED', updated_at = @now
     WHERE connection_id = @connectionId AND name = @name AND (@language IS NULL OR language = @language)
       AND status <> 'DELETED'`,
  );
  const byKey = db.prepare<[string, string, string], TemplateRow>(
    'SELECT * FROM templates WHERE connection_id = ? AND name = ? AND language = ?',
  );
  const byName = db.prepare<[string, string], TemplateRow>(
    'SELECT * FROM templates WHERE connection_id = ? AND name = ? ORDER BY language',
  );
  const list = db.prepare(
    `SELECT * FROM templates
     WHERE connection_id = @connectionId
       AND (@includeDeleted = 1 OR status <> 'DELETED')
       AND (@status IS NULL OR status = @status)
       AND (@category IS NULL OR category = @category)
       AND (@quality IS NULL OR quality_score = @quality)
       AND (@language IS NULL OR language = @language)
       AND (@search IS NULL OR name LIKE @search ESCAPE '\\')
     ORDER BY name, language`,
  );
  const lastSync = db.prepare<[string], { at: number | null }>(
    'SELECT max(synced_at) AS at FROM templates WHERE connection_id = ?',
  );

  return {
    /** Inside the caller's transaction when several go together. */
    upsert(input: TemplateUpsert, now: number): void {
      upsert.run({
        id: newId(now),
        connectionId: input.connectionId,
        metaTemplateId: input.metaTemplateId,
        name: input.name,
        language: input.language,
        category: input.category,
        status: input.status,
        parameterFormat: input.parameterFormat,
        components: JSON.stringify(input.components),
        qualityScore: input.qualityScore,
        rejectedReason: input.rejectedReason,
        syncedAt: input.syncedAt,
        now,
      });
    },

    /** Every template of the connection not seen since `stamp` becomes DELETED; returns how many. */
    markMissingDeleted(connectionId: string, stamp: number, now: number): number {
      return markMissing.run({ connectionId, stamp, now }).changes;
    },

    markDeleted(connectionId: string, name: string, language: string | null, now: number): number {
      return markDeleted.run({ connectionId, name, language, now }).changes;
    },

    get(connectionId: string, name: string, language: string): TemplateRow | undefined {
      return byKey.get(connectionId, name, language);
    },

    byName(connectionId: string, name: string): TemplateRow[] {
      return byName.all(connectionId, name);
    },

    list(filter: TemplateFilter): TemplateRow[] {
      return list.all({
        connectionId: filter.connectionId,
        includeDeleted: filter.includeDeleted ? 1 : 0,
        status: filter.status ?? null,
        category: filter.category ?? null,
        quality: filter.quality ?? null,
        language: filter.language ?? null,
        search: filter.search ? `%${escapeLike(filter.search.toLowerCase())}%` : null,
      }) as TemplateRow[];
    },

    /** When the connection's templates were last synced (null: never). */
    lastSyncedAt(connectionId: string): number | null {
      return lastSync.get(connectionId)?.at ?? null;
    },
  };
}

export type TemplatesRepo = ReturnType<typeof createTemplatesRepo>;
