// `npm run bench:inbox`: the inbox over a big store, measured in Chromium against the built browser host.
// 100,000 conversations and 1,000,000 messages are written straight into a fresh store (one transaction,
// prepared statements, through the same FTS triggers as the app's own inserts), then:
// - inbox_interactive_ms: spawning the host → the conversation list showing rows (target < 1,500), the
//   page opened when the host is ready (BENCH_OPEN_AT=listening: at its address, as in bench:startup);
// - inbox_thread_open_ms: median click on a conversation → its messages rendered (target < 100);
// - inbox_search_p95_ms: p95 of full-text searches from the page over the app's WebSocket (target < 50).
// BENCH_CONVERSATIONS / BENCH_MESSAGES scale the data (defaults 100,000 / 1,000,000).
// BENCH_INBOX_STORE=<folder> keeps the generated store there and reuses it on later runs (generating
// takes minutes): each run copies it into a fresh data folder, so every run starts the host on the
// same untouched store, as a run that generates does.
// BENCH_RUNS=<n> starts the host n times (each on a fresh copy) and reports the median
// inbox_interactive_ms; every start prints where its time went (BELLHOP_STARTUP_TRACE marks beside the
// page's navigation timing, as bench:startup does), thread opens and searches are measured on the first.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { CURRENT_WORKSPACE_SETTING } from '../src-main/connections/connections.service';
import { newId } from '../src-main/db/ids';
import { migrate } from '../src-main/db/migrate';
import { migrations } from '../src-main/db/migrations';
import { openDatabase } from '../src-main/db/open';
import { createSettingsRepo } from '../src-main/settings/settings.repo';
import { createPrng } from '../src-main/simulator/prng';
import { startHostProcess } from '../test/helpers/browserHostProcess';
import { assertChromiumInstalled, chromiumLaunchOptions } from '../test/helpers/chromium';
import { median, percentile, reportFigure } from './report';
import { createPhaseLog, openPageAt, pageTimingScript, type PageTiming } from './startupPhases';

const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 100_000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);

const words = (
  'order delivery parcel refund invoice shipping address tomorrow today morning evening price discount ' +
  'coupon size colour return exchange payment card cash receipt tracking number store opening hours ' +
  'weekend sunday monday thanks hello please question answer table booking reservation menu vegan ' +
  'gluten coffee cake birthday gift wrap voucher pickup courier late early damaged missing broken'
).split(' ');
/** Rare words: each appears in a handful of messages, like a name or an order number searched for. */
const rareWords = [
  'zephyr',
  'quokka',
  'marzipan',
  'obsidian',
  'tangerine',
  'lighthouse',
  'xylophone',
  'origami',
];

