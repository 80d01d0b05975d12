// The inbox in Chromium against the built browser host and its Sandbox (the embedded Cloud API
// simulator): a simulated customer message appears within a second with a desktop notification and an
// unread count in the title; the reply's ticks move sent → delivered → read; each list row shows the
// 24 h window's time left (or that it closed); with the 24 h window expired the composer offers a
// template whose preview follows the variables as they are typed, and the template send works; a 131047
// failure shows its advice and its one-click fix; customer text that looks like HTML stays text; with
// thousands of conversations the list renders only a window of rows and scrolls to the last one; every
// inbound type shows what the customer sent, grouped by day, with quotes, reactions and downloads.
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { newId } from '../../src-main/db/ids';
import type { BrowserContext, Locator, Page } from '@playwright/test';
import { startHostProcess } from '../helpers/browserHostProcess';
import { expect, openApp, test } from './fixtures';
import { InboxPage } from './pages/inboxPage';

interface Recorded {
  __notifications: { title: string; body: string }[];
  __statuses: string[];
  __appearedAt?: number;
  xssRan?: number;
}

/** Grants notifications and records every Notification the page constructs. */
async function recordNotifications(context: BrowserContext, page: Page, origin: string): Promise<void> {
  await context.grantPermissions(['notifications'], { origin });
  await page.addInitScript(() => {
    const Native = window.Notification;
    const seen: { title: string; body: string }[] = [];
    (window as unknown as Recorded).__notifications = seen;
    class Recording extends Native {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        seen.push({ title, body: options?.body ?? '' });
      }
    }
    window.Notification = Recording;
  });
}

/** Records every status the newest outbound message shows, in order. */
async function recordStatuses(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as Recorded).__statuses = seen;
    const look = (): void => {
      const all = document.querySelectorAll('[data-testid="message"][data-direction="outbound"]');
      const status = all[all.length - 1]
        ?.querySelector('[data-testid="message-status"]')
        ?.getAttribute('data-status');
      if (status && seen[seen.length - 1] !== status) seen.push(status);
    };
    new MutationObserver(look).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-status'],
    });
  });
}

/**
 * Records (page clock, the machine's wall clock like the test's) when a conversation whose text
 * contains `name` first shows in the list. Playwright's auto-waiting retries at 100, 250, 500 and
 * 1,000 ms intervals, so the moment an expect() resolves can trail the real one by most of a second.
 */
async function recordAppearance(page: Page, name: string): Promise<void> {
  await page.evaluate((name) => {
    const look = (): void => {
      const options = document.querySelectorAll(
        '[role="listbox"][aria-label="Conversations"] [role="option"]',
      );
      if ([...options].some((o) => o.textContent?.includes(name))) {
        (window as unknown as Recorded).__appearedAt ??= Date.now();
      }
    };
    new MutationObserver(look).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
    });
  }, name);
}

/**
 * The second, on a machine with a core to spare. Under CI load every hop of the path (page →
 * host → simulator → webhook server → writer thread → queue → host → page → host → page: about ten
 * thread or process wake-ups) waits for a CPU slice, so the budget grows with the load average per
 * core, up to 2 s — still below the 2–3 s the first message took before its start-up costs went.
 */
function firstMessageBudgetMs(): number {
  const perCore = (loadavg()[0] ?? 0) / cpus().length;
  return Math.min(2_000, Math.round(1_000 * Math.max(1, perCore)));
}

