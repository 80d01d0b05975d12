// Pins fastE164.ts to libphonenumber-js: on tens of thousands of generated cells in every country's
// formats, the fast path either declines or gives exactly libphonenumber-js's verdict and E.164.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/core';
import examples from 'libphonenumber-js/examples.mobile.json';
import { describe, expect, it } from 'vitest';
import { fastParseE164 } from '../../src-main/contacts/phone/fastE164';
import {
  maxMetadata,
  supportedCountries,
  countryPlan,
} from '../../src-main/contacts/phone/libphonenumberPlans';
import { mulberry32 } from '../helpers/contactsCsv';

function upstream(text: string, defaultCountry: string | undefined) {
  const parsed = parsePhoneNumberFromString(
    text,
    defaultCountry ? { defaultCountry: defaultCountry as CountryCode } : {},
    maxMetadata(),
  );
  return parsed;
}

const punctuation = [' ', '-', '.', ' ', '(', ')', '/', '\u00a0'];

function decorate(digits: string, rand: () => number): string {
  let out = '';
  for (const d of digits) {
    if (rand() < 0.2) out += punctuation[Math.floor(rand() * punctuation.length)];
    out += d;
  }
  return out;
}

function mutate(digits: string, rand: () => number): string {
  const r = rand();
  const chars = digits.split('');
  if (r < 0.25) return digits;
  if (r < 0.45) {
    chars[Math.floor(rand() * chars.length)] = String(Math.floor(rand() * 10));
  } else if (r < 0.6) {
    chars.splice(Math.floor(rand() * chars.length), 1);
  } else if (r < 0.75) {
    chars.splice(Math.floor(rand() * chars.length), 0, String(Math.floor(rand() * 10)));
  } else {
    for (let i = 0; i < chars.length; i++) if (rand() < 0.5) chars[i] = String(Math.floor(rand() * 10));
  }
  return chars.join('');
}

describe('fastParseE164 agrees with libphonenumber-js', () => {
  it('on generated cells for every country, with and without a default country', () => {
    const rand = mulberry32(20240611);
    const countries = supportedCountries();
    const exampleOf = examples as Record<string, string>;
    let compared = 0;
    let answeredFast = 0;
    for (let round = 0; round < 40; round++) {
      for (const country of countries) {
        const national = exampleOf[country];
        if (!national) continue;
        const callingCode = countryPlan(country).callingCode;
        const nn = mutate(national, rand);
        const defaultCountry =
          rand() < 0.15
            ? undefined
            : rand() < 0.6
              ? country
              : countries[Math.floor(rand() * countries.length)];
        const shapes = [
          '+' + callingCode + nn,
          callingCode + nn,
          nn,
          '0' + nn,
          '00' + callingCode + nn,
          '+' + callingCode + '0' + nn,
          '1' + nn,
        ];
        for (const shape of shapes) {
          const text = decorate(shape, rand);
          const fast = fastParseE164(text, defaultCountry);
          compared++;
          if (!fast) continue;
          answeredFast++;
          const slow = upstream(text, defaultCountry);
          const slowValid = slow?.isValid() ?? false;
          const context = { text, defaultCountry, fast, slow: slow?.number, slowValid };
          expect(fast.valid, JSON.stringify(context)).toBe(slowValid);
          if (fast.valid && slow) {
            expect(fast.e164, JSON.stringify(context)).toBe(slow.number);
          }
          if (!fast.valid && slow && fast.nationalNumber !== undefined) {
            expect(fast.callingCode, JSON.stringify(context)).toBe(slow.countryCallingCode);
            expect(fast.nationalNumber, JSON.stringify(context)).toBe(slow.nationalNumber);
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(50_000);
    // The fast path must actually carry the common shapes, or it is not worth its place.
    expect(answeredFast / compared).toBeGreaterThan(0.6);
  });

  it('declines what it does not re-state (letters, extensions, other scripts, IDD prefixes)', () => {
    expect(fastParseE164('650 555 1234 ext. 5', 'US')).toBeUndefined();
    expect(fastParseE164('tel:+16505551234', 'US')).toBeUndefined();
    expect(fastParseE164('٠١٢٣٤٥٦٧٨٩', 'EG')).toBeUndefined();
    expect(fastParseE164('011 44 20 7946 0000', 'US')).toBeUndefined();
    expect(fastParseE164('1+6505551234', 'US')).toBeUndefined();
  });
});
