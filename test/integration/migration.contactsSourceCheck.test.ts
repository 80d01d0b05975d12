// Migration contacts-source-check: the contacts table is rebuilt with its `source` CHECK written as a
// chain of `=` (cheaper per row than IN), everything else unchanged. A store at the previous schema keeps
// every contact (rowid included: audiences list contacts in rowid order), every reference to them and every
// index; and the rebuilt table accepts and refuses exactly the values the old one did.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src-main/db/migrate';
import { migrations } from '../../src-main/db/migrations';
import { contactsSourceCheck } from '../../src-main/db/migrations/0014-contacts-source-check';
import { openDatabase, type Db } from '../../src-main/db/open';
import { useTempDirs } from '../helpers/tempDir';

const temp = useTempDirs();
function openAt(version: number): Db {
  const db = openDatabase(join(temp.dir(), 'bellhop.sqlite'));
  migrate(db, migrations, { toVersion: version });
  return db;
}

/** A store at the schema before this migration. */
function openBefore(): Db {
  const db = openDatabase(join(temp.dir(), 'bellhop.sqlite'));
  migrate(db, migrations, { toVersion: contactsSourceCheck.version - 1 });
  return db;
}

/** A workspace with a connection, a campaign and an import record, at whatever schema `db` is. */
function seedWorkspace(db: Db): void {
  db.exec(`
    INSERT INTO workspaces (id, name, created_at, updated_at) VALUES ('w1', 'Shop', 1, 1), ('w2', 'Other', 1, 1);
    INSERT INTO connections (id, workspace_id, kind, name, phone_number_id, waba_id, api_version, token_enc,
                             app_secret_enc, verify_token, created_at, updated_at)
      VALUES ('k1', 'w1', 'sandbox', 'Main', 'S1', 'W1', 'v24.0', x'01', x'02', 'vt', 1, 1);
    INSERT INTO campaigns (id, workspace_id, connection_id, template_name, template_language, name, created_at, updated_at)
      VALUES ('cp1', 'w1', 'k1', 'hello', 'en_US', 'Spring', 1, 1);
    INSERT INTO contact_imports (id, workspace_id, file_name, status, started_at, finished_at)
      VALUES ('im1', 'w1', 'list.csv', 'done', 1, 2);
  `);
}

const sources = ['manual', 'import', 'inbound', 'template_send', 'campaign', 'sandbox'] as const;

