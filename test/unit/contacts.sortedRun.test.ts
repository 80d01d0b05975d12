// A run of import rows goes to the writer in the order of its E.164 strings (what SQLite compares for
// the (workspace, phone) index). SortedRun sorts numbers (phoneSortKey) with a radix sort instead of the
// strings: both must give exactly the strings' order, prefixes and every length included.
import { describe, expect, it } from 'vitest';
import { phoneId, phoneSortKey, radixOrder, SortedRun } from '../../src-main/contacts/import/sortedRun';
import { mulberry32 } from '../helpers/contactsCsv';

function randomPhone(rand: () => number): string {
  const digits = 1 + Math.floor(rand() * 15);
  let out = '+';
  for (let i = 0; i < digits; i++) out += String(Math.floor(rand() * 10));
  return out;
}

function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

describe('sorted runs', () => {
  it('phoneSortKey orders E.164 numbers of every length as their strings', () => {
    const rand = mulberry32(99);
    const phones = [
      '+1',
      '+10',
      '+19',
      '+1999999999999999'.slice(0, 16),
      '+999999999999999',
      '+100000000000000',
    ];
    for (let i = 0; i < 5000; i++) phones.push(randomPhone(rand));
    // Prefixes of one another, the case a numeric order gets wrong.
    phones.push('+1650', '+16505', '+165055', '+1650555', '+165', '+16');
    const byKey = [...phones].sort((a, b) => phoneSortKey(a) - phoneSortKey(b));
    expect(byKey).toEqual([...phones].sort(byString));
    expect(phoneSortKey('+1234567890123456')).toBeNaN();
    expect(phoneSortKey('1650')).toBeNaN();
    expect(phoneSortKey('+16a0')).toBeNaN();
  });

  it('radixOrder sorts keys up to 2^52 as a comparison sort does', () => {
    const rand = mulberry32(7);
    const n = 70_000;
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = Math.floor(rand() * 2 ** 52);
    keys[5] = 0;
    keys[6] = 2 ** 52 - 1;
    const expected = Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[a]! - keys[b]!);
    expect(Array.from(radixOrder(keys, n))).toEqual(expected);
  });

  it('gives the rows of a run in phone order, keeps each row with its own text and numbers', () => {
    const rand = mulberry32(3);
    const run = new SortedRun(true, 4);
    const phones = new Set<string>();
    while (phones.size < 3000) phones.add(randomPhone(rand));
    [...phones].forEach((phone, i) => run.add(phone, `"${phone}",null]`, i + 2, i + 3, `raw ${i}`));
    const order = Array.from(run.sortedOrder());
    expect(order.map((i) => (run.json[i] as string).split('"')[1])).toEqual([...phones].sort(byString));
    for (const i of order.slice(0, 50)) {
      expect(run.rows[i]).toBe(i + 2);
      expect(run.lines[i]).toBe(i + 3);
      expect(run.raw[i]).toBe(`raw ${i}`);
      expect(run.phoneIdAt(i)).toBe(phoneId([...phones][i] as string));
    }
  });

  it('falls back to the texts for a number longer than E.164 allows', () => {
    const run = new SortedRun(false);
    for (const phone of ['+44', '+1234567890123456789', '+1', '+12'])
      run.add(phone, `"${phone}",null]`, 2, 2, '');
    const order = Array.from(run.sortedOrder());
    expect(order.map((i) => (run.json[i] as string).split('"')[1])).toEqual([
      '+1',
      '+12',
      '+1234567890123456789',
      '+44',
    ]);
    expect(run.phoneIdAt(1)).toBe('+1234567890123456789');
  });
});
