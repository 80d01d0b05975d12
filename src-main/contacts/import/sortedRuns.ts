// An external sort of the valid rows by (phone, row number), in runs of `runRows` spilled to temporary
// files and merged back. Two reasons to sort before writing:
//  - SQLite: inserting a million numbers in file order touches a random page of the (workspace, phone)
//    index per row, and each commit rewrites every page it touched — ~15,000 rows/s. In phone order the
//    same rows fill index pages one after another, several times faster (bench/import.bench.ts).
//  - Dedupe comes free and exact: copies of a number are adjacent, the lowest row number first, so the
//    first occurrence in the file wins without holding a set of every number seen in memory.
import { createReadStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CandidateContact } from './rowBuilder';

type Serialized = [
  string,
  number,
  number,
  string | null,
  string | null,
  string[],
  Record<string, string>,
  string,
];

function serialize(c: CandidateContact): string {
  const tuple: Serialized = [c.phone, c.row, c.line, c.name, c.email, c.tags, c.attributes, c.raw];
  return JSON.stringify(tuple);
}

function deserialize(line: string): CandidateContact {
  const [phone, row, line_, name, email, tags, attributes, raw] = JSON.parse(line) as Serialized;
  return { phone, row, line: line_, name, email, tags, attributes, raw };
}

function compare(a: CandidateContact, b: CandidateContact): number {
  if (a.phone < b.phone) return -1;
  if (a.phone > b.phone) return 1;
  return a.row - b.row;
}

/** Reads a run file back a block of rows at a time. */
class RunReader {
  private rows: CandidateContact[] = [];
  private index = 0;
  private carry = '';
  private done = false;
  private readonly iterator: AsyncIterator<Buffer>;

  constructor(path: string) {
    this.iterator = (createReadStream(path, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>)[
      Symbol.asyncIterator
    ]();
  }

  get current(): CandidateContact | undefined {
    return this.rows[this.index];
  }

  advance(): void {
    this.index++;
  }

  get exhausted(): boolean {
    return this.index >= this.rows.length;
  }

  /** Loads the next block; false at the end of the file. */
  async refill(): Promise<boolean> {
    this.rows = [];
    this.index = 0;
    while (this.rows.length === 0) {
      if (this.done) return false;
      const next = await this.iterator.next();
      let text: string;
      if (next.done) {
        this.done = true;
        text = this.carry;
        this.carry = '';
        if (!text) return false;
        text += '\n';
      } else {
        text = this.carry + next.value.toString('utf8');
      }
      const lastBreak = text.lastIndexOf('\n');
      this.carry = text.slice(lastBreak + 1);
      for (const line of text.slice(0, lastBreak).split('\n')) if (line) this.rows.push(deserialize(line));
    }
    return true;
  }

  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}

/** A run is also cut by size, so a file of long rows cannot fill the worker's memory. */
const RUN_BYTES = 16 * 1024 * 1024;

/** Rough heap cost of a buffered row: its strings (2 bytes per character) plus object overhead. */
function approximateBytes(c: CandidateContact): number {
  let chars = c.raw.length + c.phone.length + (c.name?.length ?? 0) + (c.email?.length ?? 0);
  for (const tag of c.tags) chars += tag.length + 16;
  for (const key in c.attributes) chars += key.length + (c.attributes[key]?.length ?? 0) + 32;
  return chars * 2 + 200;
}

export class SortedRuns {
  private buffer: CandidateContact[] = [];
  private bufferBytes = 0;
  private runFiles: string[] = [];
  private dirReady = false;
  /** Rows added so far. */
  count = 0;

  constructor(
    private readonly tempDir: string,
    private readonly runRows: number,
  ) {}

  /** Adds a row; spills a sorted run to disk when the buffer is full. */
  async add(contact: CandidateContact): Promise<void> {
    this.buffer.push(contact);
    this.bufferBytes += approximateBytes(contact);
    this.count++;
    if (this.buffer.length >= this.runRows || this.bufferBytes >= RUN_BYTES) await this.spill();
  }

  get spilledRuns(): number {
    return this.runFiles.length;
  }

  private async spill(): Promise<void> {
    if (this.buffer.length === 0) return;
    if (!this.dirReady) {
      await mkdir(this.tempDir, { recursive: true });
      this.dirReady = true;
    }
    this.buffer.sort(compare);
    const file = join(this.tempDir, `run-${this.runFiles.length}.ndjson`);
    const lines: string[] = new Array<string>(this.buffer.length);
    for (let i = 0; i < this.buffer.length; i++) lines[i] = serialize(this.buffer[i] as CandidateContact);
    this.buffer = [];
    this.bufferBytes = 0;
    await writeFile(file, lines.join('\n') + '\n');
    this.runFiles.push(file);
  }

  /** Every row added, in (phone, row) order. Call once, after the last add(). */
  async *drain(): AsyncGenerator<CandidateContact> {
    if (this.runFiles.length === 0) {
      this.buffer.sort(compare);
      const rows = this.buffer;
      this.buffer = [];
      yield* rows;
      return;
    }
    await this.spill();
    const readers = this.runFiles.map((file) => new RunReader(file));
    try {
      const live: RunReader[] = [];
      for (const reader of readers) if (await reader.refill()) live.push(reader);
      // A k-way merge; k is small (one run per runRows rows), so a linear scan beats a heap's bookkeeping.
      while (live.length > 0) {
        let best = 0;
        for (let i = 1; i < live.length; i++) {
          if (compare(live[i]?.current as CandidateContact, live[best]?.current as CandidateContact) < 0)
            best = i;
        }
        const reader = live[best] as RunReader;
        yield reader.current as CandidateContact;
        reader.advance();
        if (reader.exhausted && !(await reader.refill())) live.splice(best, 1);
      }
    } finally {
      await Promise.all(readers.map((r) => r.close()));
    }
  }

  async cleanup(): Promise<void> {
    this.buffer = [];
    if (this.dirReady || this.runFiles.length > 0) await rm(this.tempDir, { recursive: true, force: true });
  }
}
