// The mapping step's preview: encoding, delimiter and header detected from the head of the file, the first
// rows, and a suggested column mapping and default country. Reads at most PREVIEW_BYTES, so it is quick on
// the main thread whatever the file size.
import { open } from 'node:fs/promises';
import type { ColumnTarget, CsvDelimiter, ImportPreview } from '../../../src-preload/contacts.contract';
import { countriesForCallingCode } from '../phone/libphonenumberPlans';
import { normalisePhone, parseE164 } from '../phone/normalisePhone';
import { detectEncoding, StreamDecoder, type DetectedEncoding } from './decode';
import { detectDelimiter, type Delimiter } from './delimiter';
import { suggestColumns } from './headers';
import { readRecords } from './readRecords';

export const PREVIEW_BYTES = 64 * 1024;
const SAMPLE_ROWS = 20;

export interface PreviewOptions {
  delimiter?: CsvDelimiter;
  hasHeader?: boolean;
  defaultCountry?: string | null;
  phoneColumn?: number;
}

export async function readHead(filePath: string, bytes = PREVIEW_BYTES): Promise<Buffer> {
  const handle = await open(filePath, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The head as text, cut at the last complete line, for delimiter detection. */
function headText(head: Buffer, encoding: DetectedEncoding): string {
  const text = new StreamDecoder(encoding).write(head);
  const cut = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
  return cut > 0 ? text.slice(0, cut) : text;
}

function looksLikePhone(value: string): boolean {
  const digits = value.replace(/\D/g, '');
  return digits.length >= 7 && /^[\s\d()+\-./]+$/.test(value.trim());
}

/** The country most of the sample's international numbers belong to, if any. */
function suggestCountry(values: readonly string[]): string | null {
  const tally = new Map<string, number>();
  for (const value of values) {
    const parsed = parseE164(value.trim(), undefined);
    if (!parsed.valid) continue;
    const country = countriesForCallingCode(parsed.callingCode)?.[0];
    if (country) tally.set(country, (tally.get(country) ?? 0) + 1);
  }
  let best: string | null = null;
  let bestCount = 0;
  for (const [country, count] of tally) {
    if (count > bestCount) {
      best = country;
      bestCount = count;
    }
  }
  return best;
}

export async function previewFile(
  filePath: string,
  meta: { uploadId: string; fileName: string; size: number },
  options: PreviewOptions = {},
): Promise<ImportPreview> {
  const head = await readHead(filePath);
  const encoding = detectEncoding(head);
  const delimiter: Delimiter = options.delimiter ?? detectDelimiter(headText(head, encoding));

  const rows: string[][] = [];
  let headBytes = 0;
  let recordsInHead = 0;
  for await (const chunk of readRecords({ filePath, encoding, delimiter, maxBytes: PREVIEW_BYTES })) {
    headBytes = chunk.bytesRead;
    for (const item of chunk.items) {
      recordsInHead++;
      if (rows.length > SAMPLE_ROWS) continue;
      if (item.kind === 'fields') {
        if (item.fields.every((f) => f.trim() === '')) continue;
        rows.push(item.fields.map((f) => f.trim()));
      } else {
        rows.push(item.values.map((v) => v.slice(0, 200)));
      }
    }
  }

  // No header when the first row already holds a phone number.
  const first = rows[0] ?? [];
  const hasHeader = options.hasHeader ?? !first.some(looksLikePhone);
  const width = Math.max(1, ...rows.map((r) => r.length));
  const headers = hasHeader
    ? Array.from({ length: width }, (_, i) => first[i]?.trim() || `Column ${i + 1}`)
    : Array.from({ length: width }, (_, i) => `Column ${i + 1}`);
  const sample = (hasHeader ? rows.slice(1) : rows).slice(0, SAMPLE_ROWS);

  let columns: ColumnTarget[] = suggestColumns(headers);
  if (!columns.some((c) => c.kind === 'phone')) {
    // No header says "phone": take the column whose sample cells look most like numbers.
    let best = -1;
    let bestHits = 0;
    for (let i = 0; i < width; i++) {
      const hits = sample.filter((r) => looksLikePhone(r[i] ?? '')).length;
      if (hits > bestHits) {
        best = i;
        bestHits = hits;
      }
    }
    if (best >= 0) columns = columns.map((c, i) => (i === best ? { kind: 'phone' } : c));
  }
  if (!hasHeader && !columns.some((c) => c.kind === 'email')) {
    const emailColumn = headers.findIndex((_, i) =>
      sample.some((r) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(r[i] ?? '')),
    );
    if (emailColumn >= 0 && columns[emailColumn]?.kind !== 'phone') {
      columns = columns.map((c, i) => (i === emailColumn ? { kind: 'email' } : c));
    }
  }

  const phoneColumn = options.phoneColumn ?? columns.findIndex((c) => c.kind === 'phone');
  const phoneValues = phoneColumn >= 0 ? sample.map((r) => r[phoneColumn] ?? '') : [];
  const suggestedCountry = suggestCountry(phoneValues);
  const country = options.defaultCountry === undefined ? suggestedCountry : options.defaultCountry;
  const samplePhones = sample.map((r) => {
    if (phoneColumn < 0) return { ok: false as const, reason: 'No phone column chosen' };
    const result = normalisePhone(r[phoneColumn] ?? '', country ?? undefined);
    return result.ok
      ? { ok: true as const, e164: result.e164 }
      : { ok: false as const, reason: result.message };
  });

  const dataRecordsInHead = Math.max(0, recordsInHead - (hasHeader ? 1 : 0));
  const estimatedRows =
    headBytes >= meta.size || headBytes === 0
      ? dataRecordsInHead
      : Math.round((meta.size / headBytes) * dataRecordsInHead);

  return {
    uploadId: meta.uploadId,
    fileName: meta.fileName,
    size: meta.size,
    encoding: encoding.encoding,
    hadBom: encoding.hadBom,
    delimiter,
    hasHeader,
    headers,
    sample,
    samplePhones,
    suggested: { columns, defaultCountry: suggestedCountry },
    estimatedRows,
  };
}
