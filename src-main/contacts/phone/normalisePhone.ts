// Turns whatever a spreadsheet holds in its phone column into one E.164 number, or a reason it cannot.
// The E.164 form is the contact's identity in a workspace: two cells that normalise to the same E.164
// are the same contact ("+1 (650) 555-1234" and "16505551234" with default country US).
//
// Order of attempts, each validated by libphonenumber-js (max metadata):
//  1. the cell as written, with the default country for numbers without a country code;
//  2. if it has no '+': its digits as an international number ("5511987654321", "0049 30 …"), because
//     Excel drops the leading '+' from numbers it treats as numeric;
//  3. Brazil: a mobile written in the pre-2016 8-digit form (DDD + 8 digits starting 6–9) becomes the
//     current 9-digit form by inserting the 9 after the area code. Both spellings therefore dedupe to
//     one contact, stored with the 9 (+55 11 98765-4321). WhatsApp itself may report such a number's
//     wa_id without the 9 (accounts registered before the change); that wa_id is kept in the contacts'
//     wa_id column when a webhook reports it, while phone_e164 stays the canonical 9-digit form.
import type { CountryCode } from 'libphonenumber-js/core';
import { fastParseE164, type FastParse } from './fastE164';
import { isSupportedCountry, libphonenumber, maxMetadata } from './libphonenumberPlans';

export type PhoneRejectCode = 'MISSING_PHONE' | 'INVALID_PHONE' | 'NO_COUNTRY_CODE' | 'EXCEL_SCIENTIFIC';

export type PhoneResult = { ok: true; e164: string } | { ok: false; code: PhoneRejectCode; message: string };

const MAX_PHONE_INPUT = 64;
const scientific = /^[+-]?\d+(?:[.,]\d+)?e\+?\d+$/i;
const brazilOldMobile = /^[1-9][1-9][6-9]\d{7}$/;
/** The decimal digits libphonenumber-js reads (its VALID_DIGITS: ASCII, fullwidth, Arabic-Indic). */
export const anyPhoneDigit = /[0-9\uFF10-\uFF19\u0660-\u0669\u06F0-\u06F9]/;

function parseSlow(text: string, defaultCountry: string | undefined): FastParse {
  const parsed = libphonenumber().parsePhoneNumberFromString(
    text,
    defaultCountry ? { defaultCountry: defaultCountry as CountryCode } : {},
    maxMetadata(),
  );
  if (!parsed) return { valid: false };
  if (parsed.isValid()) {
    return {
      valid: true,
      e164: parsed.number,
      callingCode: parsed.countryCallingCode,
      nationalNumber: parsed.nationalNumber,
    };
  }
  return { valid: false, callingCode: parsed.countryCallingCode, nationalNumber: parsed.nationalNumber };
}

/** parsePhoneNumberFromString(text, defaultCountry).isValid(), fast for the common shapes. */
export function parseE164(text: string, defaultCountry: string | undefined): FastParse {
  return fastParseE164(text, defaultCountry) ?? parseSlow(text, defaultCountry);
}

function brazilWithNinth(attempt: FastParse): string | undefined {
  if (attempt.valid || attempt.callingCode !== '55' || !attempt.nationalNumber) return undefined;
  if (!brazilOldMobile.test(attempt.nationalNumber)) return undefined;
  const n = attempt.nationalNumber;
  const fixed = parseE164('+55' + n.slice(0, 2) + '9' + n.slice(2), undefined);
  return fixed.valid ? fixed.e164 : undefined;
}

const lengthWords: Record<string, string> = {
  TOO_SHORT: 'too short',
  TOO_LONG: 'too long',
  INVALID_LENGTH: 'the wrong length',
  NOT_A_NUMBER: 'not a phone number',
  INVALID_COUNTRY: 'missing a valid country code',
};

function explain(text: string, defaultCountry: string | undefined): string {
  const verdict = libphonenumber().validatePhoneNumberLength(
    text,
    defaultCountry ? { defaultCountry: defaultCountry as CountryCode } : {},
    maxMetadata(),
  );
  const where = defaultCountry && !text.trim().startsWith('+') ? ` for ${defaultCountry}` : '';
  if (verdict === 'NOT_A_NUMBER') return `"${text}" is not a phone number`;
  if (verdict === 'INVALID_COUNTRY') return `"${text}" does not start with a known country code`;
  if (verdict) return `"${text}" is ${lengthWords[verdict] ?? 'invalid'}${where}`;
  return `"${text}" is not a valid number${where}`;
}

