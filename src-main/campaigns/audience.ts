// Resolving a campaign's audience to contacts: everyone, tags and attribute filters, an explicit list of
// contacts, the contacts of one CSV import (contacts/contactImports.repo.ts), or a previous campaign's
// failed / not-read / not-replied recipients. Opted-out contacts (§7), numbers that are not valid phone
// numbers and duplicates are left out and counted, with a few examples each, for the preflight and the
// campaign's summary; so are a CSV's rows its import rejected, and listed contacts that no longer exist.
import type { Audience, ExclusionCounts, PreflightExample } from '../../src-preload/campaigns.contract';
import { normalisePhone } from '../contacts/phone/normalisePhone';
import type { Db } from '../db/open';
import { AppError } from '../ipc/errors';
import { createContactImportsRepo, type ContactImportRow } from '../contacts/contactImports.repo';
import type { RenderContact } from './render';

export interface AudienceContact extends RenderContact {
  id: string;
}

export interface ResolvedAudience {
  contacts: AudienceContact[];
  exclusions: ExclusionCounts;
  examples: Record<keyof ExclusionCounts, string[]>;
  /** The same examples as recipients (name, number, what is wrong), for the preflight. */
  exampleRecipients: Record<'optedOut' | 'invalid' | 'duplicate', PreflightExample[]>;
  /** The import's file name and rejects file, for "contacts from this CSV". */
  csv?: { fileName: string; rejectsFileId: string | null };
}

interface ContactRow extends AudienceContact {
  opted_out_at: number | null;
  opted_out_reason: string | null;
}

const EXAMPLES = 5;
const IN_CHUNK = 500;
const contactColumns =
  'c.id, c.phone_e164, c.name, c.email, c.attributes, c.opted_out_at, c.opted_out_reason';

// An unconfirmed send ('unknown') may not have gone at all, so it counts as not read and not replied.
// A reply without a read status (the customer turned read receipts off) was read all the same.
const retargetCondition = {
  failed: `r.status = 'failed'`,
  not_read: `r.status IN ('accepted', 'sent', 'delivered', 'unknown') AND r.replied_at IS NULL`,
  not_replied: `r.status IN ('accepted', 'sent', 'delivered', 'read', 'unknown') AND r.replied_at IS NULL`,
} as const;

/** The import's reject codes that mean the row's number is missing or not a phone number. */
const phoneRejects = new Set(['MISSING_PHONE', 'INVALID_PHONE', 'NO_COUNTRY_CODE', 'EXCEL_SCIENTIFIC']);

/**
 * The import a "contacts from this CSV" audience names, if it can be one: in this workspace, remembered,
 * and finished. A cancelled or failed import holds part of the file only, so it is refused.
 */
export function usableImport(db: Db, workspaceId: string, importId: string): ContactImportRow {
  const row = createContactImportsRepo(db).get(importId);
  if (!row || row.workspace_id !== workspaceId) {
    throw new AppError(
      'NOT_FOUND',
      'That CSV import is not in this workspace (it was not started for a campaign, or its workspace is gone). Import the file again.',
    );
  }
  if (row.status !== 'done') {
    throw new AppError(
      'BAD_REQUEST',
      row.status === 'running'
        ? `The import of ${row.file_name} is still running; wait for it to finish.`
        : `The import of ${row.file_name} ${row.status === 'cancelled' ? 'was cancelled' : 'failed'}, so it holds only part of the file. Import the file again.`,
    );
  }
  return row;
}

