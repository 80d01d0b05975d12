// Migration 0003 (chatbot rules v2) on real SQLite files: the data move, an empty database, and the
// constraints of the new tables.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src-main/db/migrate';
import { migrations } from '../../src-main/db/migrations';
import { openDatabase, type Db } from '../../src-main/db/open';
import { useTempDirs } from '../helpers/tempDir';
import { checkChatbotRulesV2Migration } from './chatbots.migrationData';

const temp = useTempDirs();
// Each caller closes what it opens (the data check closes its database itself).
const openFresh = (): Db => openDatabase(join(temp.dir(), 'bellhop.sqlite'));

describe('0003-chatbot-rules-v2', () => {
  it('is registered right after 0002 and declares that it moves data', () => {
    const step = migrations.find((migration) => migration.name === 'chatbot-rules-v2');
    expect(step).toMatchObject({ version: 3, movesData: true });
    expect(migrations[2]).toBe(step);
  });

  it('moves v1 rules into the v2 shape and archives what it could not express', () => {
    checkChatbotRulesV2Migration(openFresh);
  });

  it('runs on a database with no chatbots at all', () => {
    const db = openFresh();
    migrate(db, migrations, { toVersion: 2 });
    expect(migrate(db, migrations, { toVersion: 3 }).applied).toEqual(['3-chatbot-rules-v2']);
    expect(db.prepare('SELECT count(*) FROM chatbot_rules').pluck().get()).toBe(0);
    db.close();
  });

  it('the new tables refuse shapeless values', () => {
    const db = temp.openMigrated();
    db.exec(`
      INSERT INTO workspaces (id, name, created_at, updated_at) VALUES ('w1', 'Shop', 1, 1);
      INSERT INTO connections (id, workspace_id, kind, name, phone_number_id, waba_id, api_version, token_enc,
                               app_secret_enc, verify_token, created_at, updated_at)
        VALUES ('c1', 'w1', 'sandbox', 'Main', 'S1', 'W1', 'v24.0', x'01', x'02', 'vt', 1, 1);
      INSERT INTO contacts (id, workspace_id, phone_e164, source, created_at, updated_at) VALUES ('k1', 'w1', '+16505551234', 'manual', 1, 1);
      INSERT INTO conversations (id, connection_id, contact_id, source, created_at, updated_at) VALUES ('v1', 'c1', 'k1', 'inbound', 1, 1);
      INSERT INTO chatbots (id, workspace_id, name, created_at, updated_at) VALUES ('b1', 'w1', 'Bot', 1, 1);
    `);
    const rule = db.prepare(
      `INSERT INTO chatbot_rules (id, chatbot_id, position, name, trigger, actions, created_at, updated_at) VALUES (?, 'b1', 0, 'R', ?, ?, 1, 1)`,
    );
    rule.run('ok', '{"type":"fallback"}', '[]');
    expect(() => rule.run('bad-type', '{"type":"sometimes"}', '[]')).toThrow(/CHECK/);
    expect(() => rule.run('bad-actions', '{"type":"fallback"}', '{}')).toThrow(/CHECK/);
    expect(() => db.exec(`UPDATE chatbots SET business_hours = '[]' WHERE id = 'b1'`)).toThrow(/CHECK/);
    expect(() =>
      db.exec(
        `INSERT INTO chatbot_conversation_state (conversation_id, away_sent_local_date, away_sent_at, updated_at) VALUES ('v1', 'yesterday', 1, 1)`,
      ),
    ).toThrow(/CHECK/);
    expect(() =>
      db.exec(
        `INSERT INTO chatbot_conversation_state (conversation_id, handoff_note, updated_at) VALUES ('v1', 'note without handoff', 1)`,
      ),
    ).toThrow(/CHECK/);
    // Deleting the conversation removes its bot state; deleting the bot removes its rules.
    db.exec(
      `INSERT INTO chatbot_conversation_state (conversation_id, away_sent_local_date, away_sent_at, updated_at) VALUES ('v1', '2025-06-02', 1, 1)`,
    );
    db.exec(`DELETE FROM conversations WHERE id = 'v1'`);
    expect(db.prepare('SELECT count(*) FROM chatbot_conversation_state').pluck().get()).toBe(0);
    db.exec(`DELETE FROM chatbots WHERE id = 'b1'`);
    expect(db.prepare('SELECT count(*) FROM chatbot_rules').pluck().get()).toBe(0);
  });
});
