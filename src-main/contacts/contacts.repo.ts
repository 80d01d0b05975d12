// The only SQL on `contacts`. Statements are prepared once per connection; filters are composed from fixed
// fragments with bound parameters, never from user text (house style 5). The same repo runs on the main
// connection (edits), on the import worker's connection (upserts) and on the query worker's read-only
// connection (lists, counts, exports).
import type { Statement } from 'better-sqlite3';
import type {
  Contact,
  ContactFilter,
  ContactSort,
  ContactSource,
  ImportMode,
} from '../../src-preload/contacts.contract';
import type { Db } from '../db/open';

export interface ContactRow {
  id: string;
  workspace_id: string;
  phone_e164: string;
  wa_id: string | null;
  name: string | null;
  email: string | null;
  tags: string;
  attributes: string;
  opted_out_at: number | null;
  opted_out_reason: string | null;
  source: ContactSource;
  created_at: number;
  updated_at: number;
}

/**
 * One row of an import, already validated (import/rowBuilder.ts), as an element of the JSON array an
 * import batch is sent as: [id, phone, name, email, tags, attributes]. The id is used only if the
 * row creates a contact. Tags and attributes are JSON values inside the tuple, not strings of JSON: ->>
 * returns an array's or object's JSON text, which is what is stored, so neither side escapes and unescapes
 * that text a second time. One JSON text per batch is what lets SQLite read the batch itself (jsonb_each)
 * in one statement instead of one call per row from JavaScript, and what crosses from the reader thread
 * to the writer as a single string instead of thousands of objects to clone. Nothing else goes in it:
 * every extra byte is parsed by each ->>.
 */
export type ImportRowTuple = [
  id: string,
  phone: string,
  name: string | null,
  email: string | null,
  tags: string[],
  attributes: Record<string, string>,
];

/** What one batch did; `skipped` are the phones the mode left out (add-new: exists; update: missing). */
export interface ImportBatchOutcome {
  created: number;
  updated: number;
  unchanged: number;
  skipped: string[];
}