export function isSupportedDefaultCountry(country: string): boolean {
  return /^[A-Z]{2}$/.test(country) && isSupportedCountry(country);
}

/**
 * @param defaultCountry ISO 3166 alpha-2 (validated by the caller with isSupportedDefaultCountry), or
 *   undefined when every number must carry its own country code.
 */
export function normalisePhone(raw: string, defaultCountry: string | undefined): PhoneResult {
  const text = raw.trim();
  if (!text) return { ok: false, code: 'MISSING_PHONE', message: 'No phone number' };
  if (text.length > MAX_PHONE_INPUT) {
    return {
      ok: false,
      code: 'INVALID_PHONE',
      message: `The phone cell is ${text.length} characters long; that is not a phone number`,
    };
  }
  if (scientific.test(text)) {
    return {
      ok: false,
      code: 'EXCEL_SCIENTIFIC',
      message: `"${text}" is in scientific notation: the spreadsheet rounded the number and its last digits are lost. Format the column as Text and export again`,
    };
  }

  // A cell without a single digit ("n/a", "call me", "-") is the commonest junk in a phone column, and
  // libphonenumber-js answers it through an exception (~100 µs). Its answers for such text are fixed — not
  // a number; without '+' and a default country, first of all no country code — and this gives the same
  // ones (test/unit/contacts.phone.test.ts checks the library still says so).
  if (!anyPhoneDigit.test(text)) {
    return !defaultCountry && !text.startsWith('+')
      ? {
          ok: false,
          code: 'NO_COUNTRY_CODE',
          message: `"${text}" has no country code (+…) and no default country was chosen`,
        }
      : { ok: false, code: 'INVALID_PHONE', message: `"${text}" is not a phone number` };
  }

  const asWritten = parseE164(text, defaultCountry);
  if (asWritten.valid) return { ok: true, e164: asWritten.e164 };
  const brazil = brazilWithNinth(asWritten);
  if (brazil) return { ok: true, e164: brazil };

  const plus = text.startsWith('+');
  if (!plus) {
    const digits = text.replace(/\D+/g, '');
    if (digits.length >= 8) {
      const international = parseE164('+' + (digits.startsWith('00') ? digits.slice(2) : digits), undefined);
      if (international.valid) return { ok: true, e164: international.e164 };
      const brazilIntl = brazilWithNinth(international);
      if (brazilIntl) return { ok: true, e164: brazilIntl };
    }
    if (!defaultCountry) {
      return {
        ok: false,
        code: 'NO_COUNTRY_CODE',
        message: `"${text}" has no country code (+…) and no default country was chosen`,
      };
    }
  }
  return { ok: false, code: 'INVALID_PHONE', message: explain(text, defaultCountry) };
}

/** Rejections one import remembers; beyond this the memory is emptied and starts again. */
const REMEMBERED_REJECTIONS = 10_000;

/**
 * normalisePhone for the cells of one import (one default country), remembering its rejections by their
 * exact text. A phone column repeats its junk ("12345", "555-0", "+999 123 456"), and such a cell costs
 * libphonenumber-js 70–200 µs (its own parse, then the explanation) where a valid number costs a few µs.
 * Exact text, because the message quotes the cell. Valid numbers are not remembered: in a contact list
 * they are nearly all distinct, and a million of them would hold ~80 MB of heap for almost no hits.
 */
export function phoneNormaliser(defaultCountry: string | undefined): (raw: string) => PhoneResult {
  const rejections = new Map<string, PhoneResult>();
  return (raw) => {
    const known = rejections.get(raw);
    if (known) return known;
    const result = normalisePhone(raw, defaultCountry);
    // Only cells short enough to be a number: a longer one is refused at once by its length, and the memory
    // stays bounded (10,000 cells of at most 64 characters) whatever the file holds in that column.
    if (!result.ok && raw.length <= MAX_PHONE_INPUT) {
      if (rejections.size >= REMEMBERED_REJECTIONS) rejections.clear();
      rejections.set(raw, result);
    }
    return result;
  };
}
