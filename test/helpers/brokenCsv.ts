// The import fuzz's generated broken CSV files (test/integration/contacts.fuzz.test.ts), shared with the
// test that imports them through the fast and the general path and compares the outcomes
// (contacts.importFastPath.test.ts): random delimiters, line endings, encodings, junk numbers, stray
// quotes, raw bytes, NULs, huge fields.
import { csvCell } from '../../src-main/contacts/csv/csvWrite';
import { mulberry32, usNumber, utf16be, utf16le } from './contactsCsv';

/** 'ok', 'empty', or the reject code expected for the row. */
export type Expected = string;

export interface Generated {
  bytes: Buffer;
  delimiter: ',' | ';' | '\t';
  /** Row boundaries are unchanged by the damage, so `expected` is exact. */
  exact: boolean;
  expected: Map<number, Expected>;
  records: number;
}

const junkPhones: [string, string][] = [
  ['abc', 'INVALID_PHONE'],
  ['12', 'INVALID_PHONE'],
  ['+999 12 34', 'INVALID_PHONE'],
  ['5.5E+12', 'EXCEL_SCIENTIFIC'],
  ['', 'MISSING_PHONE'],
  ['+1 650', 'INVALID_PHONE'],
];
const nameParts = [
  'Ana',
  'José',
  "O'Brien",
  'Quote "Q"',
  'a,b',
  'semi;colon',
  'tab\there',
  'line\nbreak',
  '李雷',
  'Ωmega',
  '=SUM(1)',
  ' pad ',
];

export function generateBrokenCsv(seed: number): Generated {
  const rand = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const delimiter = pick([',', ';', '\t'] as const);
  const structural = rand() < 0.5;
  const eol = pick(['\n', '\r\n', '\r']);
  const lines: string[] = [['phone', 'name', 'email', 'tags'].join(delimiter)];
  const expected = new Map<number, Expected>();
  const valid: string[] = [];
  let row = 1;
  let unique = seed * 1000;
  const line = (cells: string[]): string => cells.map(csvCell).join(delimiter).replace(/\r\n/g, '\n');
  const count = 1 + Math.floor(rand() * 25);
  let exact = true;
  for (let k = 0; k < count; k++) {
    row++;
    const r = rand();
    const name = pick(nameParts);
    if (r < 0.35) {
      const phone = usNumber(unique++);
      valid.push(phone);
      lines.push(
        line([phone, name, rand() < 0.5 ? `u${unique}@example.com` : '', pick(['', 'vip', 'a|b', 'x;y'])]),
      );
      expected.set(row, 'ok');
    } else if (r < 0.5) {
      const [phone, code] = pick(junkPhones);
      lines.push(line([phone, name || 'n', '', '']));
      expected.set(row, code);
    } else if (r < 0.58) {
      lines.push(line([usNumber(unique++), name, 'no-at-sign', '']));
      expected.set(row, 'INVALID_EMAIL');
    } else if (r < 0.68 && valid.length > 0) {
      const original = pick(valid);
      lines.push(
        line([`1 (${original.slice(2, 5)}) ${original.slice(5, 8)}-${original.slice(8)}`, name, '', '']),
      );
      expected.set(row, 'DUPLICATE_IN_FILE');
    } else if (r < 0.74) {
      lines.push(rand() < 0.5 ? '' : [' ', '', ' '].join(delimiter) + delimiter);
      expected.set(row, 'empty');
    } else if (r < 0.8) {
      lines.push(line([usNumber(unique++), name, '', '', 'extra value']));
      expected.set(row, 'TOO_MANY_VALUES');
    } else if (structural) {
      // Damage that can move row boundaries: stray quotes, raw bytes, NULs, a huge field.
      exact = false;
      const damage = pick(['stray-quote', 'garbage', 'nul', 'huge', 'quote-mid', 'bom-mid']);
      switch (damage) {
        case 'stray-quote':
          lines.push(`${usNumber(unique++)}${delimiter}"unclosed ${name}`);
          break;
        case 'garbage':
          lines.push(`${usNumber(unique++)}${delimiter}\u0000\uFFFD${String.fromCharCode(0xd800)}x`);
          break;
        case 'nul':
          lines.push('\u0000'.repeat(1 + Math.floor(rand() * 5)));
          break;
        case 'huge':
          lines.push(`${usNumber(unique++)}${delimiter}${'h'.repeat(300 * 1024)}`);
          break;
        case 'quote-mid':
          lines.push(`${usNumber(unique++)}${delimiter}5'10" tall${delimiter}x@y.zz`);
          break;
        case 'bom-mid':
          lines.push(`\uFEFF${usNumber(unique++)}${delimiter}${name.replace(/[\n\r"]/g, '')}`);
          break;
      }
    } else {
      const phone = usNumber(unique++);
      valid.push(phone);
      lines.push(line([phone, name, '', '']));
      expected.set(row, 'ok');
    }
  }
  // A file may end without a line break, unless its last row is empty (then the break is the row).
  const lastEmpty = lines[lines.length - 1] === '';
  const text = lines.join(eol) + (lastEmpty || rand() < 0.7 ? eol : '');
  let bytes: Buffer;
  const encoding = rand();
  if (encoding < 0.6) bytes = Buffer.from(text);
  else if (encoding < 0.75) bytes = Buffer.from('\uFEFF' + text);
  else if (encoding < 0.9) bytes = utf16le(text);
  else bytes = utf16be(text);
  if (structural && rand() < 0.2 && encoding < 0.6) {
    // Raw invalid UTF-8 somewhere after the header.
    const at = Math.min(bytes.length, lines[0]!.length + 2 + Math.floor(rand() * 40));
    bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff, 0xc3, 0x28]), bytes.subarray(at)]);
    exact = false;
  }
  return { bytes, delimiter, exact, expected, records: row };
}
