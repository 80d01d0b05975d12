// The pure CSV pipeline: encodings, delimiters, record splitting (quotes, line endings, chunk boundaries,
// size caps, stray quotes), header aliases and CSV writing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvLine, escapeFormula, unescapeFormula } from '../../src-main/contacts/csv/csvWrite';
import { detectEncoding, FileFormatError, StreamDecoder } from '../../src-main/contacts/csv/decode';
import { detectDelimiter } from '../../src-main/contacts/csv/delimiter';
import { parseRecords, splitQuoted } from '../../src-main/contacts/csv/fields';
import { headerKey, suggestColumns } from '../../src-main/contacts/csv/headers';
import { RecordSplitter, type SplitEvent } from '../../src-main/contacts/csv/records';
import { readRecords, type ReadItem } from '../../src-main/contacts/csv/readRecords';
import { mulberry32, utf16be, utf16le } from '../helpers/contactsCsv';

const limits = { maxRecordChars: 1000, previewChars: 20 };

function split(chunks: string[], delimiter = ',', l = limits): SplitEvent[] {
  const splitter = new RecordSplitter(delimiter, l);
  const out: SplitEvent[] = [];
  for (const chunk of chunks) splitter.push(chunk, out);
  splitter.end(out);
  return out;
}

/** Up to 40 random tokens, and the same text cut into random chunks of 1 to 9 characters. */
function generatedText(rand: () => number, tokens: readonly string[]): { text: string; chunks: string[] } {
  let text = '';
  const length = 1 + Math.floor(rand() * 40);
  for (let k = 0; k < length; k++) text += tokens[Math.floor(rand() * tokens.length)] as string;
  const chunks: string[] = [];
  for (let at = 0; at < text.length;) {
    const size = 1 + Math.floor(rand() * 9);
    chunks.push(text.slice(at, at + size));
    at += size;
  }
  return { text, chunks };
}

function records(events: SplitEvent[]): [number, number, string][] {
  return events.map((e) => [e.row, e.line, e.kind === 'record' ? e.text : `<${e.kind}>`]);
}

describe('detectEncoding', () => {
  it('reads BOMs: UTF-8, UTF-16 LE (Excel "Unicode text"), UTF-16 BE', () => {
    expect(detectEncoding(Buffer.from('\uFEFFphone\n1'))).toEqual({
      encoding: 'utf-8',
      bomLength: 3,
      hadBom: true,
    });
    expect(detectEncoding(utf16le('phone\tname\n'))).toEqual({
      encoding: 'utf-16le',
      bomLength: 2,
      hadBom: true,
    });
    expect(detectEncoding(utf16be('phone,name\n'))).toEqual({
      encoding: 'utf-16be',
      bomLength: 2,
      hadBom: true,
    });
  });

  it('recognises UTF-16 without a BOM by where its NUL bytes sit', () => {
    expect(detectEncoding(utf16le('phone,name\n+1650\n', false)).encoding).toBe('utf-16le');
    expect(detectEncoding(utf16be('phone,name\n+1650\n', false)).encoding).toBe('utf-16be');
  });

  it('takes BOM-less UTF-8, including non-ASCII text and a sequence cut by the sample end', () => {
    const text = Buffer.from('nome,telefone\nJosé,+55 11 98765-4321\n');
    expect(detectEncoding(text).encoding).toBe('utf-8');
    expect(detectEncoding(Buffer.concat([text, Buffer.from([0xc3])])).encoding).toBe('utf-8');
  });

  it('refuses Latin-1, UTF-32, workbooks, PDFs, binary and empty files with a sentence saying what to do', () => {
    const latin1 = Buffer.from('name,phone\nJos\xe9,123\n', 'latin1');
    const refused = (bytes: Buffer): FileFormatError => {
      try {
        detectEncoding(bytes);
      } catch (error) {
        if (error instanceof FileFormatError) return error;
      }
      throw new Error('not refused');
    };
    const e = refused(latin1);
    expect(e.code).toBe('UNSUPPORTED_ENCODING');
    expect(e.message).toContain('byte 0xE9 on line 2 is not valid UTF-8');
    expect(e.message).toContain('CSV UTF-8');
    expect(refused(Buffer.from([0xff, 0xfe, 0, 0, 0x41, 0, 0, 0])).message).toContain('UTF-32');
    expect(refused(Buffer.from('PK\x03\x04rest-of-zip', 'latin1')).message).toContain(
      'Excel workbook (.xlsx)',
    );
    expect(refused(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 1, 2])).message).toContain('.xls');
    expect(refused(Buffer.from('%PDF-1.7')).message).toContain('PDF');
    expect(refused(Buffer.from([1, 0, 0, 0, 7, 0, 0, 9, 0, 0, 0, 0, 3, 0, 0, 0])).code).toBe(
      'NOT_A_TEXT_FILE',
    );
    expect(refused(Buffer.alloc(0)).code).toBe('EMPTY_FILE');
  });

  it('decodes UTF-16 split at an odd byte across chunks', () => {
    const bytes = utf16le('nome;telefone\nJoão;11987654321\n');
    const decoder = new StreamDecoder(detectEncoding(bytes));
    let text = '';
    for (let i = 0; i < bytes.length; i += 3) text += decoder.write(bytes.subarray(i, i + 3));
    text += decoder.end();
    expect(text).toBe('nome;telefone\nJoão;11987654321\n');
  });
});

