// Which text encoding a CSV file is in, and a streaming decoder for it. Spreadsheets write UTF-8 (with or
// without a BOM) or, for Excel's "Unicode text", UTF-16 LE with a BOM; some tools write UTF-16 without
// one, which the NUL bytes of mostly-ASCII text give away. Anything else (Windows-1252, Shift-JIS, a
// workbook saved as .csv) is refused with a sentence the user can act on, before anything is imported.
import { TextDecoder } from 'node:util';

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be';

export interface DetectedEncoding {
  encoding: TextEncodingName;
  /** Bytes of byte-order mark to skip at the start of the file. */
  bomLength: number;
  hadBom: boolean;
}

export type FileFormatErrorCode = 'EMPTY_FILE' | 'NOT_A_TEXT_FILE' | 'UNSUPPORTED_ENCODING';

export class FileFormatError extends Error {
  constructor(
    readonly code: FileFormatErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'FileFormatError';
  }
}

const saveAsHint =
  'In Excel or Google Sheets, save or download it as "CSV UTF-8" and drop that file instead.';

function startsWith(head: Uint8Array, bytes: readonly number[]): boolean {
  if (head.length < bytes.length) return false;
  return bytes.every((b, i) => head[i] === b);
}

/**
 * Offset of the first byte that is not valid UTF-8, or -1. A sequence cut off by the end of `bytes`
 * is not an error (the head of a file ends anywhere).
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else {
      return i;
    }
    if (i + need >= n) {
      // truncated at the end of the sample: check what is there
      for (let k = i + 1; k < n; k++) if (((bytes[k] as number) & 0xc0) !== 0x80) return i;
      return -1;
    }
    let cp = b & (0xff >> (need + 2));
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k] as number;
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

function lineOf(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 10) line++;
  return line;
}

/**
 * Decides the encoding from the first bytes of the file (64 KiB is plenty).
 * @throws FileFormatError when the file is empty, binary, or in an encoding we do not read.
 */
export function detectEncoding(head: Uint8Array): DetectedEncoding {
  if (head.length === 0) throw new FileFormatError('EMPTY_FILE', 'The file is empty.');
  if (startsWith(head, [0xef, 0xbb, 0xbf])) return { encoding: 'utf-8', bomLength: 3, hadBom: true };
  if (startsWith(head, [0xff, 0xfe, 0x00, 0x00]) || startsWith(head, [0x00, 0x00, 0xfe, 0xff])) {
    throw new FileFormatError(
      'UNSUPPORTED_ENCODING',
      `The file is in UTF-32, which is not supported. ${saveAsHint}`,
    );
  }
  if (startsWith(head, [0xff, 0xfe])) return { encoding: 'utf-16le', bomLength: 2, hadBom: true };
  if (startsWith(head, [0xfe, 0xff])) return { encoding: 'utf-16be', bomLength: 2, hadBom: true };
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) {
    throw new FileFormatError(
      'NOT_A_TEXT_FILE',
      `This is an Excel workbook (.xlsx) or another zip file, not a CSV. ${saveAsHint}`,
    );
  }
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0])) {
    throw new FileFormatError(
      'NOT_A_TEXT_FILE',
      `This is an old Excel workbook (.xls), not a CSV. ${saveAsHint}`,
    );
  }
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46])) {
    throw new FileFormatError('NOT_A_TEXT_FILE', 'This is a PDF, not a CSV file.');
  }

  // UTF-16 without a BOM: ASCII text has a NUL in every other byte.
  const pairs = Math.floor(Math.min(head.length, 65536) / 2);
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < pairs; i++) {
    if (head[2 * i] === 0) evenNul++;
    if (head[2 * i + 1] === 0) oddNul++;
  }
  if (pairs > 0 && (evenNul + oddNul) / pairs > 0.2) {
    if (oddNul > 4 * evenNul) return { encoding: 'utf-16le', bomLength: 0, hadBom: false };
    if (evenNul > 4 * oddNul) return { encoding: 'utf-16be', bomLength: 0, hadBom: false };
    throw new FileFormatError('NOT_A_TEXT_FILE', `This file holds binary data, not CSV text. ${saveAsHint}`);
  }
  if (evenNul + oddNul > 0 && (evenNul + oddNul) / Math.max(1, head.length) > 0.01) {
    throw new FileFormatError('NOT_A_TEXT_FILE', `This file holds binary data, not CSV text. ${saveAsHint}`);
  }

  const bad = firstInvalidUtf8(head);
  if (bad >= 0) {
    const byte = (head[bad] as number).toString(16).toUpperCase().padStart(2, '0');
    throw new FileFormatError(
      'UNSUPPORTED_ENCODING',
      `The file is not UTF-8 or UTF-16: byte 0x${byte} on line ${lineOf(head, bad)} is not valid UTF-8. ` +
        `It was probably saved as Windows-1252/Latin-1 or another legacy encoding. ${saveAsHint}`,
    );
  }
  return { encoding: 'utf-8', bomLength: 0, hadBom: false };
}

/**
 * Streaming decoder. Bytes that are invalid in the detected encoding further into the file (a file that
 * mixes encodings) become U+FFFD; the rows that contain one are rejected as undecodable, so the rest of
 * the file still imports and the user is told which rows to fix.
 */
export class StreamDecoder {
  private readonly decoder: TextDecoder;
  private skip: number;

  constructor(detected: DetectedEncoding) {
    this.decoder = new TextDecoder(detected.encoding, { fatal: false, ignoreBOM: true });
    this.skip = detected.bomLength;
  }

  write(chunk: Uint8Array): string {
    if (this.skip > 0) {
      const drop = Math.min(this.skip, chunk.length);
      this.skip -= drop;
      chunk = chunk.subarray(drop);
    }
    return this.decoder.decode(chunk, { stream: true });
  }

  end(): string {
    return this.decoder.decode();
  }
}

export const REPLACEMENT_CHARACTER = '\uFFFD';
