// Streams a CSV file as parsed records: bytes → text (decode.ts) → records (records.ts) → fields
// (fields.ts), a chunk at a time, so memory stays flat whatever the file size.
import { createReadStream } from 'node:fs';
import { StreamDecoder, type DetectedEncoding } from './decode';
import { parseRecords } from './fields';
import { RecordSplitter, type SplitEvent, type SplitLimits } from './records';

export const DEFAULT_SPLIT_LIMITS: SplitLimits = { maxRecordChars: 256 * 1024, previewChars: 500 };

export type ReadItem =
  | { kind: 'fields'; row: number; line: number; fields: string[]; raw: string }
  | {
      kind: 'bad';
      row: number;
      line: number;
      code: 'ROW_TOO_LONG' | 'UNCLOSED_QUOTE' | 'MALFORMED_QUOTES';
      message: string;
      values: string[];
    };

export interface ReadChunk {
  items: ReadItem[];
  bytesRead: number;
}

export interface ReadOptions {
  filePath: string;
  encoding: DetectedEncoding;
  delimiter: string;
  limits?: SplitLimits;
  /** Bytes per read; 256 KiB keeps a chunk's work well under a few milliseconds. */
  chunkBytes?: number;
  /** Stop after this many bytes (previews read the head only). */
  maxBytes?: number;
}

/** The records and problems the splitter reported, as items (fields split by fields.ts). */
export function toItems(events: SplitEvent[], delimiter: string): ReadItem[] {
  const records: string[] = [];
  for (const e of events) if (e.kind === 'record') records.push(e.text);
  const parsed = parseRecords(records, delimiter);
  const items: ReadItem[] = [];
  let k = 0;
  for (const e of events) {
    switch (e.kind) {
      case 'record': {
        const fields = parsed[k++] as string[] | { malformed: string };
        if (Array.isArray(fields))
          items.push({ kind: 'fields', row: e.row, line: e.line, fields, raw: e.text });
        else {
          items.push({
            kind: 'bad',
            row: e.row,
            line: e.line,
            code: 'MALFORMED_QUOTES',
            message: `The row cannot be split into columns: ${fields.malformed}`,
            values: [e.text],
          });
        }
        break;
      }
      case 'too-long':
        items.push({
          kind: 'bad',
          row: e.row,
          line: e.line,
          code: 'ROW_TOO_LONG',
          message: `The row is ${e.chars.toLocaleString('en-US')} characters long (the limit is ${DEFAULT_SPLIT_LIMITS.maxRecordChars.toLocaleString('en-US')}); only its start is shown`,
          values: [e.preview + '…'],
        });
        break;
      case 'unclosed-quote':
        items.push({
          kind: 'bad',
          row: e.row,
          line: e.line,
          code: 'UNCLOSED_QUOTE',
          message: 'A quote (") opened in this row is never closed; reading went on from the next line',
          values: [e.text.length > 2000 ? e.text.slice(0, 2000) + '…' : e.text],
        });
        break;
    }
  }
  return items;
}

export async function* readRecords(options: ReadOptions): AsyncGenerator<ReadChunk> {
  const decoder = new StreamDecoder(options.encoding);
  const splitter = new RecordSplitter(options.delimiter, options.limits ?? DEFAULT_SPLIT_LIMITS);
  const stream = createReadStream(options.filePath, {
    highWaterMark: options.chunkBytes ?? 256 * 1024,
    ...(options.maxBytes !== undefined ? { end: Math.max(0, options.maxBytes - 1) } : {}),
  });
  let bytesRead = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytesRead += chunk.length;
      const events: SplitEvent[] = [];
      splitter.push(decoder.write(chunk), events);
      if (events.length > 0) yield { items: toItems(events, options.delimiter), bytesRead };
    }
    const events: SplitEvent[] = [];
    const tail = decoder.end();
    if (tail) splitter.push(tail, events);
    // A preview cut mid-file must not report its last, partial line as a row.
    if (options.maxBytes === undefined || bytesRead < options.maxBytes) splitter.end(events);
    if (events.length > 0) yield { items: toItems(events, options.delimiter), bytesRead };
  } finally {
    stream.destroy();
  }
}

export interface DecodedChunk {
  text: string;
  bytesRead: number;
}

/**
 * The file as decoded text, a chunk at a time, for a caller that splits records itself (the import's
 * fast path, which hands what it does not read itself to a RecordSplitter). The last chunk holds what
 * the decoder kept back, possibly ''.
 */
export async function* decodedChunks(
  options: Pick<ReadOptions, 'filePath' | 'encoding' | 'chunkBytes'>,
): AsyncGenerator<DecodedChunk> {
  const decoder = new StreamDecoder(options.encoding);
  const stream = createReadStream(options.filePath, { highWaterMark: options.chunkBytes ?? 256 * 1024 });
  let bytesRead = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytesRead += chunk.length;
      yield { text: decoder.write(chunk), bytesRead };
    }
    yield { text: decoder.end(), bytesRead };
  } finally {
    stream.destroy();
  }
}
