// A minimal streaming ustar writer: the portable archive is a .tar.gz any system opens (tar, 7-Zip,
// macOS Archive Utility) without Bellhop. Entries are files whose size is known before they are written.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

export interface TarEntry {
  /** Path inside the archive, '/'-separated, at most 255 bytes. */
  name: string;
  size: number;
  mtime: number;
  open(): Readable;
}

const BLOCK = 512;

function field(header: Buffer, offset: number, length: number, value: string): void {
  header.write(value, offset, Math.min(length, Buffer.byteLength(value)), 'utf8');
}

function octal(header: Buffer, offset: number, length: number, value: number): void {
  field(header, offset, length, value.toString(8).padStart(length - 1, '0') + '\0');
}

export function tarHeader(entry: Pick<TarEntry, 'name' | 'size' | 'mtime'>): Buffer {
  const header = Buffer.alloc(BLOCK);
  let name = entry.name;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100)
      throw new Error(`The archive path is too long for tar: ${entry.name}`);
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
  }
  field(header, 0, 100, name);
  octal(header, 100, 8, 0o644);
  octal(header, 108, 8, 0);
  octal(header, 116, 8, 0);
  octal(header, 124, 12, entry.size);
  octal(header, 136, 12, Math.floor(entry.mtime / 1000));
  header.fill(' ', 148, 156);
  field(header, 156, 1, '0');
  field(header, 257, 6, 'ustar\0');
  field(header, 263, 2, '00');
  field(header, 345, 155, prefix);
  let sum = 0;
  for (const byte of header) sum += byte;
  field(header, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return header;
}

/** The archive as a stream of chunks: header, body, padding per entry, then two zero blocks. */
export async function* tarStream(
  entries: Iterable<TarEntry> | AsyncIterable<TarEntry>,
): AsyncGenerator<Buffer> {
  for await (const entry of entries) {
    yield tarHeader(entry);
    let written = 0;
    for await (const chunk of entry.open()) {
      const buffer = chunk as Buffer;
      written += buffer.length;
      yield buffer;
    }
    if (written !== entry.size)
      throw new Error(`${entry.name} changed size while it was archived (${entry.size} -> ${written}).`);
    const padding = (BLOCK - (written % BLOCK)) % BLOCK;
    if (padding > 0) yield Buffer.alloc(padding);
  }
  yield Buffer.alloc(BLOCK * 2);
}

export function fileEntry(name: string, path: string, size: number, mtime: number): TarEntry {
  return { name, size, mtime, open: () => createReadStream(path) };
}
