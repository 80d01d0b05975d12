// Times as the inbox shows them: list timestamps, day separators, and the 24 h window's time left.

const DAY_MS = 24 * 60 * 60_000;

// One formatter per format, made on first use: toLocale*String(undefined, options) builds a new one on
// every call, and the list formats a time per row (50 rows took ~50 ms of the inbox's first render).
const formatters = new Map<string, Intl.DateTimeFormat>();
function format(at: number, options: Intl.DateTimeFormatOptions): string {
  const key = JSON.stringify(options);
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(undefined, options);
    formatters.set(key, formatter);
  }
  return formatter.format(at);
}

export function dayKey(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function dayLabel(at: number, now = Date.now()): string {
  if (dayKey(at) === dayKey(now)) return 'Today';
  if (dayKey(at) === dayKey(now - DAY_MS)) return 'Yesterday';
  const sameYear = new Date(at).getFullYear() === new Date(now).getFullYear();
  return format(
    at,
    sameYear
      ? { weekday: 'long', day: 'numeric', month: 'long' }
      : { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' },
  );
}

/** The formats of the conversation list's times (listTime), warmed up before its first render. */
export const LIST_TIME_FORMATS = {
  clock: { hour: '2-digit', minute: '2-digit' },
  weekday: { weekday: 'short' },
  date: { day: 'numeric', month: 'short' },
} as const satisfies Record<string, Intl.DateTimeFormatOptions>;

export function clockTime(at: number): string {
  return format(at, LIST_TIME_FORMATS.clock);
}

/**
 * Makes the list's formatters ahead of its first render. The first formatter a page makes costs tens
 * of ms (the browser loads its locale and time-zone data then, once per process); started early in a
 * worker (timeFormatWarmup.ts), that load is done off the main thread and these cost about a ms.
 */
export function prepareListTimeFormats(): void {
  listTime(0);
  listTime(Date.now() - DAY_MS);
  listTime(Date.now());
}

/** Today: the time; this week: the weekday; older: the date. */
export function listTime(at: number, now = Date.now()): string {
  if (dayKey(at) === dayKey(now)) return clockTime(at);
  if (now - at < 6 * DAY_MS) return format(at, LIST_TIME_FORMATS.weekday);
  return format(at, LIST_TIME_FORMATS.date);
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