test('a customer message appears within a second with a notification; the reply ticks sent → delivered → read', async ({
  page,
  context,
  host,
}) => {
  await recordNotifications(context, page, host.origin);
  await openApp(page, host, '#/inbox');
  const inbox = new InboxPage(page);
  await expect(inbox.list()).toHaveAttribute('data-loaded', 'true');
  await expect(page).toHaveTitle('Inbox · Bellhop');
  // The first customer message after the host started, with nothing sent before it: its webhook is
  // the simulator's first delivery and the intake writer's first batch, so this measures any start-up
  // cost left on that path. Measured from the send, the simulation's own round trip included.
  await recordAppearance(page, 'Maria Lopez');
  await inbox.openTestSocket();
  const sentAt = Date.now();
  await inbox.simulate({ from: '+14155550123', text: 'Hi! Do you deliver on *Sundays*?' });
  const row = inbox.conversation(/Maria Lopez/);
  await expect(row).toBeVisible({ timeout: 5_000 });
  const appearedAt = await page.evaluate(() => (window as unknown as Recorded).__appearedAt ?? null);
  expect(appearedAt, 'the observer saw the row appear after the send').toBeGreaterThanOrEqual(sentAt);
  const appearedMs = (appearedAt ?? Infinity) - sentAt;
  test.info().annotations.push({ type: 'first message after start', description: `${appearedMs} ms` });
  expect(appearedMs, `appeared after ${appearedMs} ms`).toBeLessThan(firstMessageBudgetMs());
  await expect(row).toContainText('Hi! Do you deliver on *Sundays*?');
  await expect(row.getByTestId('unread-badge')).toHaveText('1');
  // The row says how long the 24 h window stays open (it just opened).
  await expect(row.getByText(/^⏱ 2[34] h \d+ min left$/)).toBeVisible();
  await expect(page).toHaveTitle('(1) Inbox · Bellhop');
  await expect
    .poll(() => page.evaluate(() => (window as unknown as Recorded).__notifications))
    .toContainEqual({ title: 'Maria Lopez', body: 'Hi! Do you deliver on *Sundays*?' });

  // Opening the thread reads it: the count and the title clear; WhatsApp formatting is shown as such.
  await row.click();
  await expect(inbox.inbound()).toHaveCount(1);
  await expect(inbox.inbound().locator('strong')).toHaveText('Sundays');
  await expect(page).toHaveTitle('Inbox · Bellhop');
  await expect(row.getByTestId('unread-badge')).toHaveCount(0);
  await expect(inbox.thread().getByTestId('thread-window')).toHaveText(/2[34] h \d+ min left/);

  await recordStatuses(page);
  await inbox.reply('Yes, every day from 9 to 5.');
  const reply = inbox.outbound().last();
  await expect(reply).toContainText('Yes, every day from 9 to 5.');
  await expect(reply.getByTestId('message-status')).toHaveAttribute('data-status', 'read', {
    timeout: 15_000,
  });
  await expect(reply.getByRole('img', { name: 'Read' })).toBeVisible();
  const statuses = await page.evaluate(() => (window as unknown as Recorded).__statuses);
  const at = (s: string) => statuses.indexOf(s);
  expect(at('sent'), statuses.join(' → ')).toBeGreaterThanOrEqual(0);
  expect(at('delivered'), statuses.join(' → ')).toBeGreaterThan(at('sent'));
  expect(at('read'), statuses.join(' → ')).toBeGreaterThan(at('delivered'));

  // The message is found by full-text search and the hit opens the thread at it.
  await inbox.search().fill('sunday');
  await expect(inbox.searchHits()).toHaveCount(1);
  await expect(inbox.searchHits().first().locator('mark')).toHaveText('Sundays');
  await inbox.searchHits().first().click();
  await expect(inbox.thread().locator('.msg-focused')).toContainText('Sundays');
});

