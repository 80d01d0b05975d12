// `npx tsx bench/importStages.ts`: where the import's CPU goes, stage by stage, on one thread (so
// process.cpuUsage() is the stage's own CPU). Each stage re-reads the same generated file and adds one
// step of the pipeline; the difference between consecutive lines is that step's cost per row. A load on
// the machine moves wall-clock time, much less CPU time. Diagnostic only: no targets.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRecords } from '../src-main/contacts/csv/readRecords';
import { buildRow, planRows, type CandidateContact } from '../src-main/contacts/import/rowBuilder';
import { PhoneIndex } from '../src-main/contacts/import/phoneIndex';
import { ImportWriter } from '../src-main/contacts/import/importWriter';
import { runImportJob, tupleTextWithoutId } from '../src-main/contacts/import/importEngine';
import { normalisePhone, phoneNormaliser } from '../src-main/contacts/phone/normalisePhone';
import { newId } from '../src-main/db/ids';
import { migrate } from '../src-main/db/migrate';
import { migrations } from '../src-main/db/migrations';
import { openDatabase } from '../src-main/db/open';
import { fixtureImportSettings, writeFixture } from './importFixture';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { WriterReply, WriterRequest } from '../src-main/contacts/import/importWriter';

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 200_000);

const settings = fixtureImportSettings;

/** One import of `csv` by the engine (on this thread, or with `writerPort`'s writer): its outcome line. */
async function runEngine(input: {
  dbFile: string;
  csv: string;
  rejectsPath: string;
  writerPort?: MessagePort;
}): Promise<string> {
  let outcome = '';
  await runImportJob(
    {
      dbFile: input.dbFile,
      workspaceId: 'bench',
      filePath: input.csv,
      encoding: { encoding: 'utf-8', bomLength: 0, hadBom: false },
      settings,
      rejectsPath: input.rejectsPath,
      lock: { key: 'bench', fence: 1 },
      cancelFlag: new Int32Array(new SharedArrayBuffer(4)),
      ...(input.writerPort ? { writerPort: input.writerPort } : {}),
    },
    0,
    (message) => {
      if (message.type === 'finished') outcome = `${message.outcome} ${JSON.stringify(message.counts)}`;
    },
  );
  return outcome;
}

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

async function readAll(
  csv: string,
  onItem: (fields: string[], raw: string, row: number, line: number) => void,
): Promise<void> {
  let header = true;
  for await (const chunk of readRecords({
    filePath: csv,
    encoding: { encoding: 'utf-8', bomLength: 0, hadBom: false },
    delimiter: ',',
  })) {
    for (const item of chunk.items) {
      if (header) {
        header = false;
        continue;
      }
      if (item.kind === 'fields') onItem(item.fields, item.raw, item.row, item.line);
    }
  }
}

const only = process.env.STAGES?.split(',');

async function stage(name: string, fn: () => Promise<void> | void): Promise<void> {
  if (only && !only.some((prefix) => name.startsWith(prefix))) return;
  (globalThis as { gc?: () => void }).gc?.();
  const before = cpuUs();
  const started = performance.now();
  await fn();
  const cpu = cpuUs() - before;
  process.stdout.write(
    `${name.padEnd(46)} ${(cpu / ROWS).toFixed(2).padStart(7)} µs CPU/row  ${((performance.now() - started) / 1000).toFixed(1)} s wall\n`,
  );
}

