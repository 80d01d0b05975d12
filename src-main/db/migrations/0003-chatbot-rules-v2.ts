// Chatbot rules v2 (issue 9). The initial chatbot_rules row (match_type + keywords + one reply) cannot
// hold the new triggers (first message, outside business hours, reply id, fallback) nor a list of
// actions (tags, attributes, opt-out, handoff, go-to). This step:
// - adds business hours and compliance settings to chatbots;
// - rebuilds chatbot_rules with `trigger` (JSON object) and `actions` (JSON array) in the shapes of
//   chatbots.model.ts, and moves every v1 row into it;
// - keeps every v1 row as it was in chatbot_rules_v1_archive when the move had to drop or change
//   something, so nothing a user wrote is lost;
// - adds chatbot_conversation_state: the away message's last local date and the handoff flag, per
//   conversation.
//
// The conversion is written out here rather than built from chatbots.model.ts: a shipped migration must
// keep doing what it did when later versions change the model. Only the regex safety check is shared,
// because what counts as a dangerous pattern must be the same rule the app enforces on save.
import { analyzeRegex } from '../../chatbots/chatbots.text';
import type { Migration } from '../migrate';
import type { Db } from '../open';

const schema = /* sql */ `
ALTER TABLE chatbots ADD COLUMN business_hours TEXT
  CHECK (business_hours IS NULL OR (json_valid(business_hours) AND json_type(business_hours) = 'object'));
ALTER TABLE chatbots ADD COLUMN compliance TEXT NOT NULL DEFAULT '{}'
  CHECK (json_valid(compliance) AND json_type(compliance) = 'object');

-- Rules run in position order within a bot; position is not unique so a reorder can be written in any
-- order inside its transaction. trigger and actions are validated by chatbots.model.ts on every write
-- and read; the CHECKs keep anything else from ever storing a shapeless value.
CREATE TABLE chatbot_rules_v2 (
  id TEXT PRIMARY KEY,
  chatbot_id TEXT NOT NULL REFERENCES chatbots(id) ON DELETE CASCADE,
  position INTEGER NOT NULL CHECK (position >= 0),
  name TEXT NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 100),
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  trigger TEXT NOT NULL CHECK (
    json_valid(trigger) AND json_type(trigger) = 'object'
    AND json_extract(trigger, '$.type') IN ('keyword', 'first_message', 'outside_business_hours', 'reply_id', 'fallback')
  ),
  actions TEXT NOT NULL CHECK (json_valid(actions) AND json_type(actions) = 'array'),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- v1 rows as they were, when moving them dropped or changed something (converted = 1: the rule is in
-- chatbot_rules with a change the reason names; converted = 0: it could not be expressed in v2).
CREATE TABLE chatbot_rules_v1_archive (
  rule_id TEXT PRIMARY KEY,
  chatbot_id TEXT NOT NULL REFERENCES chatbots(id) ON DELETE CASCADE,
  original TEXT NOT NULL CHECK (json_valid(original) AND json_type(original) = 'object'),
  converted INTEGER NOT NULL CHECK (converted IN (0, 1)),
  reason TEXT NOT NULL CHECK (length(reason) > 0),
  archived_at INTEGER NOT NULL
) STRICT;
CREATE INDEX chatbot_rules_v1_archive_bot ON chatbot_rules_v1_archive(chatbot_id);

-- Per-conversation bot state. away_sent_local_date is the bot's local date (its business-hours zone) of
-- the last away message: claimed with one conditional upsert, so two jobs for the same conversation
-- cannot both send it. handoff_requested_at marks a conversation waiting for a human (inbox badge).
CREATE TABLE chatbot_conversation_state (
  conversation_id TEXT PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
  away_sent_local_date TEXT CHECK (
    away_sent_local_date IS NULL OR away_sent_local_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'
  ),
  away_sent_at INTEGER CHECK ((away_sent_at IS NULL) = (away_sent_local_date IS NULL)),
  handoff_requested_at INTEGER,
  handoff_note TEXT CHECK (handoff_note IS NULL OR handoff_requested_at IS NOT NULL),
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX chatbot_conversation_state_handoff ON chatbot_conversation_state(handoff_requested_at)
  WHERE handoff_requested_at IS NOT NULL;
`;

const swap = /* sql */ `
DROP TABLE chatbot_rules;
ALTER TABLE chatbot_rules_v2 RENAME TO chatbot_rules;
CREATE INDEX chatbot_rules_order ON chatbot_rules(chatbot_id, position);
`;

