// The ordered list of every migration. Append only: a shipped migration is never edited or reordered,
// because user_version in people's databases already records that it ran.
import type { Migration } from '../migrate';
import { initial } from './0001-initial';
import { contactsIndexes } from './0002-contacts-indexes';
import { chatbotRulesV2 } from './0003-chatbot-rules-v2';
import { messagingOutbox } from './0004-messaging-outbox';
import { chatbotRuns } from './0005-chatbot-runs';
import { campaignRunner } from './0006-campaign-runner';
import { inboxSearch } from './0007-inbox-search';
import { importAudiences } from './0008-import-audiences';
import { campaignCapRetry } from './0009-campaign-cap-retry';
import { unreadTotals } from './0010-unread-totals';
import { campaignConversations } from './0011-campaign-conversations';
import { campaignConversationsLive } from './0012-campaign-conversations-live';
import { webhookEventsProblems } from './0013-webhook-events-problems';
import { contactsSourceCheck } from './0014-contacts-source-check';

export const migrations: readonly Migration[] = [
  initial,
  contactsIndexes,
  chatbotRulesV2,
  messagingOutbox,
  chatbotRuns,
  campaignRunner,
  inboxSearch,
  importAudiences,
  campaignCapRetry,
  unreadTotals,
  campaignConversations,
  campaignConversationsLive,
  webhookEventsProblems,
  contactsSourceCheck,
];

/** The schema version this build writes and understands (PRAGMA user_version after migrating). */
export const SCHEMA_VERSION: number = migrations.length;