function generate(dataDir: string): { seconds: number } {
  const started = performance.now();
  const db = openDatabase(join(dataDir, 'bellhop.sqlite'));
  migrate(db, migrations);
  const prng = createPrng(7);
  const rng = (): number => prng.next();
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rng() * list.length)] as T;
  const now = Date.now();
  const workspaceId = newId(now);
  const connectionId = newId(now);
  const insertContact = db.prepare(
    `INSERT INTO contacts (id, workspace_id, phone_e164, wa_id, name, source, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 'inbound', ?, ?)`,
  );
  const insertConversation = db.prepare(
    `INSERT INTO conversations (id, connection_id, contact_id, status, last_inbound_at, last_message_at,
       last_message_preview, unread_count, source, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'inbound', ?, ?)`,
  );
  const insertInbound = db.prepare(
    `INSERT INTO messages (id, conversation_id, direction, origin, type, body, status, wamid, wa_timestamp,
       created_at, updated_at)
     VALUES (?, ?, 'inbound', 'customer', 'text', ?, 'received', ?, ?, ?, ?)`,
  );
  const insertOutbound = db.prepare(
    `INSERT INTO messages (id, conversation_id, direction, origin, type, body, status, wamid, client_id,
       sent_at, delivered_at, read_at, created_at, updated_at)
     VALUES (?, ?, 'outbound', 'agent', 'text', ?, 'read', ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    db.prepare('INSERT INTO workspaces (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)').run(
      workspaceId,
      'Bench shop',
      now,
      now,
    );
    // Disabled: the host never calls Meta for it (no tunnel, no template sync), its data is what is read.
    db.prepare(
      `INSERT INTO connections (id, workspace_id, kind, name, phone_number_id, waba_id, api_version, token_enc,
         app_secret_enc, verify_token, status, created_at, updated_at)
       VALUES (?, ?, 'cloud', 'Bench number', '100000000000001', '200000000000001', 'v24.0', ?, ?, 'bench', 'disabled', ?, ?)`,
    ).run(connectionId, workspaceId, Buffer.from('unused'), Buffer.from('unused'), now, now);
    createSettingsRepo(db).set(CURRENT_WORKSPACE_SETTING, workspaceId);

    // Messages are written in time order across the store, as they arrive in life (rowid ≈ time).
    const span = 90 * 24 * 60 * 60_000;
    const start = now - span;
    const step = span / MESSAGES;
    const ids: string[] = [];
    const contactIds: string[] = [];
    for (let c = 0; c < CONVERSATIONS; c++) {
      const phone = `+1${String(2_000_000_000 + c)}`;
      const contactId = newId(start);
      insertContact.run(contactId, workspaceId, phone, phone.slice(1), `Customer ${c}`, start, start);
      contactIds.push(contactId);
      ids.push(newId(start));
    }
    let written = 0;
    const lastAt = new Map<number, { at: number; preview: string; inbound: number; unread: number }>();
    for (let c = 0; c < CONVERSATIONS; c++) {
      insertConversation.run(ids[c], connectionId, contactIds[c], 'open', null, null, null, 0, start, start);
    }
    for (let m = 0; m < MESSAGES; m++) {
      // Round-robin with a shuffle, so every conversation has a long history spread over the period.
      const c = (m * 7919) % CONVERSATIONS;
      const at = Math.round(start + m * step);
      const count = 3 + Math.floor(rng() * 12);
      const text = Array.from({ length: count }, () => pick(words));
      if (rng() < 0.0005) text.push(pick(rareWords));
      const body = text.join(' ');
      const id = newId(at);
      if (m % 2 === 0) {
        const wamid = `wamid.bench${m}`;
        insertInbound.run(id, ids[c], JSON.stringify({ type: 'text', text: { body } }), wamid, at, at, at);
      } else {
        insertOutbound.run(
          id,
          ids[c],
          JSON.stringify({ type: 'text', text: { body } }),
          `wamid.bench${m}`,
          `bench-${m}`,
          at,
          at,
          at,
          at,
          at,
        );
      }
      const last = lastAt.get(c) ?? { at: 0, preview: '', inbound: 0, unread: 0 };
      lastAt.set(c, {
        at,
        preview: body.slice(0, 200),
        inbound: m % 2 === 0 ? at : last.inbound,
        unread: m % 2 === 0 ? last.unread + 1 : 0,
      });
      written++;
      if (written % 200_000 === 0) process.stdout.write(`  ${written} messages written\n`);
    }
    const update = db.prepare(
      `UPDATE conversations SET last_message_at = ?, last_message_preview = ?, last_inbound_at = ?, unread_count = ?
       WHERE id = ?`,
    );
    for (const [c, last] of lastAt)
      update.run(last.at, last.preview, last.inbound || null, last.unread, ids[c]);
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('ANALYZE');
  db.close();
  return { seconds: (performance.now() - started) / 1000 };
}

/** Page-side: clicks the index-th conversation row and resolves with ms until its messages show. */
function openThreadScript(index: number): string {
  return `(async () => {
    const rows = document.querySelectorAll('[data-testid="conversation-row"]');
    const row = rows[${index} % rows.length];
    if (!row) throw new Error('no conversation rows');
    const id = row.dataset.conversationId;
    const t0 = performance.now();
    row.click();
    const selector = '[data-testid="thread"][data-conversation-id="' + CSS.escape(id) + '"] [data-testid="message"]';
    await new Promise((resolve) => {
      (function check() {
        if (document.querySelector(selector)) resolve();
        else requestAnimationFrame(check);
      })();
    });
    return performance.now() - t0;
  })()`;
}

/** Page-side: runs each query through messages:search on a WebSocket of its own, one at a time. */
function searchScript(queries: string[]): string {
  return `(async () => {
    const ws = new WebSocket('ws://' + location.host + '/ws');
    await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
    const out = [];
    let id = 0;
    for (const query of ${JSON.stringify(queries)}) {
      id++;
      const t0 = performance.now();
      const hits = await new Promise((resolve, reject) => {
        ws.onmessage = (m) => {
          const data = JSON.parse(m.data);
          if (data.id !== id) return;
          if (!data.result || !data.result.ok) reject(new Error('search failed: ' + m.data));
          else resolve(data.result.value.hits.length);
        };
        ws.send(JSON.stringify({ id, channel: 'messages:search', payload: { query, limit: 50 } }));
      });
      out.push({ ms: performance.now() - t0, hits });
    }
    ws.close();
    return out;
  })()`;
}

/** Generates into `dataDir`, or copies the store kept in BENCH_INBOX_STORE (generating it there once). */
function prepareStore(dataDir: string): void {
  const kept = process.env.BENCH_INBOX_STORE;
  const describe = `${CONVERSATIONS} conversations and ${MESSAGES} messages`;
  const target = kept ?? dataDir;
  const marker = join(target, 'bench-store.json');
  const wanted = JSON.stringify({
    conversations: CONVERSATIONS,
    messages: MESSAGES,
    schema: migrations.length,
  });
  if (kept && existsSync(marker) && readFileSync(marker, 'utf8') === wanted) {
    process.stdout.write(`reusing the store of ${describe} kept in ${kept}\n`);
  } else {
    // A kept store took half an hour to generate: one made for other figures or an older schema is
    // replaced only when asked to, never as a side effect of a run.
    if (kept && existsSync(marker) && process.env.BENCH_INBOX_REGENERATE !== '1') {
      throw new Error(
        `${kept} holds a store made for ${readFileSync(marker, 'utf8')}, not ${wanted}: ` +
          'set BENCH_INBOX_REGENERATE=1 to replace it, or point BENCH_INBOX_STORE at another folder.',
      );
    }
    if (kept) {
      rmSync(kept, { recursive: true, force: true });
      mkdirSync(kept, { recursive: true });
    }
    process.stdout.write(`generating ${describe}…\n`);
    const { seconds } = generate(target);
    process.stdout.write(`generated in ${seconds.toFixed(1)} s\n`);
    if (kept) writeFileSync(marker, wanted);
  }
  // generate() checkpoints and closes: the store is one file, no -wal or -shm beside it.
  if (kept) copyFileSync(join(kept, 'bellhop.sqlite'), join(dataDir, 'bellhop.sqlite'));
}

async function main(): Promise<void> {
  assertChromiumInstalled();
  const runs = Number(process.env.BENCH_RUNS ?? 1);
  const phases = createPhaseLog();
  const interactives: number[] = [];
  let threadOpenMs = NaN;
  let searchP95Ms = NaN;
  for (let run = 0; run < runs; run++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'bellhop-inbox-bench-'));
    try {
      prepareStore(dataDir);

      const browser = await chromium.launch(chromiumLaunchOptions);
      const context = await browser.newContext();
      const page = await context.newPage();
      const spawnedAtEpoch = Date.now();
      const started = performance.now();
      const host = await startHostProcess({
        dataDir,
        env: { BELLHOP_STARTUP_TRACE: '1' },
        until: openPageAt(),
      });
      let timing: PageTiming;
      try {
        phases.add('bench: host reported (page opened)', performance.now() - started);
        await page.goto(`${host.url}#/inbox`);
        await page
          .locator('[data-testid="conversation-list"][data-loaded="true"] [data-testid="conversation-row"]')
          .first()
          .waitFor({ state: 'visible', timeout: 60_000 });
        const interactive = performance.now() - started;
        interactives.push(interactive);
        phases.add('page: conversation list interactive (figure)', interactive);
        process.stdout.write(`conversation list interactive after ${interactive.toFixed(0)} ms\n`);
        timing = await page.evaluate<PageTiming>(pageTimingScript);
        if (run === 0) {
          const measured = await measureThreadsAndSearch(page);
          threadOpenMs = measured.threadOpenMs;
          searchP95Ms = measured.searchP95Ms;
        }
      } finally {
        await context.close();
        await browser.close();
        await host.stop();
      }
      phases.addRun(host.output(), timing, spawnedAtEpoch);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  phases.print();
  reportFigure('inbox_interactive_ms', median(interactives), 'ms', '<1500');
  reportFigure('inbox_thread_open_ms', threadOpenMs, 'ms', '<100');
  reportFigure('inbox_search_p95_ms', searchP95Ms, 'ms', '<50');
}