interface V1Rule {
  id: string;
  chatbot_id: string;
  position: number;
  match_type: string;
  keywords: string;
  case_sensitive: number;
  reply: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

type Json = Record<string, unknown>;
type Conversion = { ok: true; value: Json } | { ok: false; reason: string };

// Meta's interactive limits (whatsapp-cloud-api.md §2) as they stood when v2 shipped.
const MAX = {
  text: 4096,
  buttonTitle: 20,
  buttonId: 256,
  buttonsBody: 1024,
  listBody: 4096,
  headerFooter: 60,
  listButton: 20,
  sections: 10,
  rows: 10,
  sectionTitle: 24,
  rowTitle: 24,
  rowDescription: 72,
  rowId: 200,
  keywords: 50,
  keyword: 100,
  templateParams: 20,
  templateParam: 1024,
};

const fail = (reason: string): Conversion => ({ ok: false, reason });
const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const isText = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.trim().length > 0 && value.length <= max;
const unique = (values: string[]): boolean => new Set(values).size === values.length;
// v1 had no placeholders: braces there were literal text, which v2 would read as a placeholder.
const hasBraces = (value: string): boolean => value.includes('{{') || value.includes('}}');

function optionalText(
  holder: unknown,
  label: string,
  max: number,
): { ok: true; value?: string } | { ok: false; reason: string } {
  if (holder === undefined) return { ok: true };
  if (isObject(holder) && holder.type !== undefined && holder.type !== 'text') {
    return { ok: false, reason: `${label} is a ${JSON.stringify(holder.type)}; v2 headers are text only` };
  }
  const value = isObject(holder) ? holder.text : undefined;
  if (!isText(value, max) || hasBraces(value)) {
    return { ok: false, reason: `${label} is not plain text of at most ${max} characters` };
  }
  return { ok: true, value };
}

function convertReply(reply: Json): Conversion {
  const type = reply.type;
  if (type === 'text') {
    const body = isObject(reply.text) ? reply.text.body : undefined;
    if (!isText(body, MAX.text)) return fail(`text reply has no body of 1..${MAX.text} characters`);
    if (hasBraces(body)) return fail('text reply contains {{ or }}, which v2 reads as a placeholder');
    return {
      ok: true,
      value: {
        type: 'reply_text',
        text: body,
        previewUrl: reply.text !== undefined && (reply.text as Json).preview_url === true,
      },
    };
  }
  if (type === 'interactive' && isObject(reply.interactive)) {
    const interactive = reply.interactive;
    const body = isObject(interactive.body) ? interactive.body.text : undefined;
    const header = optionalText(interactive.header, 'header', MAX.headerFooter);
    if (!header.ok) return fail(header.reason);
    const footer = optionalText(interactive.footer, 'footer', MAX.headerFooter);
    if (!footer.ok) return fail(footer.reason);
    const frame = {
      ...(header.value ? { header: header.value } : {}),
      ...(footer.value ? { footer: footer.value } : {}),
    };
    const action = isObject(interactive.action) ? interactive.action : {};
    if (interactive.type === 'button') {
      if (!isText(body, MAX.buttonsBody) || hasBraces(body))
        return fail(`button message body is not plain text of 1..${MAX.buttonsBody} characters`);
      const raw = Array.isArray(action.buttons) ? action.buttons : [];
      const buttons = raw.map((button) => (isObject(button) && isObject(button.reply) ? button.reply : {}));
      if (buttons.length < 1 || buttons.length > 3)
        return fail(`reply buttons need 1 to 3 buttons (got ${buttons.length})`);
      if (!buttons.every((b) => isText(b.id, MAX.buttonId) && isText(b.title, MAX.buttonTitle))) {
        return fail(`a button has no id (1..${MAX.buttonId}) or title (1..${MAX.buttonTitle})`);
      }
      const ids = buttons.map((b) => b.id as string);
      const titles = buttons.map((b) => (b.title as string).trim());
      if (!unique(ids) || !unique(titles)) return fail('button ids and titles must be unique');
      return {
        ok: true,
        value: {
          type: 'reply_buttons',
          ...frame,
          body,
          buttons: buttons.map((b) => ({ id: b.id, title: b.title })),
        },
      };
    }
    if (interactive.type === 'list') {
      if (!isText(body, MAX.listBody) || hasBraces(body))
        return fail(`list body is not plain text of 1..${MAX.listBody} characters`);
      if (!isText(action.button, MAX.listButton))
        return fail(`list button text is not 1..${MAX.listButton} characters`);
      const sections = Array.isArray(action.sections) ? action.sections.filter(isObject) : [];
      if (sections.length < 1 || sections.length > MAX.sections)
        return fail(`a list needs 1 to ${MAX.sections} sections`);
      const converted: Json[] = [];
      const ids: string[] = [];
      for (const section of sections) {
        const title = section.title;
        if (title !== undefined && !isText(title, MAX.sectionTitle))
          return fail(`section title is not 1..${MAX.sectionTitle} characters`);
        if (title === undefined && sections.length >= 2)
          return fail('section title is required when a list has 2 or more sections');
        const rows = Array.isArray(section.rows) ? section.rows.filter(isObject) : [];
        if (rows.length === 0) return fail('a list section has no rows');
        const outRows: Json[] = [];
        for (const row of rows) {
          if (!isText(row.id, MAX.rowId) || !isText(row.title, MAX.rowTitle))
            return fail(`a row has no id (1..${MAX.rowId}) or title (1..${MAX.rowTitle})`);
          if (row.description !== undefined && !isText(row.description, MAX.rowDescription))
            return fail(`a row description is not 1..${MAX.rowDescription} characters`);
          ids.push(row.id);
          outRows.push({
            id: row.id,
            title: row.title,
            ...(row.description !== undefined ? { description: row.description } : {}),
          });
        }
        converted.push({ ...(title !== undefined ? { title } : {}), rows: outRows });
      }
      if (ids.length > MAX.rows)
        return fail(`a list can have at most ${MAX.rows} rows in total (got ${ids.length})`);
      if (!unique(ids)) return fail('row ids must be unique');
      return {
        ok: true,
        value: { type: 'reply_list', ...frame, body, button: action.button, sections: converted },
      };
    }
    return fail(`interactive type ${JSON.stringify(interactive.type) ?? '(none)'} has no v2 action`);
  }
  if (type === 'template' && isObject(reply.template)) {
    const template = reply.template;
    const name = template.name;
    const code = isObject(template.language) ? template.language.code : undefined;
    if (typeof name !== 'string' || !/^[a-z0-9_]{1,512}$/.test(name))
      return fail('template name is not a Meta template name');
    if (typeof code !== 'string' || !/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/.test(code))
      return fail('template language is not a code like en_US');
    const components = Array.isArray(template.components) ? template.components : [];
    const params: Json[] = [];
    for (const component of components) {
      if (!isObject(component) || component.type !== 'body')
        return fail('template components other than body parameters have no v2 equivalent');
      const parameters = Array.isArray(component.parameters) ? component.parameters : [];
      for (const parameter of parameters) {
        if (
          !isObject(parameter) ||
          parameter.type !== 'text' ||
          !isText(parameter.text, MAX.templateParam) ||
          hasBraces(parameter.text)
        ) {
          return fail('template parameters other than plain text have no v2 equivalent');
        }
        const parameterName = parameter.parameter_name;
        if (
          parameterName !== undefined &&
          (typeof parameterName !== 'string' || !/^[a-z0-9_]{1,100}$/.test(parameterName))
        ) {
          return fail('template parameter name is not valid');
        }
        params.push({
          ...(parameterName !== undefined ? { name: parameterName } : {}),
          text: parameter.text,
        });
      }
    }
    const named = params.filter((param) => param.name !== undefined).length;
    if (named !== 0 && named !== params.length) return fail('template parameters mix named and positional');
    if (params.length > MAX.templateParams)
      return fail(`more than ${MAX.templateParams} template parameters`);
    return { ok: true, value: { type: 'send_template', name, language: code, params } };
  }
  return fail(`reply type ${JSON.stringify(type) ?? '(none)'} has no v2 action`);
}

function convertTrigger(row: V1Rule): Conversion {
  if (row.match_type === 'any') return { ok: true, value: { type: 'fallback' } };
  let keywords: unknown;
  try {
    keywords = JSON.parse(row.keywords);
  } catch {
    return fail('keywords are not JSON');
  }
  const list = (Array.isArray(keywords) ? keywords : [])
    .filter((k): k is string => typeof k === 'string')
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
  const distinct = [...new Set(list)];
  if (distinct.length === 0) return fail('the rule has no keywords');
  if (distinct.length > MAX.keywords) return fail(`more than ${MAX.keywords} keywords`);
  const tooLong = distinct.find((k) => k.length > MAX.keyword);
  if (tooLong) return fail(`keyword "${tooLong.slice(0, 20)}…" is longer than ${MAX.keyword} characters`);
  if (row.match_type === 'regex') {
    for (const pattern of distinct) {
      const analysis = analyzeRegex(pattern);
      if (!analysis.ok) return fail(analysis.problem);
    }
  } else if (!['exact', 'contains', 'starts_with'].includes(row.match_type)) {
    return fail(`unknown match type ${row.match_type}`);
  } else if (distinct.some((k) => !/[^\p{P}\s]/u.test(k))) {
    return fail('a keyword has only punctuation');
  }
  return { ok: true, value: { type: 'keyword', match: row.match_type, keywords: distinct } };
}

function ruleName(trigger: Json): string {
  if (trigger.type === 'fallback') return 'Any message';
  const keywords = trigger.keywords as string[];
  const name = `Keyword: ${keywords.join(', ')}`;
  return name.length <= 100 ? name : `${name.slice(0, 99)}…`;
}

function moveRules(db: Db): void {
  const now = Date.now();
  const rows = db
    .prepare<[], V1Rule>(
      `SELECT id, chatbot_id, position, match_type, keywords, case_sensitive, reply, enabled, created_at, updated_at
         FROM chatbot_rules ORDER BY chatbot_id, position, created_at, id`,
    )
    .all();
  const insert = db.prepare(
    `INSERT INTO chatbot_rules_v2 (id, chatbot_id, position, name, enabled, trigger, actions, created_at, updated_at)
     VALUES (@id, @chatbotId, @position, @name, @enabled, @trigger, @actions, @createdAt, @updatedAt)`,
  );
  const archive = db.prepare(
    `INSERT INTO chatbot_rules_v1_archive (rule_id, chatbot_id, original, converted, reason, archived_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const nextPosition = new Map<string, number>();
  const hasEnabledFallback = new Set<string>();

  for (const row of rows) {
    const original = JSON.stringify(row);
    if (row.id.length > 100) {
      archive.run(
        row.id,
        row.chatbot_id,
        original,
        0,
        'Not moved: its id is longer than 100 characters.',
        now,
      );
      continue;
    }
    const trigger = convertTrigger(row);
    let reply: unknown;
    try {
      reply = JSON.parse(row.reply);
    } catch {
      reply = null;
    }
    const action = isObject(reply) ? convertReply(reply) : fail('reply is not a JSON object');
    if (!trigger.ok || !action.ok) {
      const reason = !trigger.ok ? trigger.reason : (action as { reason: string }).reason;
      archive.run(row.id, row.chatbot_id, original, 0, `Not moved: ${reason.replace(/\.$/, '')}.`, now);
      continue;
    }
    const reasons: string[] = [];
    let enabled = row.enabled === 1;
    if (row.case_sensitive === 1 && trigger.value.type === 'keyword') {
      reasons.push('it was case-sensitive; v2 matching ignores case and accents');
    }
    if (trigger.value.type === 'fallback' && enabled) {
      if (hasEnabledFallback.has(row.chatbot_id)) {
        // In v1 a second match-any rule could never fire (the first one always won); v2 allows one.
        enabled = false;
        reasons.push('a second match-any rule could never fire; it was disabled');
      } else {
        hasEnabledFallback.add(row.chatbot_id);
      }
    }
    const position = nextPosition.get(row.chatbot_id) ?? 0;
    nextPosition.set(row.chatbot_id, position + 1);
    insert.run({
      id: row.id,
      chatbotId: row.chatbot_id,
      position,
      name: ruleName(trigger.value),
      enabled: enabled ? 1 : 0,
      trigger: JSON.stringify(trigger.value),
      actions: JSON.stringify([action.value]),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    });
    if (reasons.length > 0) {
      archive.run(row.id, row.chatbot_id, original, 1, `Moved with changes: ${reasons.join('; ')}.`, now);
    }
  }
}

export const chatbotRulesV2: Migration = {
  version: 3,
  name: 'chatbot-rules-v2',
  movesData: true,
  up(db) {
    db.exec(schema);
    moveRules(db);
    db.exec(swap);
  },
};
