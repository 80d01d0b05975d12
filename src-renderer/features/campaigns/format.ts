// Small display helpers for the campaign screens.
import type {
  Audience,
  CampaignCounters,
  CampaignStatus,
  RecipientState,
  RetargetKind,
} from '../../../src-preload/campaigns.contract';

export const statusLabel: Record<CampaignStatus, string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  running: 'Sending',
  paused: 'Paused',
  completed: 'Completed',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

export const stateLabel: Record<RecipientState, string> = {
  pending: 'Pending',
  sending: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  replied: 'Replied',
  failed: 'Failed',
  unconfirmed: 'Unconfirmed',
  skipped: 'Skipped',
};

/** Recipients with an outcome (anything but pending or in flight), out of the total. */
export function progressOf(c: CampaignCounters): number {
  if (c.total === 0) return 0;
  return Math.min(1, (c.total - c.pending - c.sending) / c.total);
}

export function percent(part: number, whole: number): string {
  return whole === 0 ? '—' : `${((100 * part) / whole).toFixed(1)} %`;
}

export function dateTime(ms: number | null): string {
  return ms === null ? '—' : new Date(ms).toLocaleString();
}

export function duration(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** The local time zone, shown beside the schedule input (e.g. "Europe/Berlin, UTC+01:00"). */
export function localZone(): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const offset = -new Date().getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${zone}, UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** "30 min", "2 h", "24 h": a wait the wizard offers before an unconfirmed send is sent again. */
export function waitLabel(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return minutes <= 1 ? `${Math.round(ms / 1000)} s` : `${minutes} min`;
  const hours = ms / 3_600_000;
  return `${Number.isInteger(hours) ? hours : hours.toFixed(1)} h`;
}

/** What happens to a send whose outcome is unknown, as the campaign summary says it. */
export function resendWaitText(ms: number | null): string {
  return ms === null
    ? 'Never sent again automatically: left for you to decide, so nobody gets it twice'
    : `Sent again after ${waitLabel(ms)} without a status update (a customer may get it twice)`;
}

const retargetWords: Record<RetargetKind, string> = {
  failed: 'failed',
  not_read: 'did not read it',
  not_replied: 'did not reply',
};

/** Who the campaign goes to, in words. */
export function describeAudience(audience: Audience): string {
  switch (audience.kind) {
    case 'all':
      return 'All contacts';
    case 'filter': {
      const parts = [
        audience.tags.length > 0 ? `tagged ${audience.tags.join(' or ')}` : '',
        ...audience.attributes.map((a) =>
          a.value === undefined ? `with ${a.key}` : `${a.key} = ${a.value}`,
        ),
      ].filter(Boolean);
      return parts.length > 0 ? `Contacts ${parts.join(', ')}` : 'All contacts';
    }
    case 'contacts':
      return audience.label ?? `${audience.contactIds.length.toLocaleString('en-US')} chosen contacts`;
    case 'retarget':
      return `Recipients of an earlier campaign who ${retargetWords[audience.which]}`;
    case 'import':
      return `Contacts from ${audience.fileName ?? 'a CSV file'}`;
  }
}
