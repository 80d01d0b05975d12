// The silent-webhook alarm: a connection that has sent messages but heard nothing back from Meta for
// N minutes is probably not receiving webhooks at all (tunnel down, callback URL pointing elsewhere,
// app not subscribed to the WABA). Statuses would never arrive, so say so plainly.
import type { Db } from '../db/open';

export const defaultSilenceMinutes = 10;
/** The settings key of N, the minutes of silence before the alarm (Settings → Webhooks). */
export const silenceMinutesSetting = 'webhooks.silenceMinutes';

export interface SilentConnection {
  connectionId: string;
  name: string;
  /** The oldest message sent since the last webhook arrived (epoch ms). */
  waitingSince: number;
  message: string;
}

export function createSilenceAlarm(db: Db, now: () => number = Date.now) {
  // The first outbound message created after the connection's last webhook (or ever, if none came).
  const oldestUnanswered = db.prepare<[], { id: string; name: string; waiting_since: number | null }>(
    `SELECT c.id, c.name,
       (SELECT min(m.created_at) FROM messages m JOIN conversations v ON v.id = m.conversation_id
         WHERE v.connection_id = c.id AND m.direction = 'outbound'
           AND m.created_at > coalesce(c.last_webhook_at, 0)) AS waiting_since
     FROM connections c WHERE c.status = 'active'`,
  );
  return {
    check(minutes: number = defaultSilenceMinutes): SilentConnection[] {
      const limit = minutes * 60_000;
      const t = now();
      return oldestUnanswered
        .all()
        .filter(
          (row): row is { id: string; name: string; waiting_since: number } =>
            row.waiting_since !== null && t - row.waiting_since >= limit,
        )
        .map((row) => ({
          connectionId: row.id,
          name: row.name,
          waitingSince: row.waiting_since,
          message:
            `No webhook from Meta for ${Math.floor((t - row.waiting_since) / 60_000)} minutes on "${row.name}" although messages were sent. ` +
            'Check that the tunnel is up, that the callback URL in Settings is the one Meta uses, and that the app is subscribed to the WhatsApp Business Account.',
        }));
    },
  };
}
