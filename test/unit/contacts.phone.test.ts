// What a phone cell becomes: one E.164 number per person however it was written, or a reason.
import {
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
  type CountryCode,
} from 'libphonenumber-js/core';
import { describe, expect, it } from 'vitest';
import { anyPhoneDigit, normalisePhone, phoneNormaliser } from '../../src-main/contacts/phone/normalisePhone';
import { maxMetadata } from '../../src-main/contacts/phone/libphonenumberPlans';
import { mulberry32 } from '../helpers/contactsCsv';

const e164 = (raw: string, country?: string): string | undefined => {
  const r = normalisePhone(raw, country);
  return r.ok ? r.e164 : undefined;
};

describe('normalisePhone', () => {
  it('writes the same US number five ways as one E.164', () => {
    for (const raw of [
      '+1 (650) 555-1234',
      '16505551234',
      '(650) 555-1234',
      '650.555.1234',
      '+1-650-555-1234',
    ]) {
      expect(e164(raw, 'US'), raw).toBe('+16505551234');
    }
  });

  it('reads numbers without a country code with the default country, and refuses them without one', () => {
    expect(e164('020 7946 0000', 'GB')).toBe('+442079460000');
    expect(e164('030 12345678', 'DE')).toBe('+493012345678');
    const none = normalisePhone('650 555 1234', undefined);
    expect(none).toEqual({
      ok: false,
      code: 'NO_COUNTRY_CODE',
      message: '"650 555 1234" has no country code (+…) and no default country was chosen',
    });
  });

  it('takes international numbers whose + a spreadsheet dropped, or written with 00', () => {
    expect(e164('5511987654321', 'US')).toBe('+5511987654321');
    expect(e164('16505551234', 'BR')).toBe('+16505551234');
    expect(e164('0049 30 12345678', 'US')).toBe('+493012345678');
    expect(e164('447911123456', undefined)).toBe('+447911123456');
  });

  it('dedupes Brazilian mobiles with and without the extra 9 to the 9-digit form', () => {
    for (const [raw, country] of [
      ['(11) 98765-4321', 'BR'],
      ['(11) 8765-4321', 'BR'],
      ['11 8765 4321', 'BR'],
      ['+55 11 8765-4321', undefined],
      ['+55 11 98765-4321', undefined],
      ['551187654321', 'US'],
      ['5511987654321', undefined],
    ] as const) {
      expect(e164(raw, country), `${raw} / ${country}`).toBe('+5511987654321');
    }
    // A Brazilian landline keeps its 8 digits: the 9 is only for the old mobile ranges (6–9).
    expect(e164('(11) 3333-4444', 'BR')).toBe('+551133334444');
  });

  it('rejects invalid numbers with the reason', () => {
    expect(normalisePhone('123', 'US')).toMatchObject({
      ok: false,
      code: 'INVALID_PHONE',
      message: '"123" is too short for US',
    });
    expect(normalisePhone('call me', 'US')).toMatchObject({
      ok: false,
      code: 'INVALID_PHONE',
      message: '"call me" is not a phone number',
    });
    expect(normalisePhone('+999 1234 5678', 'US')).toMatchObject({
      ok: false,
      code: 'INVALID_PHONE',
      message: '"+999 1234 5678" does not start with a known country code',
    });
    expect(normalisePhone('(650) 555-12345678', 'US')).toMatchObject({ ok: false, code: 'INVALID_PHONE' });
    expect(normalisePhone('   ', 'US')).toMatchObject({ ok: false, code: 'MISSING_PHONE' });
    expect(normalisePhone('5.51199E+12', 'BR')).toMatchObject({ ok: false, code: 'EXCEL_SCIENTIFIC' });
    expect(normalisePhone('x'.repeat(100), 'US')).toMatchObject({ ok: false, code: 'INVALID_PHONE' });
  });

  it('answers cells without a digit as libphonenumber-js does, without asking it', () => {
    expect(normalisePhone('n/a', undefined)).toMatchObject({ ok: false, code: 'NO_COUNTRY_CODE' });
    expect(normalisePhone('+abc', undefined)).toMatchObject({
      ok: false,
      code: 'INVALID_PHONE',
      message: '"+abc" is not a phone number',
    });
    // The shortcut rests on the library's verdict for digitless text; check it still holds.
    const rand = mulberry32(77);
    const alphabet = ['a', 'Z', 'x', 'ext', '+', '-', '.', '(', ')', '/', ' ', '#', '*', '९', '๑', 'é', '电'];
    for (let n = 0; n < 600; n++) {
      let text = '';
      const length = 1 + Math.floor(rand() * 12);
      for (let k = 0; k < length; k++) text += alphabet[Math.floor(rand() * alphabet.length)];
      if (!text.trim() || anyPhoneDigit.test(text)) continue;
      for (const country of ['US', 'BR', 'DE', undefined] as (CountryCode | undefined)[]) {
        const options = country ? { defaultCountry: country } : {};
        expect(parsePhoneNumberFromString(text, options, maxMetadata())?.isValid() ?? false, text).toBe(
          false,
        );
        expect(validatePhoneNumberLength(text, options, maxMetadata()), text).toBe('NOT_A_NUMBER');
      }
    }
  });
});

describe('phoneNormaliser (one import)', () => {
  it('answers every cell as normalisePhone does, the repeated ones included', () => {
    const cells = [
      '12345',
      '+1 (650) 555-1234',
      'n/a',
      '555-0',
      '16505551234',
      '+999 123 456',
      '551187654321',
      '1.5E+10',
      '',
      '020 7946 0000',
      '1'.repeat(5000),
    ];
    for (const country of ['US', 'GB', undefined]) {
      const normalise = phoneNormaliser(country);
      for (let round = 0; round < 3; round++) {
        for (const cell of cells)
          expect(normalise(cell), `${cell} (${country})`).toEqual(normalisePhone(cell, country));
      }
    }
  });

  it('keeps answering correctly past the number of rejections it remembers', () => {
    const normalise = phoneNormaliser('US');
    for (let i = 0; i < 10_050; i++) {
      const cell = `55${i}`;
      expect(normalise(cell)).toEqual(normalisePhone(cell, 'US'));
    }
    expect(normalise('55')).toEqual(normalisePhone('55', 'US'));
    expect(normalise('+1 650 555 1234')).toEqual({ ok: true, e164: '+16505551234' });
  });
});
