// Small display helpers for the campaign screens.
import type {
  CampaignCounters,
  CampaignStatus,
  RecipientState,
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
