// A separate process claiming away messages for the same conversations as its siblings, for the
// cross-process once-per-day test. `node --import tsx <this> <db file> <date> <conversation ids,…>`;
// waits for 'go', then reports the conversations it won.
import { createChatbotsRepo } from '../../src-main/chatbots/chatbots.repo';
import { openDatabase } from '../../src-main/db/open';

async function main(): Promise<void> {
  const [file, date, idsText] = process.argv.slice(2);
  if (!file || !date || !idsText)
    throw new Error('usage: chatbots.awayClaimWorker.ts <db file> <date> <ids>');
  const db = openDatabase(file);
  const repo = createChatbotsRepo(db);
  const ids = idsText.split(',');
  const go = new Promise<void>((resolve) => process.once('message', () => resolve()));
  process.send?.({ type: 'ready' });
  await go;
  const won = ids.filter((id) => repo.claimAwayMessage(id, date, Date.now()));
  db.close();
  process.send?.({ won });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