/** `$."key"` as a JSON path for json_extract, with the key quoted so any character is allowed. */
function jsonPath(key: string): string {
  return `$."${key.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function resolveAudience(db: Db, workspaceId: string, audience: Audience): ResolvedAudience {
  let rows: ContactRow[];
  let duplicates = 0;
  const duplicateExamples: string[] = [];
  /** Left out before the rows are read (the import's rejects; listed contacts that are gone). */
  const before: Pick<ExclusionCounts, 'invalid' | 'rejectedRows' | 'missing'> = { invalid: 0 };
  let csv: ResolvedAudience['csv'];
  switch (audience.kind) {
    case 'all':
      rows = db
        .prepare<[string], ContactRow>(
          `SELECT ${contactColumns} FROM contacts c WHERE c.workspace_id = ? ORDER BY c.rowid`,
        )
        .all(workspaceId);
      break;
    case 'filter': {
      const conditions: string[] = ['c.workspace_id = ?'];
      const params: (string | number)[] = [workspaceId];
      if (audience.tags.length > 0) {
        conditions.push(
          `EXISTS (SELECT 1 FROM json_each(c.tags) t WHERE t.value IN (${audience.tags.map(() => '?').join(', ')}))`,
        );
        params.push(...audience.tags);
      }
      for (const attribute of audience.attributes) {
        if (attribute.value === undefined) {
          conditions.push('json_type(c.attributes, ?) IS NOT NULL');
          params.push(jsonPath(attribute.key));
        } else {
          conditions.push('CAST(json_extract(c.attributes, ?) AS TEXT) = ?');
          params.push(jsonPath(attribute.key), attribute.value);
        }
      }
      rows = db
        .prepare<(string | number)[], ContactRow>(
          `SELECT ${contactColumns} FROM contacts c WHERE ${conditions.join(' AND ')} ORDER BY c.rowid`,
        )
        .all(...params);
      break;
    }
    case 'contacts': {
      const unique: string[] = [];
      const seen = new Set<string>();
      for (const id of audience.contactIds) {
        if (seen.has(id)) {
          duplicates++;
          if (duplicateExamples.length < EXAMPLES) duplicateExamples.push(id);
        } else {
          seen.add(id);
          unique.push(id);
        }
      }
      rows = [];
      for (let i = 0; i < unique.length; i += IN_CHUNK) {
        const chunk = unique.slice(i, i + IN_CHUNK);
        rows.push(
          ...db
            .prepare<string[], ContactRow>(
              `SELECT ${contactColumns} FROM contacts c WHERE c.workspace_id = ? AND c.id IN (${chunk.map(() => '?').join(', ')})`,
            )
            .all(workspaceId, ...chunk),
        );
      }
      before.missing = unique.length - rows.length;
      break;
    }
    case 'retarget': {
      const source = db
        .prepare<[string], { workspace_id: string }>('SELECT workspace_id FROM campaigns WHERE id = ?')
        .get(audience.campaignId);
      if (!source || source.workspace_id !== workspaceId) {
        throw new AppError('NOT_FOUND', 'The campaign to retarget no longer exists in this workspace.');
      }
      rows = db
        .prepare<[string], ContactRow>(
          `SELECT ${contactColumns} FROM campaign_recipients r JOIN contacts c ON c.id = r.contact_id
           WHERE r.campaign_id = ? AND ${retargetCondition[audience.which]} ORDER BY r.rowid`,
        )
        .all(audience.campaignId);
      // Recipients whose contact was deleted since (contact_id SET NULL): deleted on purpose, not resent.
      before.missing =
        db
          .prepare<[string], number>(
            `SELECT count(*) FROM campaign_recipients r
             WHERE r.campaign_id = ? AND r.contact_id IS NULL AND ${retargetCondition[audience.which]}`,
          )
          .pluck()
          .get(audience.campaignId) ?? 0;
      break;
    }
    case 'import': {
      const source = usableImport(db, workspaceId, audience.importId);
      rows = db
        .prepare<[string], ContactRow>(
          `SELECT ${contactColumns} FROM contact_import_members m JOIN contacts c ON c.id = m.contact_id
           WHERE m.import_id = ? ORDER BY c.rowid`,
        )
        .all(source.id);
      // The file's rows the import did not take: an in-file repeat of a number is a duplicate, a row
      // without a usable number is invalid, any other reason is a rejected row (all in the rejects file).
      // "Already a contact" (add new only) is not left out: that contact is in the list.
      before.rejectedRows = 0;
      for (const [code, n] of Object.entries(
        JSON.parse(source.rejected_by_reason) as Record<string, number>,
      )) {
        if (code === 'ALREADY_EXISTS') continue;
        if (code === 'DUPLICATE_IN_FILE') duplicates += n;
        else if (phoneRejects.has(code)) before.invalid += n;
        else before.rejectedRows += n;
      }
      csv = { fileName: source.file_name, rejectsFileId: source.rejects_file_id };
      break;
    }
  }

  const result: ResolvedAudience = {
    contacts: [],
    exclusions: { optedOut: 0, duplicate: duplicates, ...before },
    examples: { optedOut: [], invalid: [], duplicate: duplicateExamples, rejectedRows: [], missing: [] },
    exampleRecipients: { optedOut: [], invalid: [], duplicate: [] },
    ...(csv ? { csv } : {}),
  };
  // A contact listed twice: the recipient is the contact itself (it is sent once).
  const byId = new Map(duplicateExamples.length > 0 ? rows.map((r) => [r.id, r]) : []);
  for (const id of duplicateExamples) {
    const row = byId.get(id);
    if (row) {
      result.exampleRecipients.duplicate.push({
        name: row.name,
        phone: row.phone_e164,
        value: 'listed more than once; sent once',
      });
    }
  }
  /** Who first had each number (a duplicate names them). */
  const phones = new Map<string, ContactRow>();
  const note = (kind: 'optedOut' | 'invalid' | 'duplicate', row: ContactRow, value: string): void => {
    result.exclusions[kind]++;
    if (result.examples[kind].length < EXAMPLES) result.examples[kind].push(row.phone_e164);
    if (result.exampleRecipients[kind].length < EXAMPLES) {
      result.exampleRecipients[kind].push({ name: row.name, phone: row.phone_e164, value });
    }
  };
  for (const row of rows) {
    if (row.opted_out_at !== null) {
      const on = new Date(row.opted_out_at).toISOString().slice(0, 10);
      note('optedOut', row, `opted out on ${on}${row.opted_out_reason ? ` (${row.opted_out_reason})` : ''}`);
      continue;
    }
    const phone = normalisePhone(row.phone_e164, undefined);
    if (!phone.ok) {
      note('invalid', row, phone.message);
      continue;
    }
    const first = phones.get(row.phone_e164);
    if (first) {
      note('duplicate', row, `same number as ${first.name ?? 'another contact'}; sent once`);
      continue;
    }
    phones.set(row.phone_e164, row);
    result.contacts.push({
      id: row.id,
      phone_e164: row.phone_e164,
      name: row.name,
      email: row.email,
      attributes: row.attributes,
    });
  }
  return result;
}