describe('detectDelimiter', () => {
  it('finds comma, semicolon, tab and pipe, ignoring delimiters inside quotes', () => {
    expect(detectDelimiter('phone,name\n1,a\n2,b\n')).toBe(',');
    expect(detectDelimiter('telefone;nome;cidade\n11;"Silva, João";SP\n12;Ana;RJ\n')).toBe(';');
    expect(detectDelimiter('phone\tname\n1\t"a,b,c"\n')).toBe('\t');
    expect(detectDelimiter('phone|name\n1|a\n')).toBe('|');
    expect(detectDelimiter('phone\n+16505551234\n')).toBe(',');
  });
});

describe('RecordSplitter', () => {
  it('numbers rows as a spreadsheet does and keeps quoted line breaks and "" inside one record', () => {
    const events = split(['phone,name\n+1,"Line one\nline ""two"""\n+2,b\n']);
    expect(records(events)).toEqual([
      [1, 1, 'phone,name'],
      [2, 2, '+1,"Line one\nline ""two"""'],
      [3, 4, '+2,b'],
    ]);
  });

  it('gives the same records whatever the chunk boundaries (fed one character at a time)', () => {
    const text = 'a,b\r\n"x\r\ny","q""q"\r\nlast,"row"\r\n\r\nend';
    const whole = records(split([text]));
    expect(records(split(text.split('')))).toEqual(whole);
    expect(whole).toEqual([
      [1, 1, 'a,b'],
      [2, 2, '"x\r\ny","q""q"'],
      [3, 4, 'last,"row"'],
      [4, 5, ''],
      [5, 6, 'end'],
    ]);
  });

  it('gives the same events for generated text whole, in random chunks and one character at a time', () => {
    // The whole text takes the fast path (a record up to an LF with no quote or CR is one slice) wherever
    // it can; one-character chunks take the character loop almost everywhere. Both must agree, with line
    // endings of every kind, quotes anywhere, and (in text without quotes) around the size cap.
    const rand = mulberry32(6606);
    const withQuotes = ['a', 'bb', ',', ';', '"', '""', '\n', '\n', '\n', '\r', '\r\n', 'x'.repeat(7), ' '];
    const noQuotes = withQuotes.filter((t) => !t.includes('"'));
    const cases = [
      { tokens: withQuotes, limits: { maxRecordChars: 1000, previewChars: 4 } },
      { tokens: noQuotes, limits: { maxRecordChars: 12, previewChars: 4 } },
    ];
    for (const { tokens, limits: caseLimits } of cases) {
      for (let round = 0; round < 300; round++) {
        const { text, chunks } = generatedText(rand, tokens);
        const whole = split([text], ',', caseLimits);
        expect(split(chunks, ',', caseLimits), JSON.stringify(text)).toEqual(whole);
        expect(split(text.split(''), ',', caseLimits), JSON.stringify(text)).toEqual(whole);
      }
    }
  });

  it('recovers from stray quotes that outgrow the cap the same way whatever the chunk boundaries', () => {
    // A stray quote's text runs past the cap; the cap and the chunk boundaries fall anywhere, including
    // between the CR and the LF of the line break the reading resumes after.
    const rand = mulberry32(4180);
    const tokens = ['a', ',', '"', '""', '\r\n', '\r\n', '\n', '\r', 'x'.repeat(7), ' '];
    for (let round = 0; round < 300; round++) {
      const { text, chunks } = generatedText(rand, tokens);
      for (let cap = 6; cap <= 20; cap += 2) {
        const capLimits = { maxRecordChars: cap, previewChars: 4 };
        const whole = split([text], ',', capLimits);
        const label = `${JSON.stringify(text)}, cap ${cap}`;
        expect(split(chunks, ',', capLimits), label).toEqual(whole);
        expect(split(text.split(''), ',', capLimits), label).toEqual(whole);
      }
    }
  });

  it('ends records at CR alone (old Mac files)', () => {
    expect(records(split(['a\rb\rc']))).toEqual([
      [1, 1, 'a'],
      [2, 2, 'b'],
      [3, 3, 'c'],
    ]);
  });

  it('treats a quote in the middle of an unquoted field as a character', () => {
    expect(records(split(['name,height\nBob,5\'10"\nAnn,6\n']))).toEqual([
      [1, 1, 'name,height'],
      [2, 2, 'Bob,5\'10"'],
      [3, 3, 'Ann,6'],
    ]);
  });

  it('drops an oversized row with a short preview and goes on with the next one', () => {
    const events = split(['ok,1\n' + 'x'.repeat(5000) + ',2\nnext,3\n']);
    expect(events.map((e) => e.kind)).toEqual(['record', 'too-long', 'record']);
    const tooLong = events[1] as Extract<SplitEvent, { kind: 'too-long' }>;
    expect(tooLong).toMatchObject({ row: 2, line: 2, chars: 5002 });
    expect(tooLong.preview).toBe('x'.repeat(20));
    expect(records([events[2] as SplitEvent])).toEqual([[3, 3, 'next,3']]);
  });

  it('reads a 10 MB single line in bounded memory: nothing of it is kept beyond the preview', () => {
    const splitter = new RecordSplitter(',', { maxRecordChars: 256 * 1024, previewChars: 500 });
    const out: SplitEvent[] = [];
    const chunk = 'y'.repeat(64 * 1024);
    splitter.push('phone,notes\n+16505551234,', out);
    for (let i = 0; i < 160; i++) {
      splitter.push(chunk, out);
      // The splitter's buffered text never exceeds the cap, whatever has been pushed.
      const buffered = (splitter as unknown as { partsLength: number }).partsLength;
      expect(buffered).toBeLessThanOrEqual(256 * 1024 + chunk.length);
    }
    splitter.push('\n+16505550000,after\n', out);
    splitter.end(out);
    expect(out.map((e) => e.kind)).toEqual(['record', 'too-long', 'record']);
    expect((out[1] as Extract<SplitEvent, { kind: 'too-long' }>).chars).toBe(13 + 160 * chunk.length);
    expect((out[1] as Extract<SplitEvent, { kind: 'too-long' }>).preview.length).toBe(500);
  });

  it('reports a stray opening quote that is never closed and resumes on the next line', () => {
    const events = split(['phone,name\n+1,"Ann\n+2,Bob\n+3,Cid\n']);
    expect(records(events)).toEqual([
      [1, 1, 'phone,name'],
      [2, 2, '<unclosed-quote>'],
      [3, 3, '+2,Bob'],
      [4, 4, '+3,Cid'],
    ]);
    expect((events[1] as Extract<SplitEvent, { kind: 'unclosed-quote' }>).text).toBe('+1,"Ann');
  });

  it('recovers from a stray quote as soon as the quoted text outgrows the record limit', () => {
    const rows = Array.from({ length: 200 }, (_, i) => `+${i},name${i}`);
    const events = split(['h,n\n+0,"stray\n' + rows.join('\n') + '\n'], ',', {
      maxRecordChars: 300,
      previewChars: 10,
    });
    expect(events[1]).toMatchObject({ kind: 'unclosed-quote', row: 2, line: 2, text: '+0,"stray' });
    const rest = events.slice(2);
    expect(rest).toHaveLength(200);
    expect(rest.every((e) => e.kind === 'record')).toBe(true);
    expect(rest[0]).toMatchObject({ row: 3, line: 3, text: '+0,name0' });
    expect(rest[199]).toMatchObject({ row: 202, line: 202, text: '+199,name199' });
  });
});