test('with the 24 h window expired the composer explains why and a template goes out', async ({
  page,
  host,
}) => {
  await openApp(page, host, '#/inbox');
  const inbox = new InboxPage(page);
  await inbox.simulate({ from: '+14155550147', text: 'Is my order ready?', sentMinutesAgo: 25 * 60 });
  await expect(inbox.conversation(/James Carter/).getByText('24 h window closed')).toBeVisible();
  // A customer who wrote 23 h 30 min ago leaves about half an hour, shown in minutes.
  await inbox.simulate({ from: '+61491570156', text: 'Still open?', sentMinutesAgo: 23 * 60 + 30 });
  await expect(inbox.conversation(/Liam Nguyen/).getByText(/^⏱ (29|30) min left$/)).toBeVisible();
  await inbox.conversation(/James Carter/).click();
  await expect(inbox.thread().getByTestId('thread-window')).toHaveText('24 h window closed');
  // Shown on the day the customer sent it (Meta's timestamp), not the day it arrived.
  await expect(inbox.thread().getByRole('separator').first()).not.toHaveAccessibleName('Today');
  await expect(inbox.windowNote()).toContainText('The 24-hour window is closed');
  await expect(inbox.composerText()).toHaveCount(0);

  await inbox
    .templates()
    .getByRole('radio', { name: /order_update/ })
    .check();
  // The picker's preview is live: placeholders until a variable is typed, then the typed value.
  const preview = inbox.thread().getByRole('figure', { name: 'Preview of order_update' });
  await expect(preview).toContainText('your order');
  await expect(preview.locator('mark')).toHaveText(['{{1}}', '{{2}}']);
  await inbox.thread().getByLabel('Body {{1}}').fill('James');
  await expect(preview.locator('.tpl-var-filled')).toHaveText(['James']);
  await expect(preview.locator('mark')).toHaveText(['{{2}}']);
  await inbox.thread().getByLabel('Body {{2}}').fill('#2001');
  await expect(preview).toContainText('Hi James, your order #2001 is on its way.');
  await inbox.thread().getByLabel('Body {{1}}').fill('Jim');
  await expect(preview).toContainText('Hi Jim, your order #2001 is on its way.');
  await inbox.thread().getByLabel('Body {{1}}').fill('James');
  await inbox.thread().getByRole('button', { name: 'Send template' }).click();
  const sent = inbox.outbound().last();
  await expect(sent).toHaveAttribute('data-type', 'template');
  await expect(sent).toContainText('order_update');
  await expect(sent).toContainText('#2001');
  await expect(sent.getByTestId('message-status')).toHaveAttribute('data-status', /^(delivered|read)$/, {
    timeout: 15_000,
  });
});

test('a 131047 failure shows its advice and offers a template in one click', async ({ page }) => {
  // The Sandbox's simulator keeps the 24 h window in memory, like Meta keeps its own: after a restart
  // it has forgotten the customer's message while the app still counts the window open, so a free-form
  // reply is accepted with 200 and then failed by the status webhook with 131047 (§3, §7).
  const first = await startHostProcess();
  try {
    await openApp(page, first, '#/inbox');
    const inbox = new InboxPage(page);
    await inbox.simulate({ from: '+12025550143', text: 'Can you call me back?' });
    await expect(inbox.conversation(/Aisha Khan/)).toBeVisible();
  } finally {
    await first.stop();
  }
  const second = await startHostProcess({ dataDir: first.dataDir });
  try {
    await openApp(page, second, '#/inbox');
    const inbox = new InboxPage(page);
    await inbox.conversation(/Aisha Khan/).click();
    await inbox.reply('Sure, what time suits you?');
    const failed = inbox.outbound().last();
    await expect(failed.getByTestId('message-status')).toHaveAttribute('data-status', 'failed', {
      timeout: 15_000,
    });
    const failure = failed.getByTestId('message-failure');
    await expect(failure).toContainText('error 131047');
    await expect(failure).toContainText(
      'More than 24 hours since the customer last wrote: send a template instead.',
    );
    await failure.getByRole('button', { name: 'Send a template instead' }).click();
    await expect(inbox.templates()).toBeVisible();
  } finally {
    await second.stop();
  }
});

test('customer text and names that look like HTML are shown as text, never run', async ({ page, host }) => {
  await openApp(page, host, '#/inbox');
  const inbox = new InboxPage(page);
  const name = '<img src=x onerror="window.xssRan=1">';
  const text = '<script>window.xssRan=2</script><img src=x onerror="window.xssRan=3"> *hi*';
  await inbox.simulate({ from: '+33612345678', text, profileName: name });
  // The demo contact keeps its saved name; a new number takes the profile name.
  await inbox.simulate({ from: '+33699999999', text, profileName: name });
  const stranger = page.getByTestId('conversation-row').filter({ hasText: name });
  await expect(stranger).toContainText(name);
  await stranger.click();
  await expect(inbox.thread().getByRole('heading', { level: 2 })).toHaveText(name);
  await expect(inbox.inbound().first()).toContainText(
    '<script>window.xssRan=2</script><img src=x onerror="window.xssRan=3">',
  );
  await inbox.search().fill('xss');
  await expect(inbox.searchHits()).toHaveCount(2);
  expect(await page.evaluate(() => (window as unknown as Recorded).xssRan)).toBeUndefined();
  expect(await page.locator('img[src="x"], script:not([src])').count()).toBe(0);
});

