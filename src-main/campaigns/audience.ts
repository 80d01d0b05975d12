// Resolving a campaign's audience to contacts: everyone, tags and attribute filters, an explicit list of
// contacts (e.g. one CSV import's), or a previous campaign's failed / not-read / not-replied recipients.
// Opted-out contacts (§7), numbers that are not valid phone numbers and duplicates are left out and
// counted, with a few examples each, for the preflight and the campaign's summary.
import type { Audience, ExclusionCounts } from '../../src-preload/campaigns.contract';
import { normalisePhone } from '../contacts/phone/normalisePhone';
import type { Db } from '../db/open';
import { AppError } from '../ipc/errors';
import type { RenderContact } from './render';

export interface AudienceContact extends RenderContact {
  id: string;
}

export interface ResolvedAudience {
  contacts: AudienceContact[];
  exclusions: ExclusionCounts;
  examples: Record<keyof ExclusionCounts, string[]>;
}

interface ContactRow extends AudienceContact {
  opted_out_at: number | null;
}

const EXAMPLES = 5;
const IN_CHUNK = 500;
const contactColumns = 'c.id, c.phone_e164, c.name, c.email, c.attributes, c.opted_out_at';

const retargetCondition = {
  failed: `r.status = 'failed'`,
  // Sent (accepted or confirmed) but never read; an unconfirmed send may not have gone at all.
  not_read: `r.status IN ('accepted', 'sent', 'delivered', 'unknown')`,
  not_replied: `r.status IN ('accepted', 'sent', 'delivered', 'read') AND r.replied_at IS NULL`,
} as const;

/** `$."key"` as a JSON path for json_extract, with the key quoted so any character is allowed. */
function jsonPath(key: string): string {
  return `$."${key.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function resolveAudience(db: Db, workspaceId: string, audience: Audience): ResolvedAudience {
  let rows: ContactRow[];
  let duplicates = 0;
  const duplicateExamples: string[] = [];
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
      break;
    }
  }

  const result: ResolvedAudience = {
    contacts: [],
    exclusions: { optedOut: 0, invalid: 0, duplicate: duplicates },
    examples: { optedOut: [], invalid: [], duplicate: duplicateExamples },
  };
  const phones = new Set<string>();
  const note = (kind: keyof ExclusionCounts, example: string): void => {
    result.exclusions[kind]++;
    if (result.examples[kind].length < EXAMPLES) result.examples[kind].push(example);
  };
  for (const row of rows) {
    if (row.opted_out_at !== null) {
      note('optedOut', row.phone_e164);
      continue;
    }
    if (!normalisePhone(row.phone_e164, undefined).ok) {
      note('invalid', row.phone_e164);
      continue;
    }
    if (phones.has(row.phone_e164)) {
      note('duplicate', row.phone_e164);
      continue;
    }
    phones.add(row.phone_e164);
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
