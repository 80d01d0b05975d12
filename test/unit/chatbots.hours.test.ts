// Business hours in the business's time zone: weekdays, ranges, holidays, zones and DST changes.
import { describe, expect, it } from 'vitest';
import {
  checkOpen,
  isValidTimeZone,
  localTimeIn,
  type BusinessHoursSpec,
} from '../../src-main/chatbots/chatbots.hours';

const nineToFive = [{ start: '09:00', end: '17:00' }];
function hours(timeZone: string, holidays: string[] = []): BusinessHoursSpec {
  return {
    timeZone,
    weekly: {
      monday: nineToFive,
      tuesday: nineToFive,
      wednesday: nineToFive,
      thursday: nineToFive,
      friday: [
        { start: '09:00', end: '12:00' },
        { start: '13:00', end: '17:00' },
      ],
      saturday: [{ start: '10:00', end: '24:00' }],
      sunday: [],
    },
    holidays,
  };
}

const utc = (iso: string): number => Date.parse(`${iso}Z`);

describe('localTimeIn', () => {
  it('gives the wall-clock date, weekday and minute in the zone', () => {
    // 2025-06-02 is a Monday. 02:30 UTC is still Sunday evening in New York (UTC-4 in June).
    expect(localTimeIn('America/New_York', utc('2025-06-02T02:30:00'))).toEqual({
      date: '2025-06-01',
      weekday: 'sunday',
      minuteOfDay: 22 * 60 + 30,
    });
    // ... and already Monday morning in Kolkata (UTC+5:30).
    expect(localTimeIn('Asia/Kolkata', utc('2025-06-02T02:30:00'))).toEqual({
      date: '2025-06-02',
      weekday: 'monday',
      minuteOfDay: 8 * 60,
    });
  });

  it('prints local midnight as minute 0, not 24:00', () => {
    expect(localTimeIn('UTC', utc('2025-06-03T00:00:00')).minuteOfDay).toBe(0);
  });

  it('knows valid IANA zones from invalid ones', () => {
    expect(isValidTimeZone('America/Sao_Paulo')).toBe(true);
    expect(isValidTimeZone('Asia/Jakarta')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('GMT+25')).toBe(false);
  });
});

describe('checkOpen', () => {
  it('the same instant is open in one zone and closed in another', () => {
    const instant = utc('2025-06-02T13:30:00'); // Monday
    expect(checkOpen(hours('Europe/London'), instant).open).toBe(true); // 14:30 BST
    expect(checkOpen(hours('America/Los_Angeles'), instant).open).toBe(false); // 06:30 PDT
    expect(checkOpen(hours('Asia/Tokyo'), instant).open).toBe(false); // 22:30 JST
  });

  it('range start is inclusive, end exclusive; gaps between ranges are closed', () => {
    const zone = hours('UTC');
    expect(checkOpen(zone, utc('2025-06-02T09:00:00')).open).toBe(true);
    expect(checkOpen(zone, utc('2025-06-02T08:59:00')).open).toBe(false);
    expect(checkOpen(zone, utc('2025-06-02T17:00:00')).open).toBe(false);
    // Friday lunch break.
    expect(checkOpen(zone, utc('2025-06-06T12:30:00'))).toMatchObject({
      open: false,
      why: 'friday 2025-06-06 12:30 UTC is outside 09:00–12:00, 13:00–17:00',
    });
    expect(checkOpen(zone, utc('2025-06-06T13:00:00')).open).toBe(true);
  });

  it('a day with no ranges is closed all day; 24:00 keeps it open until midnight', () => {
    const zone = hours('UTC');
    expect(checkOpen(zone, utc('2025-06-08T12:00:00'))).toMatchObject({
      open: false,
      why: 'sunday 2025-06-08 12:00 UTC: closed all day',
    });
    expect(checkOpen(zone, utc('2025-06-07T23:59:00')).open).toBe(true);
  });

  it('holidays close the whole local day, judged by the local date', () => {
    const zone = hours('America/Sao_Paulo', ['2025-12-25']);
    // 2025-12-25 12:00 in São Paulo (UTC-3) is a Thursday inside 09–17, but a holiday.
    expect(checkOpen(zone, utc('2025-12-25T15:00:00'))).toMatchObject({
      open: false,
      why: 'thursday 2025-12-25 12:00 America/Sao_Paulo is a holiday',
    });
    // 02:00 UTC on the 26th is still the 25th in São Paulo: closed (and after hours anyway)...
    expect(checkOpen(zone, utc('2025-12-26T02:00:00')).local.date).toBe('2025-12-25');
    // ... and the 26th at 10:00 local is open again.
    expect(checkOpen(zone, utc('2025-12-26T13:00:00')).open).toBe(true);
  });

  it('follows DST: the same UTC time is inside hours after the spring change and outside before it', () => {
    const zone = hours('America/New_York');
    // 13:30 UTC: 08:30 EST on Friday 2025-03-07 (closed), 09:30 EDT on Monday 2025-03-10 (open).
    expect(checkOpen(zone, utc('2025-03-07T13:30:00')).open).toBe(false);
    expect(checkOpen(zone, utc('2025-03-10T13:30:00')).open).toBe(true);
    // The autumn change back: 13:30 UTC is 09:30 EDT on Friday 2025-10-31, 08:30 EST on Monday 2025-11-03.
    expect(checkOpen(zone, utc('2025-10-31T13:30:00')).open).toBe(true);
    expect(checkOpen(zone, utc('2025-11-03T13:30:00')).open).toBe(false);
  });

  it('across the DST jump itself, local minutes are right on both sides', () => {
    // Europe/Berlin jumps 02:00 → 03:00 on Sunday 2025-03-30 (01:00 UTC).
    expect(localTimeIn('Europe/Berlin', utc('2025-03-30T00:59:00')).minuteOfDay).toBe(1 * 60 + 59);
    expect(localTimeIn('Europe/Berlin', utc('2025-03-30T01:00:00')).minuteOfDay).toBe(3 * 60);
    // Saturday 10:00–24:00 in Berlin: 23:30 local on Saturday 2025-03-29 (22:30 UTC, still CET) is open.
    expect(checkOpen(hours('Europe/Berlin'), utc('2025-03-29T22:30:00')).open).toBe(true);
  });

  it('southern-hemisphere DST and half-hour zones', () => {
    // Sydney is UTC+11 (AEDT) until Sunday 2025-04-06 03:00 local, then UTC+10. 22:30 UTC on a Sunday
    // is Monday 09:30 before the change (open) and Monday 08:30 after it (closed).
    expect(checkOpen(hours('Australia/Sydney'), utc('2025-03-30T22:30:00')).open).toBe(true);
    expect(checkOpen(hours('Australia/Sydney'), utc('2025-04-06T22:30:00')).open).toBe(false);
    // Kolkata is UTC+5:30: Monday 09:00 local is 03:30 UTC.
    expect(checkOpen(hours('Asia/Kolkata'), utc('2025-06-02T03:29:00')).open).toBe(false);
    expect(checkOpen(hours('Asia/Kolkata'), utc('2025-06-02T03:30:00')).open).toBe(true);
  });
});
