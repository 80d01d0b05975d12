// The import benchmark's generated contacts CSV (bench/import.bench.ts, bench/importStages.ts): numbers in
// mixed formats — E.164, national, without "+", Brazilian with and without the 9 — about 1% invalid and
// 0.5% duplicates written differently, in scattered order, with name, email, tags and two attributes.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { ImportSettings } from '../src-preload/contacts.contract';
import { mulberry32, usNumber } from '../test/helpers/contactsCsv';

/** How the fixture's columns are mapped: every column kept, numbers without a country read as US. */
export const fixtureImportSettings: ImportSettings = {
  delimiter: ',',
  hasHeader: true,
  columns: [
    { kind: 'phone' },
    { kind: 'name' },
    { kind: 'email' },
    { kind: 'tags' },
    { kind: 'attribute', key: 'City' },
    { kind: 'attribute', key: 'Plan' },
  ],
  defaultCountry: 'US',
  mode: 'add-and-update',
};

function brMobile(i: number): string {
  const area = ['11', '21', '31', '41', '51', '61', '71', '81'][i % 8] as string;
  return `${area}9${6 + (i % 4)}${String(Math.floor(i / 8) % 10_000_000).padStart(7, '0')}`;
}

/** Writes the benchmark file; returns how many rows are meant to be invalid. */
export async function writeFixture(
  path: string,
  rows: number,
): Promise<{ invalid: number; duplicates: number }> {
  const rand = mulberry32(424242);
  const out = createWriteStream(path);
  out.write('Phone,Name,Email,Tags,City,Plan\n');
  let invalid = 0;
  let duplicates = 0;
  const recent: string[] = [];
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    const r = rand();
    let phone: string;
    if (r < 0.01) {
      phone = ['12345', 'n/a', '+999 123 456', 'call me', '555-0'][i % 5] as string;
      invalid++;
    } else if (r < 0.015 && recent.length > 0) {
      const original = recent[Math.floor(rand() * recent.length)] as string;
      phone = original.startsWith('+1')
        ? `1 ${original.slice(2, 5)} ${original.slice(5)}`
        : original.replace(/^\+/, '');
      duplicates++;
    } else {
      // A spreadsheet is not sorted by number: the numbers come in a scattered order.
      const scattered = (i * 7919 + 3) % 50_000_000;
      const n = usNumber(scattered);
      const kind = i % 8;
      switch (kind) {
        case 0:
          phone = n;
          break;
        case 1:
          phone = `+1 (${n.slice(2, 5)}) ${n.slice(5, 8)}-${n.slice(8)}`;
          break;
        case 2:
          phone = n.slice(1);
          break;
        case 3:
          phone = `(${n.slice(2, 5)}) ${n.slice(5, 8)}-${n.slice(8)}`;
          break;
        case 4: {
          const br = brMobile(scattered);
          phone = `+55 ${br.slice(0, 2)} ${br.slice(2, 7)}-${br.slice(7)}`;
          break;
        }
        case 5: {
          const br = brMobile(scattered);
          // The pre-2016 form without the 9.
          phone = `55${br.slice(0, 2)}${br.slice(3)}`;
          break;
        }
        case 6:
          phone = `${n.slice(2, 5)}.${n.slice(5, 8)}.${n.slice(8)}`;
          break;
        default:
          phone = `+${n.slice(1, 2)}-${n.slice(2, 5)}-${n.slice(5, 8)}-${n.slice(8)}`;
      }
      if (kind === 0 && recent.length < 5000) recent.push(n);
    }
    const tags = i % 3 === 0 ? '"vip, 2024"' : i % 3 === 1 ? 'new' : '';
    chunk += `${phone},Customer ${i},${i % 2 ? `c${i}@example.com` : ''},${tags},${['Lisbon', 'Porto', 'São Paulo'][i % 3]},p${i % 5}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'close');
  return { invalid, duplicates };
}