/** Contacts of every source, opted out or not, with tags, attributes, e-mail and WhatsApp ids. */
function seedContacts(db: Db): void {
  const insert = db.prepare(
    `INSERT INTO contacts (id, workspace_id, phone_e164, wa_id, name, email, tags, attributes, opted_out_at,
       opted_out_reason, source, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (let i = 0; i < 60; i++) {
    const optedOut = i % 7 === 0;
    insert.run(
      `c${String(i).padStart(3, '0')}`,
      i % 5 === 0 ? 'w2' : 'w1',
      `+1650555${String(1000 + i)}`,
      i % 3 === 0 ? `1650555${String(1000 + i)}` : null,
      i % 4 === 0 ? null : `Customer ${i} “ünïcode”`,
      i % 6 === 0 ? null : `c${i}@example.com`,
      JSON.stringify(i % 2 === 0 ? ['vip', `t${i}`] : []),
      JSON.stringify(i % 3 === 0 ? { City: 'Porto', Plan: `p${i}` } : {}),
      optedOut ? 1000 + i : null,
      optedOut ? 'asked by phone' : null,
      sources[i % sources.length],
      100 + i,
      200 + i,
    );
  }
  // A gap in the rowids (a deleted contact): the rebuilt table must keep the others' rowids, not renumber.
  db.prepare("DELETE FROM contacts WHERE id = 'c010'").run();
  db.exec(`
    INSERT INTO conversations (id, connection_id, contact_id, source, created_at, updated_at)
      VALUES ('v1', 'k1', 'c001', 'inbound', 1, 1), ('v2', 'k1', 'c002', 'campaign', 1, 1);
    INSERT INTO campaign_recipients (id, campaign_id, contact_id, phone_e164, created_at, updated_at)
      VALUES ('r1', 'cp1', 'c003', '+16505551003', 1, 1), ('r2', 'cp1', 'c004', '+16505551004', 1, 1);
    INSERT INTO contact_import_members (import_id, contact_id) VALUES ('im1', 'c001'), ('im1', 'c006');
  `);
}

const dump = (db: Db, sql: string): unknown[] => db.prepare(sql).raw().all();

/** Every name of the schema touching contacts, with its SQL except the table's own (which changes). */
function contactsSchema(db: Db): unknown[] {
  return dump(
    db,
    `SELECT type, name, tbl_name, CASE WHEN type = 'table' AND name = 'contacts' THEN NULL ELSE sql END
     FROM sqlite_schema WHERE tbl_name = 'contacts' ORDER BY name`,
  );
}

/** Values to try for each checked column of contacts: the accepted ones and every kind of refused one. */
const probes: { column: string; values: unknown[] }[] = [
  {
    column: 'source',
    values: [
      ...sources,
      'Import',
      'IMPORT',
      'import ',
      ' import',
      'imported',
      'impor',
      '',
      'other',
      'manual,import',
      "('manual')",
      'template-send',
      'Sandbox',
      'campaign\u0000',
      'inbound\n',
      null,
    ],
  },
  {
    column: 'phone_e164',
    values: [
      '+16505551234',
      '+123',
      '+1234567890123456',
      '+12345678901234567',
      '+0123',
      '16505551234',
      '+1 650',
      '+1650a',
      '',
      null,
    ],
  },
  { column: 'tags', values: ['[]', '["a"]', '{}', '[', '"a"', '[1,]', null] },
  { column: 'attributes', values: ['{}', '{"a":"b"}', '[]', '{', '{"a":1,}', null] },
  { column: 'email', values: [null, 'a@b.c', 'x'.repeat(320), 'x'.repeat(321)] },
];

/** For each probe, whether the table accepts a contact with that value (the rest valid). */
function acceptance(db: Db): Record<string, boolean[]> {
  const outcome: Record<string, boolean[]> = {};
  db.exec("INSERT OR IGNORE INTO workspaces (id, name, created_at, updated_at) VALUES ('wp', 'Probe', 1, 1)");
  let n = 0;
  for (const { column, values } of probes) {
    outcome[column] = values.map((value) => {
      const row: Record<string, unknown> = {
        id: `probe${++n}`,
        phone_e164: `+1999555${String(1000 + n)}`,
        tags: '[]',
        attributes: '{}',
        email: null,
        source: 'manual',
        [column]: value,
      };
      try {
        db.prepare(
          `INSERT INTO contacts (id, workspace_id, phone_e164, email, tags, attributes, source, created_at, updated_at)
           VALUES (@id, 'wp', @phone_e164, @email, @tags, @attributes, @source, 1, 1)`,
        ).run(row);
        return true;
      } catch (error) {
        expect(String(error)).toMatch(/constraint failed|malformed JSON/);
        return false;
      }
    });
  }
  return outcome;
}

describe('migration contacts-source-check', () => {
  it('is in the list and declares that it moves data', () => {
    expect(migrations.at(contactsSourceCheck.version - 1)).toBe(contactsSourceCheck);
    expect(contactsSourceCheck.movesData).toBe(true);
  });

  it('keeps every contact, its rowid, every reference to it and every index of the table', () => {
    const db = openBefore();
    seedWorkspace(db);
    seedContacts(db);
    const contactsBefore = dump(db, 'SELECT rowid, * FROM contacts ORDER BY rowid');
    const referencesBefore = [
      dump(db, 'SELECT * FROM conversations ORDER BY id'),
      dump(db, 'SELECT * FROM campaign_recipients ORDER BY id'),
      dump(db, 'SELECT * FROM contact_import_members ORDER BY contact_id'),
    ];
    const schemaBefore = contactsSchema(db);

    expect(migrate(db, migrations, { toVersion: contactsSourceCheck.version }).applied).toEqual([
      `${contactsSourceCheck.version}-${contactsSourceCheck.name}`,
    ]);

    expect(contactsBefore).toHaveLength(59);
    expect(dump(db, 'SELECT rowid, * FROM contacts ORDER BY rowid')).toEqual(contactsBefore);
    expect([
      dump(db, 'SELECT * FROM conversations ORDER BY id'),
      dump(db, 'SELECT * FROM campaign_recipients ORDER BY id'),
      dump(db, 'SELECT * FROM contact_import_members ORDER BY contact_id'),
    ]).toEqual(referencesBefore);
    expect(contactsSchema(db)).toEqual(schemaBefore);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    // The opted-out list and the recent-first page still read their indexes.
    const plans = [
      "SELECT count(*) FROM contacts WHERE workspace_id = 'w1' AND opted_out_at IS NOT NULL",
      "SELECT * FROM contacts WHERE workspace_id = 'w1' ORDER BY updated_at DESC, id DESC LIMIT 10",
      "SELECT * FROM contacts WHERE workspace_id = 'w1' AND phone_e164 = '+16505551001'",
    ].map((sql) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[])
        .map((row) => row.detail)
        .join(' | '),
    );
    expect(plans[0]).toMatch(/contacts_workspace_opted_out/);
    expect(plans[1]).toMatch(/contacts_workspace_updated/);
    expect(plans[2]).toMatch(/sqlite_autoindex_contacts_2/);
    db.close();
  });

  it('the references still act on the rebuilt table: cascade, set null, the unique number', () => {
    const db = openBefore();
    seedWorkspace(db);
    seedContacts(db);
    migrate(db, migrations, { toVersion: contactsSourceCheck.version });

    db.prepare("DELETE FROM contacts WHERE id IN ('c001', 'c003')").run();
    expect(dump(db, 'SELECT id FROM conversations ORDER BY id')).toEqual([['v2']]);
    expect(dump(db, 'SELECT id, contact_id FROM campaign_recipients ORDER BY id')).toEqual([
      ['r1', null],
      ['r2', 'c004'],
    ]);
    expect(dump(db, 'SELECT contact_id FROM contact_import_members')).toEqual([['c006']]);
    expect(() =>
      db.exec(`INSERT INTO conversations (id, connection_id, contact_id, source, created_at, updated_at)
               VALUES ('v3', 'k1', 'no-such-contact', 'inbound', 1, 1)`),
    ).toThrow(/FOREIGN KEY/);
    expect(() =>
      db.exec(`INSERT INTO contacts (id, workspace_id, phone_e164, source, created_at, updated_at)
               VALUES ('dup', 'w1', '+16505551002', 'manual', 1, 1)`),
    ).toThrow(/UNIQUE/);
    // Deleting a workspace still takes its contacts with it.
    db.prepare("DELETE FROM workspaces WHERE id = 'w2'").run();
    expect(db.prepare("SELECT count(*) FROM contacts WHERE workspace_id = 'w2'").pluck().get()).toBe(0);
    db.close();
  });

  it('accepts and refuses exactly the values the table did before', () => {
    const old = openBefore();
    const previous = acceptance(old);
    old.close();
    const db = openAt(contactsSourceCheck.version);
    const now = acceptance(db);
    db.close();

    expect(now).toEqual(previous);
    // And the rule itself, spelled out: the six sources pass, nothing else does.
    expect(now.source).toEqual(probes[0]!.values.map((v) => (sources as readonly unknown[]).includes(v)));
  });

  it('runs on a store with no contacts', () => {
    const db = openBefore();
    migrate(db, migrations, { toVersion: contactsSourceCheck.version });
    expect(db.prepare('SELECT count(*) FROM contacts').pluck().get()).toBe(0);
    db.close();
  });
});
