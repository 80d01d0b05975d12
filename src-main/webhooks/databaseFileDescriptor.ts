// A descriptor of a database file, for fsyncing it outside SQLite (intakeCheckpoint.ts). Opened once
// per file per process and never closed: closing any descriptor of a file drops every POSIX lock this
// process holds on it, the locks of SQLite's own connections included (sqlite.org/howtocorrupt.html
// §2.2). SQLite keeps the file open for as long as the app runs anyway.
import { openSync } from 'node:fs';
import { resolve } from 'node:path';

const descriptors = new Map<string, number>();

export function databaseFileDescriptor(file: string): number {
  const path = resolve(file);
  let fd = descriptors.get(path);
  if (fd === undefined) {
    // Read-write: on Windows a flush needs write access to the handle.
    fd = openSync(path, 'r+');
    descriptors.set(path, fd);
  }
  return fd;
}
