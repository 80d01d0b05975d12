// Splits records (already cut by records.ts) into fields with csv-parse. csv-parse gets whole records in
// batches rather than the raw stream because its streaming parser cannot resume after a record error
// (on CSV_MAX_RECORD_SIZE it returns without keeping its buffer), and an import must report the bad row
// and go on. Quotes are relaxed (a quote inside an unquoted field is a character), column counts are
// checked by the row builder, not here. A record with no quote at all is split on the delimiter directly,
// and one whose quoted fields are all regular (RFC 4180: a quote opens the field, "" inside, a quote then
// the delimiter or the end closes it) by splitQuoted below: csv-parse returns the same fields for both
// (test/unit/contacts.csv.test.ts compares them on generated records), and most rows of most files are
// like that; only the irregular rest goes through csv-parse.
import { parse, type Options } from 'csv-parse/sync';

export type ParsedRecord = string[] | { malformed: string };

function options(delimiter: string): Options {
  return {
    delimiter,
    quote: '"',
    escape: '"',
    record_delimiter: ['\n'],
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: false,
    bom: false,
    max_record_size: 0,
    trim: false,
  };
}

function parseOne(text: string, delimiter: string): ParsedRecord {
  try {
    const rows = parse(text, options(delimiter));
    if (rows.length !== 1)
      return { malformed: 'its quotes do not pair up, so it cannot be split into columns' };
    return rows[0] as string[];
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return {
      malformed:
        code === 'CSV_QUOTE_NOT_CLOSED'
          ? 'a quote opened in it is never closed'
          : 'its quotes do not pair up, so it cannot be split into columns',
    };
  }
}

const QUOTE = 34;

/**
 * The fields of a record whose quoted fields are all regular, or undefined when any field is not (a quote
 * inside an unquoted field, text after a closing quote, an unclosed quote, a CR outside quotes): those go
 * to csv-parse, whose relaxed rules decide them.
 */
export function splitQuoted(text: string, delimiter: string): string[] | undefined {
  const d = delimiter.charCodeAt(0);
  const fields: string[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    if (i < n && text.charCodeAt(i) === QUOTE) {
      let value = '';
      let from = i + 1;
      let j = from;
      for (;;) {
        j = text.indexOf('"', j);
        if (j < 0) return undefined;
        if (j + 1 < n && text.charCodeAt(j + 1) === QUOTE) {
          value += text.slice(from, j + 1);
          j += 2;
          from = j;
          continue;
        }
        break;
      }
      fields.push(value + text.slice(from, j));
      i = j + 1;
      if (i === n) return fields;
      if (text.charCodeAt(i) !== d) return undefined;
      i++;
    } else {
      let j = i;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === d) break;
        if (c === QUOTE || c === 13) return undefined;
        j++;
      }
      fields.push(text.slice(i, j));
      if (j === n) return fields;
      i = j + 1;
    }
  }
}

/**
 * Fields of each record, in order (one result per record). Records contain no unquoted line breaks, so
 * joining them with '\n' gives csv-parse exactly these records; if it disagrees (unusual quoting), each
 * record is parsed on its own and the ones it cannot read come back as malformed.
 */
export function parseRecords(records: readonly string[], delimiter: string): ParsedRecord[] {
  const out: ParsedRecord[] = new Array<ParsedRecord>(records.length);
  const indexes: number[] = [];
  const texts: string[] = [];
  records.forEach((text, i) => {
    if (text.length === 0) out[i] = [''];
    else if (text.indexOf('"') < 0 && text.indexOf('\r') < 0) out[i] = text.split(delimiter);
    else {
      const fields = splitQuoted(text, delimiter);
      if (fields) out[i] = fields;
      else {
        indexes.push(i);
        texts.push(text);
      }
    }
  });
  if (texts.length === 0) return out;
  let rows: string[][] | undefined;
  try {
    rows = parse(texts.join('\n'), options(delimiter));
  } catch {
    rows = undefined;
  }
  if (rows && rows.length === texts.length) {
    indexes.forEach((recordIndex, k) => {
      out[recordIndex] = rows[k] as string[];
    });
  } else {
    indexes.forEach((recordIndex, k) => {
      out[recordIndex] = parseOne(texts[k] as string, delimiter);
    });
  }
  return out;
}
