// Business hours in the business's own time zone. Intl.DateTimeFormat does the zone conversion (it
// carries the IANA database, DST rules included), so no date library is needed: the wall-clock weekday,
// date and minute of `now` in that zone are compared with the weekly schedule and the holiday list.
import { weekdayNames } from '../../src-preload/chatbots.contract';

/** The contract's list, so the editor's days and the schedule's days are one list. */
export const weekdays = weekdayNames;
export type Weekday = (typeof weekdays)[number];

export interface LocalTime {
  /** YYYY-MM-DD in the zone: the "day" of the once-per-day away message. */
  date: string;
  weekday: Weekday;
  /** Minutes since local midnight, 0..1439. */
  minuteOfDay: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'long',
      hour: '2-digit',
      minute: '2-digit',
      // h23, not hour12:false: some ICU versions print midnight as "24" with the latter.
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function localTimeIn(timeZone: string, epochMs: number): LocalTime {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(epochMs)) parts[part.type] = part.value;
  const weekday = parts.weekday?.toLowerCase() as Weekday;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday,
    minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** "09:30" -> 570; "24:00" -> 1440 (an end of day). */
export function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number);
  return hours! * 60 + minutes!;
}

export interface TimeRange {
  start: string;
  end: string;
}

export interface BusinessHoursSpec {
  timeZone: string;
  weekly: Readonly<Record<Weekday, readonly TimeRange[]>>;
  holidays: readonly string[];
}

export interface OpenCheck {
  open: boolean;
  local: LocalTime;
  /** Why it is closed or open, for the rule tester's trace. */
  why: string;
}

/** Open when the local date is not a holiday and the local minute falls in one of that weekday's ranges. */
export function checkOpen(hours: BusinessHoursSpec, epochMs: number): OpenCheck {
  const local = localTimeIn(hours.timeZone, epochMs);
  const clock = `${String(Math.floor(local.minuteOfDay / 60)).padStart(2, '0')}:${String(local.minuteOfDay % 60).padStart(2, '0')}`;
  const at = `${local.weekday} ${local.date} ${clock} ${hours.timeZone}`;
  if (hours.holidays.includes(local.date)) return { open: false, local, why: `${at} is a holiday` };
  const ranges = hours.weekly[local.weekday];
  const inside = ranges.find(
    (range) => local.minuteOfDay >= minutesOf(range.start) && local.minuteOfDay < minutesOf(range.end),
  );
  if (inside) return { open: true, local, why: `${at} is within ${inside.start}–${inside.end}` };
  const listed = ranges.map((range) => `${range.start}–${range.end}`).join(', ');
  return {
    open: false,
    local,
    why: ranges.length === 0 ? `${at}: closed all day` : `${at} is outside ${listed}`,
  };
}
