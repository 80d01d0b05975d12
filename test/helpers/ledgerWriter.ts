// A separate process writing to a SQLite file as fast as it can, for the backup-under-load test. Every
// transaction inserts rows into `ledger` and adds the same amounts to the one `totals` row, so any
// consistent snapshot has count(ledger) = totals.n and sum(ledger.amount) = totals.sum.
// `node --import tsx test/helpers/ledgerWriter.ts <db file>`; sends 'ready', writes until 'stop'.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { openDatabase } from '../../src-main/db/open';

export function createLedger(db: ReturnType<typeof openDatabase>): (rows: number, seed: number) => void {
  db.exec(`CREATE TABLE IF NOT EXISTS ledger (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL, note TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS totals (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL, sum INTEGER NOT NULL);
    INSERT OR IGNORE INTO totals (id, n, sum) VALUES (1, 0, 0);`);
  const insert = db.prepare('INSERT INTO ledger (amount, note) VALUES (?, ?)');
  const add = db.prepare('UPDATE totals SET n = n + ?, sum = sum + ? WHERE id = 1');
  return db.transaction((rows: number, seed: number) => {
    let sum = 0;
    for (let i = 0; i < rows; i++) {
      const amount = (seed * 31 + i * 7) % 1000;
      insert.run(amount, 'x'.repeat(200));
      sum += amount;
    }
    add.run(rows, sum);
  });
}

async function main(): Promise<void> {
  const [file] = process.argv.slice(2);
  if (!file) throw new Error('usage: ledgerWriter.ts <db file>');
  const db = openDatabase(file);
  const write = createLedger(db);
  let stop = false;
  process.once('message', () => (stop = true));
  process.send?.({ type: 'ready' });
  let transactions = 0;
  while (!stop) {
    write(25, transactions++);
    await nextTurn();
  }
  db.close();
  process.send?.({ transactions });
}

if (process.argv[1]?.endsWith('ledgerWriter.ts')) void main();
