// The store's schema ledger and the initial schema's constraints, on real SQLite files.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatabaseTooNewError, migrate, type Migration } from '../../src-main/db/migrate';
import { migrations, SCHEMA_VERSION } from '../../src-main/db/migrations';
import { openDatabase, schemaVersionOf, type Db } from '../../src-main/db/open';
import { useTempDirs } from '../helpers/tempDir';

const temp = useTempDirs();

function openFresh(): Db {
  const db = openDatabase(join(temp.dir(), 'bellhop.sqlite'));
  return db;
}

function tables(db: Db): { name: string; strict: number }[] {
  return db
    .prepare<[], { name: string; strict: number }>(
      `SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%'`,
    )
    .all();
}

/**
 * Test files (under test/) that seed a database at version N-1 and migrate it: a migration that moves
 * data counts as tested when a test file names it and calls migrate with `toVersion: N-1`. Kept by
 * convention rather than a shared list, so each domain's data test lives beside its domain's tests.
 */
function testFilesSeedingBefore(migration: Migration): string[] {
  const root = join(__dirname, '..');
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(root, f))
    .filter((f) => f !== __filename);
  const bySource = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
  // The seeding may live in a helper the test file imports (e.g. chatbots.migrationData.ts).
  // Either the number itself or the migration object's own (`{ toVersion: step.version - 1 }`), which
  // survives a renumbering when branches that each added a migration are merged.
  const seeds = (source: string): boolean =>
    source.includes(`toVersion: ${migration.version - 1}`) || /toVersion: \w+\.version - 1\b/.test(source);
  return files.filter((file) => {
    const source = bySource.get(file)!;
    if (!source.includes(migration.name) || !file.endsWith('.test.ts')) return false;
    if (seeds(source)) return true;
    const helpers = [...source.matchAll(/from '(\.[^']+)'/g)].map((m) => join(dirname(file), `${m[1]}.ts`));
    return helpers.some((h) => bySource.has(h) && seeds(bySource.get(h)!));
  });
}