test('the composer expands /shortcut quick replies and sends an attachment with a caption', async ({
  page,
  host,
}) => {
  await openApp(page, host, '#/inbox');
  const inbox = new InboxPage(page);
  await inbox.invoke('quickReplies:save', {
    shortcut: 'hours',
    text: 'We are open *9 to 5*, Monday to Saturday.',
  });
  await inbox.simulate({ from: '+34600000001', text: 'When are you open?' });
  await inbox.conversation(/Lucía García/).click();

  await inbox.composerText().fill('/ho');
  const suggestions = inbox.thread().getByRole('listbox', { name: 'Quick replies' });
  await expect(suggestions.getByRole('option')).toHaveText([/\/hours/]);
  await inbox.composerText().press('Enter');
  await expect(inbox.composerText()).toHaveValue('We are open *9 to 5*, Monday to Saturday.');
  await expect(inbox.thread().getByTestId('formatting-preview').locator('strong')).toHaveText('9 to 5');
  await inbox.composerText().press('Enter');
  await expect(inbox.outbound().last()).toContainText('We are open 9 to 5, Monday to Saturday.');

  // A 1×1 PNG, attached through the file input, uploaded in chunks and sent by media id.
  const png = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
    'base64',
  );
  await inbox.thread().getByLabel('Attachment file').setInputFiles({
    name: 'shop-front.png',
    mimeType: 'image/png',
    buffer: png,
  });
  await expect(inbox.thread().getByTestId('composer-attachment')).toContainText('shop-front.png');
  await inbox.composerText().fill('Our shop');
  await inbox.thread().getByRole('button', { name: 'Send', exact: true }).click();
  const sent = inbox.outbound().last();
  await expect(sent).toHaveAttribute('data-type', 'image');
  await expect(sent).toContainText('Our shop');
  await expect(sent.getByRole('img', { name: 'Our shop' })).toBeVisible();
  await expect(sent.getByTestId('message-status')).toHaveAttribute('data-status', /^(sent|delivered|read)$/, {
    timeout: 15_000,
  });
});

/** The day separator's label for a time on another day than today and yesterday (inboxTime.dayLabel). */
function olderDayLabel(page: Page, at: number): Promise<string> {
  return page.evaluate((at) => {
    const sameYear = new Date(at).getFullYear() === new Date().getFullYear();
    return new Intl.DateTimeFormat(undefined, {
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      ...(sameYear ? {} : { year: 'numeric' }),
    }).format(at);
  }, at);
}