describe('readRecords', () => {
  // A stray opening quote on a CRLF line whose text outgrows the cap exactly at the LF: the cap, or a read
  // that ends between the CR and the LF, used to decide whether that LF started an extra empty row.
  const lines = ['phone,name', '+1,"stray quote', '+2,Bob', '+3,"C ""D"""', '+4,Dee', ''];
  const file = lines.join('\r\n');
  const limits = { maxRecordChars: '+1,"stray quote\r'.length - 1, previewChars: 8 };

  async function readWith(path: string, chunkBytes: number): Promise<ReadItem[]> {
    const items: ReadItem[] = [];
    for await (const chunk of readRecords({
      filePath: path,
      encoding: { encoding: 'utf-8', bomLength: 0, hadBom: false },
      delimiter: ',',
      limits,
      chunkBytes,
    }))
      items.push(...chunk.items);
    return items;
  }

  it('gives the same rows and rejects whatever size the file is read in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bellhop-csv-'));
    try {
      const path = join(dir, 'stray.csv');
      writeFileSync(path, file);
      const whole = await readWith(path, 1 << 20);
      expect(whole).toEqual([
        { kind: 'fields', row: 1, line: 1, fields: ['phone', 'name'], raw: 'phone,name' },
        expect.objectContaining({
          kind: 'bad',
          row: 2,
          line: 2,
          code: 'UNCLOSED_QUOTE',
          values: ['+1,"stray quote'],
        }),
        { kind: 'fields', row: 3, line: 3, fields: ['+2', 'Bob'], raw: '+2,Bob' },
        { kind: 'fields', row: 4, line: 4, fields: ['+3', 'C "D"'], raw: '+3,"C ""D"""' },
        { kind: 'fields', row: 5, line: 5, fields: ['+4', 'Dee'], raw: '+4,Dee' },
      ]);
      for (const chunkBytes of [1, 2, 3, 5, 7, 13, 16, 17, 18, 64]) {
        expect(await readWith(path, chunkBytes), `chunks of ${chunkBytes} bytes`).toEqual(whole);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parseRecords (csv-parse)', () => {
  it('splits fields, unquotes, and keeps its answers aligned with the records it was given', () => {
    const parsed = parseRecords(['a,b', '', '"x\ny","q""q"', 'p,"unclosed'], ',');
    expect(parsed[0]).toEqual(['a', 'b']);
    expect(parsed[1]).toEqual(['']);
    expect(parsed[2]).toEqual(['x\ny', 'q"q']);
    expect(parsed[3]).toEqual({ malformed: 'a quote opened in it is never closed' });
  });

  it('splits regular quoted records itself, exactly as csv-parse does, and leaves it the irregular ones', () => {
    expect(splitQuoted('"a, b",c,"x""y",""', ',')).toEqual(['a, b', 'c', 'x"y', '']);
    expect(splitQuoted('"line\nbreak";2', ';')).toEqual(['line\nbreak', '2']);
    for (const irregular of ['a"b,c', '"a"b,c', '"open,c', ' "a",b', '"a" ,b', 'a\rb']) {
      expect(splitQuoted(irregular, ',')).toBeUndefined();
    }
    // Generated records: wherever splitQuoted answers, csv-parse (with the import's options) agrees.
    const rand = mulberry32(6060);
    const alphabet = ['a', 'b', ' ', ',', ';', '"', '""', '\n', 'é'];
    let answered = 0;
    for (let n = 0; n < 5000; n++) {
      const fields: string[] = [];
      const count = 1 + Math.floor(rand() * 5);
      for (let f = 0; f < count; f++) {
        let text = '';
        const length = Math.floor(rand() * 6);
        for (let k = 0; k < length; k++) text += alphabet[Math.floor(rand() * alphabet.length)];
        // Half the fields are quoted as a writer would; the others are left raw, often irregular.
        fields.push(rand() < 0.5 ? '"' + text.replace(/"/g, '""') + '"' : text.replace(/\n/g, ''));
      }
      const record = fields.join(',');
      if (record === '') continue;
      const ours = splitQuoted(record, ',');
      if (ours === undefined) continue;
      answered++;
      const theirs: string[][] = parse(record, {
        delimiter: ',',
        quote: '"',
        escape: '"',
        record_delimiter: ['\n'],
        relax_quotes: true,
        relax_column_count: true,
        skip_empty_lines: false,
        bom: false,
        trim: false,
      });
      expect(theirs, record).toEqual([ours]);
    }
    expect(answered).toBeGreaterThan(1000);
  });
});

describe('suggestColumns', () => {
  it('recognises phone, name, email and tags headers in several languages', () => {
    const cases: [string[], string[]][] = [
      [
        ['Phone', 'Name', 'Email', 'Tags'],
        ['phone', 'name', 'email', 'tags'],
      ],
      [
        ['Telefone', 'Nome', 'E-mail', 'Etiquetas'],
        ['phone', 'name', 'email', 'tags'],
      ],
      [
        ['Teléfono móvil', 'Nombre', 'Correo electrónico'],
        ['phone', 'name', 'email'],
      ],
      [
        ['Nomor HP', 'Nama', 'Surel'],
        ['phone', 'name', 'email'],
      ],
      [
        ['Celular', 'Nome completo'],
        ['phone', 'name'],
      ],
      [
        ['Handphone', 'Nama Lengkap'],
        ['phone', 'name'],
      ],
      [
        ['WhatsApp Number', 'First name', 'Last name'],
        ['phone', 'name', 'name'],
      ],
      [
        ['Tel', 'Имя', 'Почта'],
        ['phone', 'name', 'email'],
      ],
      [
        ['手机', '姓名'],
        ['phone', 'name'],
      ],
      [
        ['Móvil', 'Numéro de portable'],
        ['phone', 'attribute'],
      ],
    ];
    for (const [headers, kinds] of cases) {
      expect(
        suggestColumns(headers).map((c) => c.kind),
        headers.join('|'),
      ).toEqual(kinds);
    }
  });

  it('makes other columns attributes with unique keys, and ignores what an export adds', () => {
    expect(
      suggestColumns(['phone', 'City', 'city', 'attribute:plan', 'created_at', 'bellhop_reject_reason']),
    ).toEqual([
      { kind: 'phone' },
      { kind: 'attribute', key: 'City' },
      { kind: 'attribute', key: 'city' },
      { kind: 'attribute', key: 'plan' },
      { kind: 'ignore' },
      { kind: 'ignore' },
    ]);
    expect(headerKey('  Teléfono Móvil #1 ')).toBe('telefonomovil1');
  });
});

describe('csv writing', () => {
  it('quotes what must be quoted and neutralises formulas, reversibly', () => {
    expect(csvLine(['a', 'b,c', 'd"e', 'line\nbreak', ' pad'])).toBe(
      'a,"b,c","d""e","line\nbreak"," pad"\r\n',
    );
    for (const value of ['=HYPERLINK("x")', '+1', '-2', '@cmd', "'=already", 'plain', "'quote"]) {
      const escaped = escapeFormula(value);
      expect(/^[=+\-@]/.test(escaped)).toBe(false);
      expect(unescapeFormula(escaped)).toBe(value);
    }
  });
});