/** A migrated store at `file` with the workspace the import writes into. */
function createBenchStore(file: string): void {
  const db = openDatabase(file);
  migrate(db, migrations);
  db.prepare(
    "INSERT INTO workspaces (id, name, created_at, updated_at) VALUES ('bench', 'Bench', 0, 0)",
  ).run();
  db.close();
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bellhop-bench-stages-'));
  try {
    const csv = join(dir, 'contacts.csv');
    await writeFixture(csv, ROWS);
    const plan = planRows(settings, ['Phone', 'Name', 'Email', 'Tags', 'City', 'Plan']);
    const phones: string[] = [];
    const candidates: CandidateContact[] = [];
    let tupleChars = 0;

    await readAll(csv, () => undefined); // warm-up: JIT, page cache
    await stage('read: decode + split records + fields', () => readAll(csv, () => undefined));
    await stage('+ buildRow (trim, phone, email, tags, JSON)', () =>
      readAll(csv, (fields, raw, row, line) => {
        phones.push(fields[0] ?? '');
        buildRow(fields, raw, row, line, plan);
      }),
    );
    await stage('  normalisePhone alone', () => {
      for (const p of phones) normalisePhone(p, 'US');
    });
    await stage('  phoneNormaliser alone (as buildRow calls it)', () => {
      const normalise = phoneNormaliser('US');
      for (const p of phones) normalise(p);
    });
    await stage('+ in-file dedupe + tuple JSON (newId)', () => {
      const seen = new PhoneIndex();
      return readAll(csv, (fields, raw, row, line) => {
        const built = buildRow(fields, raw, row, line, plan);
        if (built.kind !== 'contact') return;
        if (seen.firstRowOrAdd(built.contact.phone, row) !== undefined) return;
        const c = built.contact;
        tupleChars += ('["' + newId() + '",' + tupleTextWithoutId(c)).length;
        candidates.push(c);
      });
    });
    process.stdout.write(`  (${tupleChars.toLocaleString('en-US')} characters of tuple text)\n`);

    {
      // The reader thread's own cost: the whole engine (read, build, dedupe, sort runs, batch text, post)
      // against a writer that acknowledges each batch at once without writing it.
      const file = join(dir, 'reader.sqlite');
      createBenchStore(file);
      const channel = new MessageChannel();
      channel.port2.on('message', (request: WriterRequest) => {
        const reply: WriterReply =
          request.type === 'rows'
            ? {
                type: 'ack',
                seq: request.seq,
                count: request.count,
                saved: request.count,
                created: request.count,
                updated: 0,
                unchanged: 0,
                skipped: [],
                msPerRow: 0.004,
              }
            : { type: 'ended' };
        channel.port2.postMessage(reply);
      });
      let outcome = '';
      // Twice: the first run also pays for compiling the engine's code, which a million-row import amortises.
      for (const pass of ['first', 'second'])
        await stage(`engine: reader only (writer acks, writes nothing), ${pass} run`, () =>
          runEngine({
            dbFile: file,
            csv,
            rejectsPath: join(dir, 'rejects-reader.csv'),
            writerPort: channel.port1,
          }).then((finished) => void (outcome = finished)),
        );
      channel.port1.close();
      process.stdout.write(`  ${outcome}\n`);
    }

    {
      const file = join(dir, 'engine.sqlite');
      createBenchStore(file);
      let outcome = '';
      await stage('engine: read + write on one thread (runImportJob)', () =>
        runEngine({ dbFile: file, csv, rejectsPath: join(dir, 'rejects.csv') }).then(
          (finished) => void (outcome = finished),
        ),
      );
      process.stdout.write(`  ${outcome}\n`);
    }

    for (const variant of ['sorted runs of 60,000', 'file order'] as const) {
      const file = join(dir, `write-${variant.length}.sqlite`);
      createBenchStore(file);
      const writer = new ImportWriter({
        dbFile: file,
        workspaceId: 'bench',
        mode: 'add-and-update',
        lock: { key: 'bench', fence: 1 },
        cancelFlag: new Int32Array(new SharedArrayBuffer(4)),
      });
      const batches: { json: string; count: number }[] = [];
      const runRows = variant === 'file order' ? candidates.length : 60_000;
      for (let r = 0; r < candidates.length; r += runRows) {
        const run = candidates.slice(r, r + runRows);
        if (variant !== 'file order')
          run.sort((a, b) => (a.phone < b.phone ? -1 : a.phone > b.phone ? 1 : 0));
        for (let i = 0; i < run.length; i += 5000) {
          const part = run.slice(i, i + 5000);
          batches.push({
            json: '[' + part.map((c) => '["' + newId() + '",' + tupleTextWithoutId(c)).join(',') + ']',
            count: part.length,
          });
        }
      }
      let seq = 0;
      await stage(`write (ImportWriter, ${variant})`, () => {
        for (const b of batches) writer.write(++seq, b.count, b.json);
      });
      writer.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