test('every inbound type shows what the customer sent, grouped by day, with quotes, reactions and downloads', async ({
  page,
  host,
}) => {
  await openApp(page, host, '#/inbox');
  const inbox = new InboxPage(page);
  const who = { from: '+14155550177', profileName: 'Nora Quinn' };
  const threeDaysAgo = 3 * 24 * 60;

  // Two messages three days ago (one day group), then every other inbound type today.
  const old = await inbox.simulateAny({
    type: 'text',
    ...who,
    text: 'Hello, is the shop open?',
    sentMinutesAgo: threeDaysAgo,
  });
  await inbox.simulateAny({
    type: 'text',
    ...who,
    text: 'I will come by later',
    sentMinutesAgo: threeDaysAgo,
  });
  const first = await inbox.simulateAny({ type: 'text', ...who, text: 'Here are the details' });
  await inbox.simulateAny({ type: 'image', ...who, caption: 'The broken part' });
  await inbox.simulateAny({ type: 'video', ...who, caption: 'How it happens' });
  await inbox.simulateAny({ type: 'audio', ...who });
  await inbox.simulateAny({ type: 'sticker', ...who });
  await inbox.simulateAny({ type: 'document', ...who, filename: 'invoice-2291.pdf', caption: 'My invoice' });
  await inbox.simulateAny({
    type: 'location',
    ...who,
    latitude: 52.52,
    longitude: 13.405,
    name: 'Shop entrance',
    address: 'Unter den Linden 1, Berlin',
  });
  await inbox.simulateAny({ type: 'contacts', ...who, name: 'Maria Lopez', phone: '+34 600 111 222' });
  await inbox.simulateAny({
    type: 'interactive',
    ...who,
    reply: 'button_reply',
    id: 'yes',
    title: 'Yes, deliver it',
  });
  await inbox.simulateAny({
    type: 'interactive',
    ...who,
    reply: 'list_reply',
    id: 'slot-2',
    title: 'Tomorrow 10–12',
    description: 'Morning slot',
  });
  await inbox.simulateAny({ type: 'reaction', ...who, messageWamid: first.wamid, emoji: '👍' });
  await inbox.simulateAny({ type: 'unsupported', ...who });
  await inbox.simulateAny({ type: 'text', ...who, text: 'As I said before', replyTo: old.wamid });

  await inbox.conversation(/Nora Quinn/).click();
  const messages = inbox.inbound();
  await expect(messages).toHaveCount(15, { timeout: 15_000 });
  const byType = (type: string): Locator =>
    inbox.thread().locator(`[data-testid="message"][data-type="${type}"]`);

  // Day separators: one for the day three days ago (both old messages under it), one for today.
  const separators = inbox.thread().getByRole('separator');
  const oldLabel = await olderDayLabel(page, Date.now() - threeDaysAgo * 60_000);
  await expect(separators).toHaveCount(2);
  await expect(separators.nth(0)).toHaveAccessibleName(oldLabel);
  await expect(separators.nth(0)).toHaveText(oldLabel);
  await expect(separators.nth(1)).toHaveAccessibleName('Today');
  const afterSeparators = (n: number): Locator =>
    inbox.thread().getByRole('separator').nth(n).locator('xpath=following-sibling::*[1]');
  await expect(afterSeparators(0)).toContainText('Hello, is the shop open?');
  await expect(afterSeparators(1)).toContainText('Here are the details');

  // Media: image and sticker as thumbnails, every file downloadable with its bytes.
  const image = byType('image');
  await expect(image).toContainText('The broken part');
  await expect(image.getByRole('img', { name: 'The broken part' })).toHaveAttribute('src', /^blob:/, {
    timeout: 15_000,
  });
  await expect(byType('sticker').getByRole('img', { name: 'sticker from the chat' })).toHaveAttribute(
    'src',
    /^blob:/,
    { timeout: 15_000 },
  );
  await expect(byType('video')).toContainText('How it happens');
  await expect(byType('video').getByRole('button', { name: 'Play' })).toBeVisible({ timeout: 15_000 });
  await expect(byType('audio').getByRole('button', { name: 'Play' })).toBeVisible({ timeout: 15_000 });
  const document = byType('document');
  await expect(document).toContainText('invoice-2291.pdf');
  await expect(document).toContainText('My invoice');
  const downloading = page.waitForEvent('download');
  await document.getByRole('button', { name: 'Download invoice-2291.pdf' }).click({ timeout: 15_000 });
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('invoice-2291.pdf');
  const path = await download.path();
  expect(readFileSync(path).toString('latin1')).toMatch(/^%PDF-/);
  const imageDownload = page.waitForEvent('download');
  await image.getByRole('button', { name: 'Download Image' }).click();
  expect(readFileSync(await (await imageDownload).path()).subarray(0, 3)).toEqual(
    Buffer.from([0xff, 0xd8, 0xff]),
  );

  // Location, contact card, button and list replies, the reaction on its message, unsupported.
  await expect(byType('location')).toContainText('Shop entrance');
  await expect(byType('location')).toContainText('Unter den Linden 1, Berlin');
  await expect(byType('location')).toContainText('52.52, 13.405');
  const card = byType('contacts').getByRole('list', { name: 'Shared contacts' });
  await expect(card).toContainText('Maria Lopez');
  await expect(card).toContainText('+34 600 111 222');
  const replies = byType('interactive');
  await expect(replies.nth(0)).toContainText('Tapped the button');
  await expect(replies.nth(0)).toContainText('Yes, deliver it');
  await expect(replies.nth(1)).toContainText('Chose from the list');
  await expect(replies.nth(1)).toContainText('Tomorrow 10–12');
  await expect(replies.nth(1)).toContainText('Morning slot');
  await expect(byType('reaction')).toContainText('Reacted 👍');
  await expect(byType('reaction').getByTestId('reaction-target')).toHaveText('to “Here are the details”');
  await expect(byType('unsupported')).toContainText(
    'is not supported here; open WhatsApp on the phone to see it',
  );

  // A quoted reply shows the message it quotes.
  const quoting = messages.filter({ hasText: 'As I said before' });
  await expect(quoting.getByTestId('message-quote')).toContainText('Customer');
  await expect(quoting.getByTestId('message-quote')).toContainText('Hello, is the shop open?');

  // The composer quotes too: Reply on a customer message, send, and our bubble shows the quote.
  await byType('text')
    .filter({ hasText: 'Here are the details' })
    .getByRole('button', { name: 'Reply' })
    .click();
  await inbox.reply('Thanks, got them');
  const answer = inbox.outbound().last();
  await expect(answer).toContainText('Thanks, got them');
  await expect(answer.getByTestId('message-quote')).toContainText('Customer');
  await expect(answer.getByTestId('message-quote')).toContainText('Here are the details');
  await expect(answer.getByTestId('message-status')).toHaveAttribute(
    'data-status',
    /^(sent|delivered|read)$/,
    {
      timeout: 15_000,
    },
  );
});