async function measureThreadsAndSearch(page: Page): Promise<{ threadOpenMs: number; searchP95Ms: number }> {
  // Thread opens: click a row, wait until that conversation's messages are on screen. The page-side
  // code is plain JavaScript text: this file is compiled for Node (no DOM types, and tsx would wrap
  // functions in helpers the page does not have).
  const opens: number[] = [];
  for (let i = 0; i < 20; i++) {
    opens.push(await page.evaluate<number>(openThreadScript(i)));
  }
  process.stdout.write(`thread opens (ms): ${opens.map((x) => x.toFixed(0)).join(' ')}\n`);

  // Full-text searches from the page over the app's own WebSocket (IPC + FTS5).
  const queries = [
    ...words.slice(0, 30),
    ...words.slice(0, 20).map((w) => w.slice(0, 3)),
    ...rareWords,
    ...rareWords.map((w) => w.slice(0, 4)),
    ...Array.from({ length: 20 }, (_, i) => `${words[i]} ${words[(i * 7) % words.length]}`),
    ...Array.from(
      { length: 14 },
      (_, i) => `${words[(i * 3) % words.length]} ${rareWords[i % rareWords.length]}`,
    ),
  ];
  const timings = await page.evaluate<{ ms: number; hits: number }[]>(searchScript(queries));
  const searchMs = timings.map((t) => t.ms);
  process.stdout.write(
    `searches: ${timings.length}, median ${median(searchMs).toFixed(1)} ms, max ${Math.max(...searchMs).toFixed(1)} ms, ` +
      `hits per query ${Math.min(...timings.map((t) => t.hits))}–${Math.max(...timings.map((t) => t.hits))}\n`,
  );
  return { threadOpenMs: median(opens), searchP95Ms: percentile(searchMs, 95) };
}

void main();