describe('migration ledger', () => {
  it('creates the whole schema on an empty database and records SCHEMA_VERSION in user_version', () => {
    const db = temp.openMigrated();
    expect(schemaVersionOf(db)).toBe(SCHEMA_VERSION);
    const names = tables(db).map((t) => t.name);
    for (const table of [
      'workspaces',
      'connections',
      'contacts',
      'conversations',
      'messages',
      'templates',
      'campaigns',
      'campaign_recipients',
      'campaign_messages',
      'jobs',
      'webhook_events',
      'chatbots',
      'chatbot_rules',
      'settings',
      'rate_limit_state',
      'lock_fences',
      'sequences',
    ]) {
      expect(names).toContain(table);
    }
    expect(tables(db).filter((t) => t.strict !== 1)).toEqual([]);
  });

  it('is a no-op on an up-to-date database', () => {
    const db = temp.openMigrated();
    db.prepare(`INSERT INTO settings (key, value, updated_at) VALUES ('k', '1', 1)`).run();
    const again = migrate(db, migrations);
    expect(again).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
    expect(db.prepare(`SELECT value FROM settings WHERE key = 'k'`).pluck().get()).toBe('1');
  });

  it('refuses a database written by a newer version, with a clear message, and changes nothing', () => {
    const file = join(temp.dir(), 'bellhop.sqlite');
    const future = openDatabase(file);
    migrate(future, migrations);
    future
      .prepare(`INSERT INTO settings (key, value, updated_at) VALUES ('written_by', '"future"', 1)`)
      .run();
    future.pragma(`user_version = ${SCHEMA_VERSION + 3}`);
    future.close();

    const db = openDatabase(file);
    try {
      let caught: unknown;
      try {
        migrate(db, migrations);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(DatabaseTooNewError);
      expect((caught as Error).message).toContain('newer version of Bellhop');
      expect((caught as Error).message).toContain(`schema ${SCHEMA_VERSION + 3}`);
      expect((caught as Error).message).toContain(`up to ${SCHEMA_VERSION}`);
      expect(schemaVersionOf(db)).toBe(SCHEMA_VERSION + 3);
      expect(db.prepare(`SELECT value FROM settings WHERE key = 'written_by'`).pluck().get()).toBe(
        '"future"',
      );
    } finally {
      db.close();
    }
  });

  it('refuses a migration list with a gap or out of order', () => {
    const db = openFresh();
    const step = (version: number): Migration => ({
      version,
      name: `v${version}`,
      movesData: false,
      up: () => {},
    });
    expect(() => migrate(db, [step(1), step(3)])).toThrow(/out of order/);
    expect(() => migrate(db, [step(2), step(1)])).toThrow(/out of order/);
    expect(schemaVersionOf(db)).toBe(0);
    db.close();
  });

  it('rolls a failing migration back completely: its tables are gone and the ledger stays at the last good step', () => {
    const db = openFresh();
    const list: Migration[] = [
      {
        version: 1,
        name: 'one',
        movesData: false,
        up: (d) => d.exec('CREATE TABLE one (id TEXT PRIMARY KEY) STRICT'),
      },
      {
        version: 2,
        name: 'two',
        movesData: false,
        up: (d) => {
          d.exec('CREATE TABLE two (id TEXT PRIMARY KEY) STRICT');
          throw new Error('boom in step two');
        },
      },
    ];
    expect(() => migrate(db, list)).toThrow('boom in step two');
    expect(schemaVersionOf(db)).toBe(1);
    expect(tables(db).map((t) => t.name)).toEqual(['one']);
    db.close();
  });

  it('refuses a migration that leaves a dangling foreign key', () => {
    const db = openFresh();
    const list: Migration[] = [
      {
        version: 1,
        name: 'parents',
        movesData: false,
        up: (d) =>
          d.exec(`CREATE TABLE parents (id TEXT PRIMARY KEY) STRICT;
                  CREATE TABLE children (id TEXT PRIMARY KEY, parent_id TEXT NOT NULL REFERENCES parents(id)) STRICT;`),
      },
      {
        version: 2,
        name: 'orphan',
        movesData: true,
        up: (d) => d.exec(`INSERT INTO children (id, parent_id) VALUES ('c', 'missing')`),
      },
    ];
    expect(() => migrate(db, list)).toThrow(/broken foreign key/);
    expect(schemaVersionOf(db)).toBe(1);
    expect(db.prepare('SELECT count(*) FROM children').pluck().get()).toBe(0);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('a step that names the tables it moved is checked on their references, both ways', () => {
    const schema: Migration = {
      version: 1,
      name: 'family',
      movesData: false,
      up: (d) =>
        d.exec(`CREATE TABLE grandparents (id TEXT PRIMARY KEY) STRICT;
                CREATE TABLE parents (id TEXT PRIMARY KEY, grandparent_id TEXT REFERENCES grandparents(id)) STRICT;
                CREATE TABLE children (id TEXT PRIMARY KEY, parent_id TEXT NOT NULL REFERENCES parents(id)) STRICT;
                INSERT INTO grandparents (id) VALUES ('g');
                INSERT INTO parents (id, grandparent_id) VALUES ('p', 'g');
                INSERT INTO children (id, parent_id) VALUES ('c', 'p');`),
    };
    const rebuildParents = (sql: string): Migration => ({
      version: 2,
      name: 'rebuild-parents',
      movesData: true,
      movedTables: ['parents'],
      up: (d) =>
        d.exec(`CREATE TABLE parents_new (id TEXT PRIMARY KEY, grandparent_id TEXT REFERENCES grandparents(id)) STRICT;
                ${sql}
                DROP TABLE parents;
                ALTER TABLE parents_new RENAME TO parents;`),
    });
    const cases = [
      // A child left pointing at a parent the rebuild lost.
      "INSERT INTO parents_new (id, grandparent_id) VALUES ('other', 'g');",
      // A moved row pointing at a grandparent that does not exist.
      "INSERT INTO parents_new (id, grandparent_id) VALUES ('p', 'nobody');",
    ];
    for (const sql of cases) {
      const db = openFresh();
      expect(() => migrate(db, [schema, rebuildParents(sql)])).toThrow(/1 broken foreign key/);
      expect(schemaVersionOf(db)).toBe(1);
      expect(db.prepare('SELECT id, grandparent_id FROM parents').raw().all()).toEqual([['p', 'g']]);
      db.close();
    }
    const db = openFresh();
    const faithful = 'INSERT INTO parents_new (id, grandparent_id) SELECT id, grandparent_id FROM parents;';
    expect(migrate(db, [schema, rebuildParents(faithful)]).to).toBe(2);
    expect(db.prepare('SELECT parent_id FROM children').pluck().all()).toEqual(['p']);
    db.close();
  });

  it('seeds data at version N-1, migrates to N, and the data moved (the harness every data migration uses)', () => {
    // A stand-in pair of migrations: v2 rebuilds a table to split a column, with a backfill.
    const list: Migration[] = [
      {
        version: 1,
        name: 'people',
        movesData: false,
        up: (d) => d.exec('CREATE TABLE people (id TEXT PRIMARY KEY, full_name TEXT NOT NULL) STRICT'),
      },
      {
        version: 2,
        name: 'split-names',
        movesData: true,
        up: (d) =>
          d.exec(`
            CREATE TABLE people_new (id TEXT PRIMARY KEY, first_name TEXT NOT NULL, last_name TEXT) STRICT;
            INSERT INTO people_new (id, first_name, last_name)
              SELECT id,
                     CASE WHEN instr(full_name, ' ') > 0 THEN substr(full_name, 1, instr(full_name, ' ') - 1) ELSE full_name END,
                     CASE WHEN instr(full_name, ' ') > 0 THEN substr(full_name, instr(full_name, ' ') + 1) END
                FROM people;
            DROP TABLE people;
            ALTER TABLE people_new RENAME TO people;`),
      },
    ];
    const db = openFresh();
    expect(migrate(db, list, { toVersion: 1 })).toMatchObject({ from: 0, to: 1 });
    const insert = db.prepare('INSERT INTO people (id, full_name) VALUES (?, ?)');
    insert.run('a', 'Ada Lovelace');
    insert.run('b', 'Pelé');
    insert.run('c', 'Maria da Silva');
    expect(migrate(db, list)).toEqual({ from: 1, to: 2, applied: ['2-split-names'] });
    expect(db.prepare('SELECT id, first_name, last_name FROM people ORDER BY id').all()).toEqual([
      { id: 'a', first_name: 'Ada', last_name: 'Lovelace' },
      { id: 'b', first_name: 'Pelé', last_name: null },
      { id: 'c', first_name: 'Maria', last_name: 'da Silva' },
    ]);
    db.close();
  });

  it('every migration that moves data has a test that seeds it at N-1 and migrates', () => {
    const missing = migrations
      .filter((m) => m.movesData && testFilesSeedingBefore(m).length === 0)
      .map(
        (m) =>
          `${m.version}-${m.name}: no test file names it and migrates from { toVersion: ${m.version - 1} }`,
      );
    expect(missing).toEqual([]);
  });

  it('the guard above really looks: a data migration without a test is reported', () => {
    const untested: Migration = {
      version: 99,
      name: 'no-such-migration-anywhere',
      movesData: true,
      up: () => {},
    };
    expect(testFilesSeedingBefore(untested)).toEqual([]);
  });
});

describe('0001-initial: the constraints the product relies on', () => {
  function seed(db: Db): void {
    db.exec(`
      INSERT INTO workspaces (id, name, created_at, updated_at) VALUES ('w1', 'Shop', 1, 1), ('w2', 'Other', 1, 1);
      INSERT INTO connections (id, workspace_id, kind, name, phone_number_id, waba_id, api_version, token_enc,
                               app_secret_enc, verify_token, created_at, updated_at)
        VALUES ('c1', 'w1', 'cloud', 'Main', '106540352242922', '102290129340398', 'v24.0', x'01', x'02', 'vt', 1, 1);
      INSERT INTO contacts (id, workspace_id, phone_e164, source, created_at, updated_at)
        VALUES ('k1', 'w1', '+16505551234', 'import', 1, 1);
      INSERT INTO conversations (id, connection_id, contact_id, source, created_at, updated_at)
        VALUES ('v1', 'c1', 'k1', 'inbound', 1, 1);
    `);
  }
  const outbound = (db: Db, id: string, wamid: string | null, clientId: string | null): unknown =>
    db
      .prepare(
        `INSERT INTO messages (id, conversation_id, direction, origin, type, body, status, wamid, client_id, created_at, updated_at)
         VALUES (?, 'v1', 'outbound', 'agent', 'text', '{"body":"hi"}', 'pending', ?, ?, 1, 1)`,
      )
      .run(id, wamid, clientId);
  const inbound = (db: Db, id: string, wamid: string): unknown =>
    db
      .prepare(
        `INSERT INTO messages (id, conversation_id, direction, origin, type, body, status, wamid, created_at, updated_at)
         VALUES (?, 'v1', 'inbound', 'customer', 'text', '{"body":"hello"}', 'received', ?, 1, 1)`,
      )
      .run(id, wamid);

  it('connections: 100/min by default, a real phone-number id only once, sandbox numbers may repeat', () => {
    const db = temp.openMigrated();
    seed(db);
    expect(db.prepare(`SELECT rate_limit_per_minute, status FROM connections WHERE id = 'c1'`).get()).toEqual(
      {
        rate_limit_per_minute: 100,
        status: 'active',
      },
    );
    const add = db.prepare(
      `INSERT INTO connections (id, workspace_id, kind, name, phone_number_id, waba_id, api_version, token_enc,
                                app_secret_enc, verify_token, rate_limit_per_minute, created_at, updated_at)
       VALUES (?, 'w2', ?, 'n', ?, 'waba', 'v24.0', x'01', x'02', 'vt', ?, 1, 1)`,
    );
    expect(() => add.run('c2', 'cloud', '106540352242922', 100)).toThrow(/UNIQUE/);
    add.run('s1', 'sandbox', 'SANDBOX-1', 100);
    add.run('s2', 'sandbox', 'SANDBOX-1', 100);
    expect(() => add.run('c3', 'cloud', '999', 4801)).toThrow(/CHECK/);
    expect(() => add.run('c4', 'satellite', '998', 100)).toThrow(/CHECK/);
  });

  it('contacts: one per workspace and E.164 number; the same number may exist in another workspace', () => {
    const db = temp.openMigrated();
    seed(db);
    const add = db.prepare(
      `INSERT INTO contacts (id, workspace_id, phone_e164, source, created_at, updated_at) VALUES (?, ?, ?, 'import', 1, 1)`,
    );
    expect(() => add.run('k2', 'w1', '+16505551234')).toThrow(/UNIQUE/);
    add.run('k3', 'w2', '+16505551234');
    const upsert = db.prepare(
      `INSERT INTO contacts (id, workspace_id, phone_e164, name, source, created_at, updated_at)
       VALUES (?, 'w1', '+16505551234', 'Ann', 'inbound', 2, 2)
       ON CONFLICT (workspace_id, phone_e164) DO UPDATE SET name = excluded.name`,
    );
    upsert.run('k4');
    expect(db.prepare(`SELECT id, name FROM contacts WHERE workspace_id = 'w1'`).all()).toEqual([
      { id: 'k1', name: 'Ann' },
    ]);
    for (const bad of ['16505551234', '+1 650 555 1234', '+0123456', '+1650555123456789']) {
      expect(() => add.run(`bad-${bad}`, 'w1', bad)).toThrow(/CHECK/);
    }
    expect(() => db.prepare(`UPDATE contacts SET tags = '{"not":"an array"}' WHERE id = 'k1'`).run()).toThrow(
      /CHECK/,
    );
  });

  it('messages: wamid indexed but not unique for outbound, unique for inbound; client_id unique and required outbound', () => {
    const db = temp.openMigrated();
    seed(db);
    outbound(db, 'm1', 'wamid.SAME', 'client-1');
    outbound(db, 'm2', 'wamid.SAME', 'client-2');
    expect(() => outbound(db, 'm3', null, 'client-1')).toThrow(/UNIQUE/);
    expect(() => outbound(db, 'm4', null, null)).toThrow(/CHECK/);
    inbound(db, 'i1', 'wamid.IN');
    expect(() => inbound(db, 'i2', 'wamid.IN')).toThrow(/UNIQUE/);
    const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT id FROM messages WHERE wamid = ?`).all('x') as {
      detail: string;
    }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING (COVERING )?INDEX/);
  });

  it('campaign messages: one per recipient; a wamid shared with a regular message is fine', () => {
    const db = temp.openMigrated();
    seed(db);
    outbound(db, 'm1', 'wamid.SHARED', 'client-1');
    db.exec(`
      INSERT INTO campaigns (id, workspace_id, connection_id, template_name, template_language, name, created_at, updated_at)
        VALUES ('cp1', 'w1', 'c1', 'promo', 'en_US', 'Spring', 1, 1);
      INSERT INTO campaign_recipients (id, campaign_id, contact_id, phone_e164, created_at, updated_at)
        VALUES ('r1', 'cp1', 'k1', '+16505551234', 1, 1);
      INSERT INTO campaign_messages (id, campaign_id, campaign_recipient_id, client_id, wamid, created_at, updated_at)
        VALUES ('cm1', 'cp1', 'r1', 'send-r1', 'wamid.SHARED', 1, 1);
    `);
    expect(() =>
      db.exec(`INSERT INTO campaign_messages (id, campaign_id, campaign_recipient_id, client_id, created_at, updated_at)
               VALUES ('cm2', 'cp1', 'r1', 'send-r1-again', 1, 1)`),
    ).toThrow(/UNIQUE/);
    expect(() =>
      db.exec(`INSERT INTO campaign_recipients (id, campaign_id, contact_id, phone_e164, created_at, updated_at)
               VALUES ('r2', 'cp1', 'k1', '+16505551234', 1, 1)`),
    ).toThrow(/UNIQUE/);
    expect(() => db.exec(`UPDATE campaigns SET sent_count = sent_count - 1 WHERE id = 'cp1'`)).toThrow(
      /CHECK/,
    );
  });

  it('templates and conversations: unique on their natural keys', () => {
    const db = temp.openMigrated();
    seed(db);
    const tpl = db.prepare(
      `INSERT INTO templates (id, connection_id, name, language, category, status, created_at, updated_at)
       VALUES (?, 'c1', 'order_update', ?, 'UTILITY', 'APPROVED', 1, 1)`,
    );
    tpl.run('t1', 'en_US');
    tpl.run('t2', 'pt_BR');
    expect(() => tpl.run('t3', 'en_US')).toThrow(/UNIQUE/);
    expect(() =>
      db.exec(`INSERT INTO conversations (id, connection_id, contact_id, source, created_at, updated_at)
               VALUES ('v2', 'c1', 'k1', 'template_send', 1, 1)`),
    ).toThrow(/UNIQUE/);
  });

  it('jobs: a unique key allows one live job, and again once that job is gone', () => {
    const db = temp.openMigrated();
    const add = db.prepare(
      `INSERT INTO jobs (id, queue, type, payload, run_at, max_attempts, unique_key, created_at, updated_at)
       VALUES (?, 'default', 't', '{}', 1, 5, 'only-one', 1, 1)`,
    );
    add.run('j1');
    expect(() => add.run('j2')).toThrow(/UNIQUE/);
    db.exec(`UPDATE jobs SET state = 'dead' WHERE id = 'j1'`);
    add.run('j3');
    expect(() => db.exec(`UPDATE jobs SET state = 'running' WHERE id = 'j3'`)).toThrow(/CHECK/);
  });

  it('webhook events keep raw bytes, and a failed or unparseable event must say why', () => {
    const db = temp.openMigrated();
    seed(db);
    const raw = Buffer.from('{"object":"whatsapp_business_account","x":"\\u00e9"}');
    db.prepare(
      `INSERT INTO webhook_events (id, connection_id, received_at, raw_body) VALUES ('e1', 'c1', 1, ?)`,
    ).run(raw);
    expect(db.prepare(`SELECT raw_body FROM webhook_events WHERE id = 'e1'`).pluck().get()).toEqual(raw);
    expect(() => db.exec(`UPDATE webhook_events SET state = 'unparseable' WHERE id = 'e1'`)).toThrow(/CHECK/);
    db.exec(`UPDATE webhook_events SET state = 'unparseable', reason = 'not JSON' WHERE id = 'e1'`);
  });

  it('foreign keys are enforced and deleting a workspace removes everything under it', () => {
    const db = temp.openMigrated();
    seed(db);
    outbound(db, 'm1', null, 'client-1');
    expect(() =>
      db.exec(`INSERT INTO contacts (id, workspace_id, phone_e164, source, created_at, updated_at)
               VALUES ('kx', 'nope', '+16505550000', 'manual', 1, 1)`),
    ).toThrow(/FOREIGN KEY/);
    db.exec(`DELETE FROM workspaces WHERE id = 'w1'`);
    for (const table of ['connections', 'contacts', 'conversations', 'messages']) {
      expect(db.prepare(`SELECT count(*) FROM ${table}`).pluck().get()).toBe(0);
    }
  });

  it('STRICT: a value of the wrong type is refused, not coerced', () => {
    const db = temp.openMigrated();
    expect(() =>
      db.exec(`INSERT INTO workspaces (id, name, created_at, updated_at) VALUES ('w', 'n', 'yesterday', 1)`),
    ).toThrow(/cannot store TEXT value in INTEGER column/);
  });
});