/** Writes `count` conversations ("Guest 0000" oldest … newest last) on the Sandbox connection. */
function seedConversations(dataDir: string, count: number): void {
  const db = new Database(join(dataDir, 'bellhop.sqlite'), { fileMustExist: true });
  try {
    const { id: connectionId, workspace_id: workspaceId } = db
      .prepare(`SELECT id, workspace_id FROM connections WHERE kind = 'sandbox'`)
      .get() as { id: string; workspace_id: string };
    const contact = db.prepare(
      `INSERT INTO contacts (id, workspace_id, phone_e164, wa_id, name, source, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'inbound', ?, ?)`,
    );
    const conversation = db.prepare(
      `INSERT INTO conversations (id, connection_id, contact_id, status, last_message_at, last_message_preview,
         unread_count, source, created_at, updated_at)
       VALUES (?, ?, ?, 'open', ?, ?, 0, 'inbound', ?, ?)`,
    );
    const now = Date.now();
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const n = String(i).padStart(4, '0');
        const at = now - (count - i) * 60_000;
        const contactId = newId(at);
        contact.run(contactId, workspaceId, `+1415600${n}`, `1415600${n}`, `Guest ${n}`, at, at);
        conversation.run(newId(at), connectionId, contactId, at, `Question ${n}`, at, at);
      }
    })();
  } finally {
    db.close();
  }
}

test('the conversation list is virtualized: with 3,000 conversations a window of rows is in the DOM, and scrolling reaches the last', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const count = 3_000;
  const first = await startHostProcess();
  try {
    await openApp(page, first, '#/inbox');
    await expect(new InboxPage(page).list()).toHaveAttribute('data-loaded', 'true');
  } finally {
    await first.stop();
  }
  seedConversations(first.dataDir, count);
  const second = await startHostProcess({ dataDir: first.dataDir });
  try {
    await openApp(page, second, '#/inbox');
    const inbox = new InboxPage(page);
    const rows = page.getByTestId('conversation-row');
    await expect(rows.first()).toContainText('Guest 2999');
    // Only a screenful plus the overscan is rendered, not the thousands the list holds.
    const rendered = await rows.count();
    expect(rendered).toBeGreaterThan(3);
    expect(rendered).toBeLessThan(80);

    // Scrolling to the end pages the list in (newest first) until the oldest one shows. The page keeps
    // scrolling to the bottom each frame, as a user holding End would, until it is there.
    await inbox.list().evaluate(async (el) => {
      const deadline = Date.now() + 90_000;
      while (!el.textContent?.includes('Guest 0000') && Date.now() < deadline) {
        el.scrollTop = el.scrollHeight;
        await new Promise((resolve) => requestAnimationFrame(resolve));
      }
    });
    await expect(inbox.conversation(/Guest 0000/)).toBeVisible();
    await expect(rows.first()).not.toContainText('Guest 2999');
    expect(await rows.count()).toBeLessThan(80);
    // The canvas is as tall as every row, so the scroll bar tells the list's true length.
    const canvasHeight = await page
      .getByRole('listbox', { name: 'Conversations' })
      .evaluate((el) => el.getBoundingClientRect().height);
    expect(canvasHeight).toBeGreaterThanOrEqual(count * 72);
  } finally {
    await second.stop();
  }
});
