// Times as the inbox shows them: list timestamps, day separators, and the 24 h window's time left.

const DAY_MS = 24 * 60 * 60_000;

export function dayKey(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function dayLabel(at: number, now = Date.now()): string {
  if (dayKey(at) === dayKey(now)) return 'Today';
  if (dayKey(at) === dayKey(now - DAY_MS)) return 'Yesterday';
  return new Date(at).toLocaleDateString(undefined, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: new Date(at).getFullYear() === new Date(now).getFullYear() ? undefined : 'numeric',
  });
}

export function clockTime(at: number): string {
  return new Date(at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** Today: the time; this week: the weekday; older: the date. */
export function listTime(at: number, now = Date.now()): string {
  if (dayKey(at) === dayKey(now)) return clockTime(at);
  if (now - at < 6 * DAY_MS) return new Date(at).toLocaleDateString(undefined, { weekday: 'short' });
  return new Date(at).toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
}

export type WindowState =
  | { kind: 'open'; msLeft: number; label: string }
  | { kind: 'closed'; label: string }
  | { kind: 'never'; label: string };

/** §7: free-form messages only within 24 h of the customer's last message. */
export function windowState(windowEndsAt: number | null, now = Date.now()): WindowState {
  if (windowEndsAt === null) return { kind: 'never', label: 'Customer has not written' };
  const msLeft = windowEndsAt - now;
  if (msLeft <= 0) return { kind: 'closed', label: '24 h window closed' };
  const hours = Math.floor(msLeft / 3_600_000);
  const minutes = Math.floor((msLeft % 3_600_000) / 60_000);
  return {
    kind: 'open',
    msLeft,
    label: hours > 0 ? `${hours} h ${minutes} min left` : `${Math.max(1, minutes)} min left`,
  };
}
