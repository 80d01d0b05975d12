// The initial schema for the whole product. Conventions (house style 4): STRICT tables, snake_case plural
// names, ids TEXT, timestamps INTEGER epoch-ms, JSON stored as TEXT and checked with json_valid.
// Every "get or create" in the services relies on a UNIQUE constraint here (INSERT ... ON CONFLICT), never
// on a check-then-insert, so concurrency can never create a duplicate.
import type { Migration } from '../migrate';

const schema = /* sql */ `
-- One per brand or shop. Everything else hangs off a workspace and goes with it (ON DELETE CASCADE), so a
-- deleted workspace leaves no orphan that a later import or campaign could pick up.
CREATE TABLE workspaces (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 100),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- A WhatsApp number on the Cloud API (kind 'cloud') or on the embedded simulator (kind 'sandbox').
-- Secrets are stored only encrypted (BLOB from safeStorage or the browser host's key) and never return
-- to the renderer. A real phone-number id can belong to one connection only, or two connections would
-- race on the same number's throughput and webhooks; sandbox numbers are local and may repeat.
-- rate_limit_per_minute feeds whatsapp_api_rate_limit (ratelimit/limits.ts): 100/min by default (seed
-- §1), at most Meta's 80 messages/s (whatsapp-cloud-api.md §4).
CREATE TABLE connections (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('sandbox', 'cloud')),
  name TEXT NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 100),
  phone_number_id TEXT NOT NULL CHECK (length(phone_number_id) > 0),
  waba_id TEXT NOT NULL CHECK (length(waba_id) > 0),
  display_phone_number TEXT,
  api_version TEXT NOT NULL CHECK (api_version GLOB 'v[0-9]*.[0-9]*'),
  token_enc BLOB NOT NULL,
  app_secret_enc BLOB NOT NULL,
  verify_token TEXT NOT NULL CHECK (length(verify_token) > 0),
  rate_limit_per_minute INTEGER NOT NULL DEFAULT 100 CHECK (rate_limit_per_minute BETWEEN 1 AND 4800),
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'needs_reauth', 'disabled')),
  status_reason TEXT,
  -- For the silent-webhook alarm (issue 5): sent messages but no webhook for N minutes.
  last_webhook_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX connections_workspace ON connections(workspace_id);
CREATE UNIQUE INDEX connections_cloud_phone_number ON connections(phone_number_id) WHERE kind = 'cloud';

-- One row per customer per workspace. UNIQUE(workspace_id, phone_e164) is what makes imports, inbound
-- messages and template sends converge on one contact however the number was written (it is normalised
-- to E.164 first). wa_id is Meta's normalised id, which can differ from the E.164 number (BR/MX, §2), so
-- it is indexed for inbound lookups but not unique. tags is a JSON array, attributes a JSON object.
CREATE TABLE contacts (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  phone_e164 TEXT NOT NULL CHECK (
    phone_e164 GLOB '+[1-9]*' AND NOT substr(phone_e164, 2) GLOB '*[^0-9]*'
    AND length(phone_e164) BETWEEN 4 AND 16
  ),
  wa_id TEXT,
  name TEXT,
  email TEXT CHECK (email IS NULL OR length(email) <= 320),
  tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array'),
  attributes TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attributes) AND json_type(attributes) = 'object'),
  -- Opted-out contacts are excluded from campaigns (§7); a reason without a time would be meaningless.
  opted_out_at INTEGER,
  opted_out_reason TEXT CHECK (opted_out_reason IS NULL OR opted_out_at IS NOT NULL),
  source TEXT NOT NULL CHECK (source IN ('manual', 'import', 'inbound', 'template_send', 'campaign', 'sandbox')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (workspace_id, phone_e164)
) STRICT;
CREATE INDEX contacts_workspace_wa_id ON contacts(workspace_id, wa_id) WHERE wa_id IS NOT NULL;

-- One thread per (number, customer): UNIQUE(connection_id, contact_id) lets concurrent inbound webhooks
-- and template sends get-or-create it without duplicates (seed §6). last_inbound_at drives the 24 h
-- customer-service window (§7); unread_count moves with UPDATE ... SET n = n + 1 only.
CREATE TABLE conversations (
  id TEXT PRIMARY KEY,
  connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  last_inbound_at INTEGER,
  last_message_at INTEGER,
  last_message_preview TEXT,
  unread_count INTEGER NOT NULL DEFAULT 0 CHECK (unread_count >= 0),
  bot_paused INTEGER NOT NULL DEFAULT 0 CHECK (bot_paused IN (0, 1)),
  source TEXT NOT NULL CHECK (source IN ('inbound', 'template_send', 'campaign', 'manual', 'sandbox')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (connection_id, contact_id)
) STRICT;
CREATE INDEX conversations_contact ON conversations(contact_id);
CREATE INDEX conversations_inbox ON conversations(connection_id, last_message_at);

-- Every message in a thread, both directions.
-- wamid is indexed but NOT unique (seed §7): the same wamid can exist for a regular and a campaign
-- message. An inbound wamid, though, is unique: that constraint is the atomic dedupe of Meta's
-- at-least-once webhooks (§6). client_id is the outbound idempotency key, unique so a retried send job
-- finds its row instead of creating a second one. status moves only forward by Meta's timestamp
-- (status_at), so duplicated and reordered status webhooks are harmless.
CREATE TABLE messages (
  id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  origin TEXT NOT NULL CHECK (origin IN ('customer', 'agent', 'bot', 'template_send', 'campaign', 'system')),
  type TEXT NOT NULL CHECK (length(type) BETWEEN 1 AND 40),
  body TEXT NOT NULL CHECK (json_valid(body)),
  status TEXT NOT NULL CHECK (
    status IN ('pending', 'accepted', 'sent', 'delivered', 'read', 'played', 'failed', 'unknown', 'received')
  ),
  status_at INTEGER,
  error_code INTEGER,
  error_message TEXT,
  wamid TEXT,
  client_id TEXT UNIQUE,
  biz_opaque_callback_data TEXT,
  context_wamid TEXT,
  media_path TEXT,
  -- Inbound: Meta's timestamp (seconds in the payload, stored as ms); the 24 h window counts from it.
  wa_timestamp INTEGER,
  sent_at INTEGER,
  delivered_at INTEGER,
  read_at INTEGER,
  failed_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CHECK ((direction = 'inbound') = (origin = 'customer')),
  CHECK (direction = 'outbound' OR wamid IS NOT NULL),
  CHECK (direction = 'inbound' OR client_id IS NOT NULL)
) STRICT;
CREATE INDEX messages_conversation ON messages(conversation_id, created_at);
CREATE INDEX messages_wamid ON messages(wamid) WHERE wamid IS NOT NULL;
CREATE UNIQUE INDEX messages_inbound_wamid ON messages(wamid) WHERE direction = 'inbound';
CREATE INDEX messages_callback_data ON messages(biz_opaque_callback_data)
  WHERE biz_opaque_callback_data IS NOT NULL;

-- Meta identifies a template by (name, language) per WABA (§5); one row per connection keeps sync
-- idempotent (upsert on the UNIQUE key). language uses the REST spelling (en_US); template webhooks
-- spell it en-US and are normalised before they reach this table.
CREATE TABLE templates (
  id TEXT PRIMARY KEY,
  connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  meta_template_id TEXT,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 512),
  language TEXT NOT NULL CHECK (length(language) BETWEEN 2 AND 15),
  category TEXT NOT NULL,
  status TEXT NOT NULL,
  parameter_format TEXT NOT NULL DEFAULT 'POSITIONAL' CHECK (parameter_format IN ('POSITIONAL', 'NAMED')),
  components TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(components) AND json_type(components) = 'array'),
  quality_score TEXT,
  rejected_reason TEXT,
  synced_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (connection_id, name, language)
) STRICT;

-- A template broadcast. template_name/template_language are a snapshot, so history stays readable when
-- the template is deleted. The counters move only with UPDATE ... SET n = n + 1 inside the transaction
-- that moves a recipient's state (seed §2), so each recipient counts once per state.
CREATE TABLE campaigns (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  template_id TEXT REFERENCES templates(id) ON DELETE SET NULL,
  template_name TEXT NOT NULL,
  template_language TEXT NOT NULL,
  name TEXT NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 200),
  status TEXT NOT NULL DEFAULT 'draft' CHECK (
    status IN ('draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled', 'failed')
  ),
  params TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(params)),
  audience TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(audience)),
  scheduled_at INTEGER,
  started_at INTEGER,
  finished_at INTEGER,
  total_count INTEGER NOT NULL DEFAULT 0 CHECK (total_count >= 0),
  sent_count INTEGER NOT NULL DEFAULT 0 CHECK (sent_count >= 0),
  delivered_count INTEGER NOT NULL DEFAULT 0 CHECK (delivered_count >= 0),
  read_count INTEGER NOT NULL DEFAULT 0 CHECK (read_count >= 0),
  replied_count INTEGER NOT NULL DEFAULT 0 CHECK (replied_count >= 0),
  failed_count INTEGER NOT NULL DEFAULT 0 CHECK (failed_count >= 0),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX campaigns_workspace ON campaigns(workspace_id, created_at);
CREATE INDEX campaigns_connection ON campaigns(connection_id);
CREATE INDEX campaigns_template ON campaigns(template_id) WHERE template_id IS NOT NULL;

-- Who a campaign goes to. UNIQUE(campaign_id, contact_id): a contact is in a campaign once, however
-- often the audience is resolved. phone_e164 is a snapshot of the number the message went to; if the
-- contact is deleted later the history stays (contact_id becomes NULL).
CREATE TABLE campaign_recipients (
  id TEXT PRIMARY KEY,
  campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  contact_id TEXT REFERENCES contacts(id) ON DELETE SET NULL,
  phone_e164 TEXT NOT NULL,
  params TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(params)),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (
    status IN ('pending', 'accepted', 'sent', 'delivered', 'read', 'failed', 'skipped', 'unknown')
  ),
  status_at INTEGER,
  error_code INTEGER,
  error_message TEXT,
  replied_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (campaign_id, contact_id)
) STRICT;
CREATE INDEX campaign_recipients_state ON campaign_recipients(campaign_id, status);
CREATE INDEX campaign_recipients_contact ON campaign_recipients(contact_id) WHERE contact_id IS NOT NULL;

-- The send of one recipient. UNIQUE(campaign_recipient_id): one message per recipient, created with
-- an upsert (seed §3), so a retried send job can never produce a second one. client_id is the send's
-- idempotency key and its biz_opaque_callback_data, which matches status webhooks that arrive before the
-- wamid is known (§2, §6). wamid is indexed, not unique (seed §7).
CREATE TABLE campaign_messages (
  id TEXT PRIMARY KEY,
  campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  campaign_recipient_id TEXT NOT NULL UNIQUE REFERENCES campaign_recipients(id) ON DELETE CASCADE,
  client_id TEXT NOT NULL UNIQUE,
  biz_opaque_callback_data TEXT,
  wamid TEXT,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (
    status IN ('pending', 'accepted', 'sent', 'delivered', 'read', 'played', 'failed', 'unknown')
  ),
  status_at INTEGER,
  error_code INTEGER,
  error_message TEXT,
  sent_at INTEGER,
  delivered_at INTEGER,
  read_at INTEGER,
  failed_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX campaign_messages_campaign ON campaign_messages(campaign_id);
CREATE INDEX campaign_messages_wamid ON campaign_messages(wamid) WHERE wamid IS NOT NULL;
CREATE INDEX campaign_messages_callback_data ON campaign_messages(biz_opaque_callback_data)
  WHERE biz_opaque_callback_data IS NOT NULL;

-- The durable job queue (queue/store.ts is the only SQL on it). A job is claimed by one atomic UPDATE
-- that sets a fresh claim_token; every later change names that token, so a worker whose job was
-- reclaimed cannot complete it. A running job always has a token and a lease (the CHECK). There is
-- deliberately no index on running jobs: leases are watched in memory by the one process that runs
-- them, and only start-up looks for jobs a crash left running (one scan), so no claim pays for an index
-- entry. Finished jobs are deleted: the domain rows are the history.
-- jobs_unique_live: a unique_key with a live (queued or running) job makes a second enqueue a no-op;
-- once that job is finished or dead, the key can be used again.
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  queue TEXT NOT NULL CHECK (queue IN ('default', 'campaigns', 'chatbots')),
  type TEXT NOT NULL CHECK (length(type) BETWEEN 1 AND 100),
  payload TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'dead')),
  run_at INTEGER NOT NULL,
  -- attempts counts against max_attempts (a RetryAt outcome gives its attempt back); runs counts every
  -- start, crashes included, and is never given back.
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  runs INTEGER NOT NULL DEFAULT 0 CHECK (runs >= 0),
  max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
  unique_key TEXT,
  claim_token TEXT,
  lease_until INTEGER,
  last_error TEXT,
  -- Start of the retry time budget: the first run, or the first run after a dead job was retried.
  first_attempt_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CHECK ((state = 'running') = (claim_token IS NOT NULL AND lease_until IS NOT NULL))
) STRICT;
CREATE INDEX jobs_due ON jobs(queue, run_at) WHERE state = 'queued';
CREATE INDEX jobs_dead ON jobs(queue, updated_at) WHERE state = 'dead';
CREATE UNIQUE INDEX jobs_unique_live ON jobs(unique_key)
  WHERE unique_key IS NOT NULL AND state IN ('queued', 'running');

-- Raw webhook bodies, written before the 200 goes out (issue 5): Meta never re-sends an acknowledged
-- event. The body is kept byte for byte (BLOB), because the signature is over the raw bytes. A failed or
-- unparseable event must say why (the CHECK), for the diagnostics view.
CREATE TABLE webhook_events (
  id TEXT PRIMARY KEY,
  connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  received_at INTEGER NOT NULL,
  raw_body BLOB NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'processed', 'unparseable', 'failed')),
  reason TEXT,
  processed_at INTEGER,
  CHECK (state IN ('pending', 'processed') OR reason IS NOT NULL)
) STRICT;
CREATE INDEX webhook_events_connection ON webhook_events(connection_id, received_at);
CREATE INDEX webhook_events_open ON webhook_events(state, received_at) WHERE state <> 'processed';

-- Keyword chatbots. connection_id NULL means every number of the workspace. Rules run in position order;
-- position is not unique so a reorder can be written in any order inside its transaction.
CREATE TABLE chatbots (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  connection_id TEXT REFERENCES connections(id) ON DELETE CASCADE,
  name TEXT NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 100),
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX chatbots_workspace ON chatbots(workspace_id);
CREATE INDEX chatbots_connection ON chatbots(connection_id) WHERE connection_id IS NOT NULL;

CREATE TABLE chatbot_rules (
  id TEXT PRIMARY KEY,
  chatbot_id TEXT NOT NULL REFERENCES chatbots(id) ON DELETE CASCADE,
  position INTEGER NOT NULL CHECK (position >= 0),
  match_type TEXT NOT NULL CHECK (match_type IN ('exact', 'contains', 'starts_with', 'regex', 'any')),
  keywords TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(keywords) AND json_type(keywords) = 'array'),
  case_sensitive INTEGER NOT NULL DEFAULT 0 CHECK (case_sensitive IN (0, 1)),
  -- The message to send, in the shape of a Cloud API message body (§2).
  reply TEXT NOT NULL CHECK (json_valid(reply) AND json_type(reply) = 'object'),
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX chatbot_rules_order ON chatbot_rules(chatbot_id, position);

-- App-wide settings as JSON values, one row per key (upserted).
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL CHECK (json_valid(value)),
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- The rate limiter's reservations (ratelimit/limiter.ts): per key, a time up to which slots may already
-- have been handed out. Written ahead of use, so after a crash no key can exceed its limit.
CREATE TABLE rate_limit_state (
  key TEXT PRIMARY KEY,
  reserved_until INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- The highest lock fence a fenced write has used per lock key (locks/fence.store.ts): a write carrying
-- a lower fence comes from an owner whose lock expired, and is refused.
CREATE TABLE lock_fences (
  key TEXT PRIMARY KEY,
  fence INTEGER NOT NULL CHECK (fence > 0),
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Monotonic counters that must survive restarts (e.g. the lock registry's fence blocks).
CREATE TABLE sequences (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
`;

export const initial: Migration = {
  version: 1,
  name: 'initial',
  movesData: false,
  up(db) {
    db.exec(schema);
  },
};