export interface ContactPatch {
  name?: string | null;
  email?: string | null;
  tags?: string[];
  attributes?: Record<string, string>;
}

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function toContact(row: ContactRow): Contact {
  const tags = parseJson<unknown[]>(row.tags, []).map(String);
  const rawAttributes = parseJson<Record<string, unknown>>(row.attributes, {});
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(rawAttributes)) {
    attributes[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    phoneE164: row.phone_e164,
    waId: row.wa_id,
    name: row.name,
    email: row.email,
    tags,
    attributes,
    optedOutAt: row.opted_out_at,
    optedOutReason: row.opted_out_reason,
    source: row.source,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

// What "the import changes this contact" means, shared by the upsert and the update-only statement:
// a non-empty imported name/email that differs, an imported tag the contact lacks, an imported attribute
// value that differs. Blank cells never erase what is stored.
const changed = (incoming: string, stored: string): string => /* sql */ `
     (${incoming}.name IS NOT NULL AND ${incoming}.name IS NOT ${stored}.name)
  OR (${incoming}.email IS NOT NULL AND ${incoming}.email IS NOT ${stored}.email)
  OR (${incoming}.tags <> '[]' AND EXISTS (
        SELECT 1 FROM json_each(${incoming}.tags) AS t
        WHERE t.value NOT IN (SELECT value FROM json_each(${stored}.tags))))
  OR (${incoming}.attributes <> '{}' AND EXISTS (
        SELECT 1 FROM json_each(${incoming}.attributes) AS a
        WHERE NOT EXISTS (SELECT 1 FROM json_each(${stored}.attributes) AS s
                          WHERE s.key = a.key AND s.type = a.type AND s.value IS a.value)))`;

const merged = (incoming: string, stored: string): string => /* sql */ `
  name = coalesce(${incoming}.name, ${stored}.name),
  email = coalesce(${incoming}.email, ${stored}.email),
  tags = CASE WHEN ${incoming}.tags = '[]' THEN ${stored}.tags ELSE (
    SELECT json_group_array(value) FROM (
      SELECT value FROM json_each(${stored}.tags)
      UNION ALL
      SELECT t.value FROM json_each(${incoming}.tags) AS t
      WHERE t.value NOT IN (SELECT value FROM json_each(${stored}.tags)))) END,
  attributes = CASE WHEN ${incoming}.attributes = '{}' THEN ${stored}.attributes
                    ELSE json_patch(${stored}.attributes, ${incoming}.attributes) END`;

/** Composes a WHERE clause for a filter; `params` receives the bound values in order. */
function filterSql(workspaceId: string, filter: ContactFilter, params: unknown[]): string {
  const where: string[] = ['c.workspace_id = ?'];
  params.push(workspaceId);
  const search = filter.search?.trim();
  if (search) {
    const escaped = search.replace(/[\\%_]/g, (m) => '\\' + m);
    const digits = search.replace(/\D+/g, '');
    // A number is searched by its digits, so "(650) 555" finds +1650555…; words by name and email.
    if (digits.length >= 3 && /^[\d\s()+\-./]+$/.test(search)) {
      where.push(`c.phone_e164 LIKE ? ESCAPE '\\'`);
      params.push(`%${digits}%`);
    } else {
      where.push(
        `(c.name LIKE ? ESCAPE '\\' OR c.email LIKE ? ESCAPE '\\' OR c.phone_e164 LIKE ? ESCAPE '\\')`,
      );
      params.push(`%${escaped}%`, `%${escaped}%`, `%${escaped}%`);
    }
  }
  if (filter.tag) {
    where.push('EXISTS (SELECT 1 FROM json_each(c.tags) AS t WHERE t.value = ?)');
    params.push(filter.tag);
  }
  if (filter.attribute) {
    if (filter.attribute.value !== undefined && filter.attribute.value !== '') {
      where.push('EXISTS (SELECT 1 FROM json_each(c.attributes) AS a WHERE a.key = ? AND a.value = ?)');
      params.push(filter.attribute.key, filter.attribute.value);
    } else {
      where.push('EXISTS (SELECT 1 FROM json_each(c.attributes) AS a WHERE a.key = ?)');
      params.push(filter.attribute.key);
    }
  }
  if (filter.optedOut === 'opted-out') where.push('c.opted_out_at IS NOT NULL');
  if (filter.optedOut === 'opted-in') where.push('c.opted_out_at IS NULL');
  if (filter.source) {
    where.push('c.source = ?');
    params.push(filter.source);
  }
  return where.join(' AND ');
}

const orderBy: Record<ContactSort, string> = {
  recent: 'c.updated_at DESC, c.id DESC',
  phone: 'c.phone_e164 ASC',
};

/** The last row of a page, to continue after it without OFFSET (keyset paging). */
export type PageAnchor = { sort: 'recent'; updatedAt: number; id: string } | { sort: 'phone'; phone: string };

export function anchorOf(sort: ContactSort, row: ContactRow): PageAnchor {
  return sort === 'recent'
    ? { sort, updatedAt: row.updated_at, id: row.id }
    : { sort, phone: row.phone_e164 };
}

export interface ContactsRepo {
  workspaceExists(workspaceId: string): boolean;
  /**
   * Applies one import batch: `rowsJson` is a JSON array of ImportRowTuple with distinct phones, `count`
   * its length. Call inside a transaction (the counts rely on no other write landing meanwhile).
   */
  importBatch(
    workspaceId: string,
    mode: ImportMode,
    rowsJson: string,
    count: number,
    now: number,
  ): ImportBatchOutcome;
  countInWorkspace(workspaceId: string): number;
  get(workspaceId: string, contactId: string): Contact | undefined;
  getRow(workspaceId: string, contactId: string): ContactRow | undefined;
  update(workspaceId: string, contactId: string, patch: ContactPatch, now: number): Contact | undefined;
  setOptOut(
    workspaceId: string,
    contactId: string,
    optedOut: boolean,
    reason: string | null,
    now: number,
  ): Contact | undefined;
  deleteMany(workspaceId: string, contactIds: readonly string[]): number;
  /** A page; continues after `anchor` when given (keyset), else skips `offset` rows. */
  page(
    workspaceId: string,
    filter: ContactFilter,
    sort: ContactSort,
    limit: number,
    position: { anchor: PageAnchor } | { offset: number },
  ): ContactRow[];
  count(workspaceId: string, filter: ContactFilter): number;
  tagCounts(workspaceId: string, limit: number): { tag: string; count: number }[];
  attributeKeys(workspaceId: string, limit: number): string[];
  /** Every attribute key used by the contacts a filter matches (an export's columns). */
  attributeKeysMatching(workspaceId: string, filter: ContactFilter): string[];
  optedOutCount(workspaceId: string): number;
}

export function createContactsRepo(db: Db): ContactsRepo {
  const lazy = <T>(make: () => T): (() => T) => {
    let value: T | undefined;
    return () => (value ??= make());
  };

  const workspaceExists = lazy(() =>
    db.prepare<[string], number>('SELECT 1 FROM workspaces WHERE id = ?').pluck(),
  );

  // The batch's rows, read by SQLite from the JSON text (ImportRowTuple positions). jsonb_each: the text
  // is parsed once and each row's six ->> read its binary form, where json_each hands each row's tuple
  // back as text that every ->> parses again (measured ~1 µs a row less, of ~15).
  const batchRows = /* sql */ `
    SELECT j.value->>0 AS id, j.value->>1 AS phone, j.value->>2 AS name, j.value->>3 AS email,
           j.value->>4 AS tags, j.value->>5 AS attributes
    FROM jsonb_each(@rows) AS j`;
  const insertColumns = /* sql */ `
    INSERT INTO contacts (id, workspace_id, phone_e164, name, email, tags, attributes, source, created_at, updated_at)
    SELECT b.id, @workspaceId, b.phone, b.name, b.email, b.tags, b.attributes, 'import', @now, @now
    FROM (${batchRows}) AS b WHERE true`;
  type BatchParams = { workspaceId: string; rows: string; now: number };
  // No RETURNING: the counts come from the statement's change count and the table's largest rowid. A
  // row this statement creates gets the next rowid after the largest (rowids are only ever assigned by
  // SQLite here, so the largest is below 2^63-1 and the next is +1), one after another, and no other write
  // can land inside the caller's transaction; so created = largest after - largest before. An updated row
  // keeps its rowid, an unchanged row (the WHERE of DO UPDATE is false) is not counted as a change.
  // RETURNING would buffer every changed row in a temporary table and hand each back to JavaScript.
  const upsert = lazy(() =>
    db.prepare<[BatchParams]>(/* sql */ `${insertColumns}
        ON CONFLICT (workspace_id, phone_e164) DO UPDATE SET ${merged('excluded', 'contacts')},
          updated_at = excluded.updated_at
        WHERE ${changed('excluded', 'contacts')}`),
  );
  const maxRowid = lazy(() => db.prepare<[], number | null>('SELECT max(rowid) FROM contacts').pluck());
  const insertOnly = lazy(() =>
    db
      .prepare<[BatchParams], string>(
        /* sql */ `${insertColumns}
        ON CONFLICT (workspace_id, phone_e164) DO NOTHING
        RETURNING phone_e164`,
      )
      .pluck(),
  );
  // update-existing: `incoming` is the batch, so the same change test applies.
  const updateOnly = lazy(() =>
    db
      .prepare<[BatchParams], string>(
        /* sql */ `
        UPDATE contacts SET ${merged('incoming', 'contacts')}, updated_at = @now
        FROM (${batchRows}) AS incoming
        WHERE contacts.workspace_id = @workspaceId AND contacts.phone_e164 = incoming.phone
          AND (${changed('incoming', 'contacts')})
        RETURNING contacts.phone_e164`,
      )
      .pluck(),
  );
  const missingOfBatch = lazy(() =>
    db
      .prepare<[Omit<BatchParams, 'now'>], string>(
        /* sql */ `
        SELECT j.value->>1 FROM json_each(@rows) AS j
        WHERE NOT EXISTS (SELECT 1 FROM contacts WHERE workspace_id = @workspaceId AND phone_e164 = j.value->>1)`,
      )
      .pluck(),
  );
  const countAll = lazy(() =>
    db.prepare<[string], number>('SELECT count(*) FROM contacts WHERE workspace_id = ?').pluck(),
  );
  const getOne = lazy(() =>
    db.prepare<[string, string], ContactRow>('SELECT * FROM contacts WHERE workspace_id = ? AND id = ?'),
  );
  const updateFields = lazy(() =>
    db.prepare<[Record<string, unknown>], ContactRow>(/* sql */ `
      UPDATE contacts SET
        name = CASE WHEN @setName THEN @name ELSE name END,
        email = CASE WHEN @setEmail THEN @email ELSE email END,
        tags = CASE WHEN @setTags THEN @tags ELSE tags END,
        attributes = CASE WHEN @setAttributes THEN @attributes ELSE attributes END,
        updated_at = @now
      WHERE workspace_id = @workspaceId AND id = @contactId
      RETURNING *`),
  );
  const optOut = lazy(() =>
    db.prepare<[number | null, string | null, number, string, string], ContactRow>(/* sql */ `
      UPDATE contacts SET opted_out_at = ?, opted_out_reason = ?, updated_at = ?
      WHERE workspace_id = ? AND id = ?
      RETURNING *`),
  );
  const deleteOne = lazy(() =>
    db.prepare<[string, string]>('DELETE FROM contacts WHERE workspace_id = ? AND id = ?'),
  );
  const tagCounts = lazy(() =>
    db.prepare<[string, number], { tag: string; count: number }>(/* sql */ `
      SELECT t.value AS tag, count(*) AS count FROM contacts AS c, json_each(c.tags) AS t
      WHERE c.workspace_id = ? GROUP BY t.value ORDER BY count DESC, tag LIMIT ?`),
  );
  const attributeKeys = lazy(() =>
    db
      .prepare<[string, number], string>(
        /* sql */ `
      SELECT DISTINCT a.key FROM contacts AS c, json_each(c.attributes) AS a
      WHERE c.workspace_id = ? ORDER BY a.key LIMIT ?`,
      )
      .pluck(),
  );
  const optedOutCount = lazy(() =>
    db
      .prepare<[string], number>(
        'SELECT count(*) FROM contacts WHERE workspace_id = ? AND opted_out_at IS NOT NULL',
      )
      .pluck(),
  );

  // Filtered statements are composed per filter shape; cache them by their SQL text.
  const composed = new Map<string, Statement<unknown[], unknown>>();
  const statement = (sql: string): Statement<unknown[], unknown> => {
    let s = composed.get(sql);
    if (!s) {
      if (composed.size > 200) composed.clear();
      s = db.prepare<unknown[], unknown>(sql);
      composed.set(sql, s);
    }
    return s;
  };

  return {
    workspaceExists: (id) => workspaceExists().get(id) !== undefined,

    importBatch(workspaceId, mode, rowsJson, count, now) {
      const params = { workspaceId, rows: rowsJson, now };
      switch (mode) {
        case 'add-and-update': {
          const before = maxRowid().get() ?? 0;
          const changes = upsert().run(params).changes;
          const created = (maxRowid().get() ?? 0) - before;
          return { created, updated: changes - created, unchanged: count - changes, skipped: [] };
        }
        case 'add-new': {
          const inserted = insertOnly().all(params);
          if (inserted.length === count) return { created: count, updated: 0, unchanged: 0, skipped: [] };
          const insertedPhones = new Set(inserted);
          const rows = JSON.parse(rowsJson) as ImportRowTuple[];
          return {
            created: inserted.length,
            updated: 0,
            unchanged: 0,
            skipped: rows.map((r) => r[1]).filter((phone) => !insertedPhones.has(phone)),
          };
        }
        case 'update-existing': {
          const updated = updateOnly().all(params).length;
          const missing = missingOfBatch().all({ workspaceId, rows: rowsJson });
          return { created: 0, updated, unchanged: count - updated - missing.length, skipped: missing };
        }
      }
    },

    countInWorkspace: (workspaceId) => countAll().get(workspaceId) ?? 0,

    get(workspaceId, contactId) {
      const row = getOne().get(workspaceId, contactId);
      return row ? toContact(row) : undefined;
    },
    getRow: (workspaceId, contactId) => getOne().get(workspaceId, contactId),

    update(workspaceId, contactId, patch, now) {
      const row = updateFields().get({
        setName: patch.name !== undefined ? 1 : 0,
        name: patch.name ?? null,
        setEmail: patch.email !== undefined ? 1 : 0,
        email: patch.email ?? null,
        setTags: patch.tags !== undefined ? 1 : 0,
        tags: JSON.stringify(patch.tags ?? []),
        setAttributes: patch.attributes !== undefined ? 1 : 0,
        attributes: JSON.stringify(patch.attributes ?? {}),
        now,
        workspaceId,
        contactId,
      });
      return row ? toContact(row) : undefined;
    },

    setOptOut(workspaceId, contactId, optedOut, reason, now) {
      const row = optOut().get(optedOut ? now : null, optedOut ? reason : null, now, workspaceId, contactId);
      return row ? toContact(row) : undefined;
    },

    deleteMany(workspaceId, contactIds) {
      let deleted = 0;
      for (const id of contactIds) deleted += deleteOne().run(workspaceId, id).changes;
      return deleted;
    },

    page(workspaceId, filter, sort, limit, position) {
      const params: unknown[] = [];
      let where = filterSql(workspaceId, filter, params);
      let tail = `LIMIT ?`;
      if ('anchor' in position) {
        const a = position.anchor;
        if (a.sort === 'recent') {
          where += ' AND (c.updated_at, c.id) < (?, ?)';
          params.push(a.updatedAt, a.id);
        } else {
          where += ' AND c.phone_e164 > ?';
          params.push(a.phone);
        }
        params.push(limit);
      } else {
        tail = 'LIMIT ? OFFSET ?';
        params.push(limit, position.offset);
      }
      const sql = `SELECT c.* FROM contacts AS c WHERE ${where} ORDER BY ${orderBy[sort]} ${tail}`;
      return statement(sql).all(...params) as ContactRow[];
    },

    count(workspaceId, filter) {
      const params: unknown[] = [];
      const sql = `SELECT count(*) AS n FROM contacts AS c WHERE ${filterSql(workspaceId, filter, params)}`;
      return (statement(sql).get(...params) as { n: number }).n;
    },

    attributeKeysMatching(workspaceId, filter) {
      const params: unknown[] = [];
      const sql = `SELECT DISTINCT a.key AS key FROM contacts AS c, json_each(c.attributes) AS a
        WHERE ${filterSql(workspaceId, filter, params)} ORDER BY a.key`;
      return (statement(sql).all(...params) as { key: string }[]).map((r) => r.key);
    },

    tagCounts: (workspaceId, limit) => tagCounts().all(workspaceId, limit),
    attributeKeys: (workspaceId, limit) => attributeKeys().all(workspaceId, limit),
    optedOutCount: (workspaceId) => optedOutCount().get(workspaceId) ?? 0,
  };
}
