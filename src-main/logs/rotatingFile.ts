// Log files in the data folder: `logs/bellhop.log`, rotated by size. When a write would take the file
// past maxBytes it becomes bellhop.1.log (the older ones shift up: .1 -> .2 ...) and anything past
// `keep` files is deleted, so the folder never grows beyond keep x maxBytes. Writes are synchronous
// appends: a line logged just before a crash is on disk, and log volume is low (info level).
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

export interface RotatingFileOptions {
  dir: string;
  /** File name stem: `<base>.log`, `<base>.1.log` ... */
  base?: string;
  maxBytes?: number;
  /** How many files to keep in all, the live one included. */
  keep?: number;
}

export interface RotatingFile {
  readonly dir: string;
  readonly file: string;
  write(line: string): void;
  close(): void;
}

export const LOGS_FOLDER = 'logs';
const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
const DEFAULT_KEEP = 5;

export function openRotatingFile(options: RotatingFileOptions): RotatingFile {
  const base = options.base ?? 'bellhop';
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const keep = Math.max(1, options.keep ?? DEFAULT_KEEP);
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const file = join(options.dir, `${base}.log`);
  const numbered = (n: number): string => join(options.dir, `${base}.${n}.log`);
  // 0600: logs name customers and phone numbers, which are nobody else's business on a shared machine.
  let fd: number | null = openSync(file, 'a', 0o600);
  let size = fstatSync(fd).size;

  const rotate = (): void => {
    if (fd !== null) closeSync(fd);
    rmSync(numbered(keep - 1), { force: true });
    for (let n = keep - 2; n >= 1; n--) if (existsSync(numbered(n))) renameSync(numbered(n), numbered(n + 1));
    if (keep > 1) renameSync(file, numbered(1));
    else rmSync(file, { force: true });
    fd = openSync(file, 'a', 0o600);
    size = 0;
  };

  return {
    dir: options.dir,
    file,
    write(line) {
      if (fd === null) return;
      const bytes = Buffer.from(line.endsWith('\n') ? line : line + '\n', 'utf8');
      if (size > 0 && size + bytes.length > maxBytes) rotate();
      writeSync(fd, bytes);
      size += bytes.length;
    },
    close() {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}
