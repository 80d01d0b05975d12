// What the bot did with each inbound message (issue 9): one row per message, written in the same
// transaction as the bot's effects, so the row is also the job's "already handled" marker. A silent bot
// says why (silent_reason: the engine's gate reasons, plus 'rate_limited' from bot_rate_limit and
// 'away_already_sent' when another job claimed today's away message). `problems` lists sends the send
// point refused (JSON array of strings), so a misconfigured rule is visible instead of silently lost.
import type { Migration } from '../migrate';

export const chatbotRuns: Migration = {
  version: 5,
  name: 'chatbot-runs',
  movesData: false,
  up(db) {
    db.exec(/* sql */ `
      CREATE TABLE chatbot_runs (
        message_id TEXT PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        chatbot_id TEXT REFERENCES chatbots(id) ON DELETE SET NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('rule', 'compliance', 'silent')),
        rule_id TEXT,
        silent_reason TEXT CHECK (
          (outcome = 'silent') = (silent_reason IS NOT NULL) AND (silent_reason IS NULL OR length(silent_reason) > 0)
        ),
        messages_sent INTEGER NOT NULL DEFAULT 0 CHECK (messages_sent >= 0),
        problems TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(problems) AND json_type(problems) = 'array'),
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX chatbot_runs_conversation ON chatbot_runs(conversation_id, created_at);
    `);
  },
};
