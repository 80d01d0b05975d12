// The browser host answers before its app is up: it listens and serves the renderer while the core's
// modules load and the store opens, so a page opened at once loads side by side with the core. Calls
// the page makes meanwhile wait for the app; a start that fails stops the host with its reason.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrations } from '../../src-main/db/migrations';
import { startHostProcess } from '../helpers/browserHostProcess';
import { expect, test } from './fixtures';

test('a page opened as soon as the address is printed loads and gets its data once the app is up', async ({
  page,
}) => {
  const host = await startHostProcess({ until: 'listening' });
  try {
    await page.goto(`${host.url}#/inbox`);
    await expect(page.locator('.app[data-app-ready="true"]')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByRole('heading', { name: 'Inbox', level: 1 })).toBeVisible();
    await expect.poll(() => host.output()).toMatch(/^Bellhop is ready$/m);
    // The page's early calls went through the app's own router: bad input is still refused.
    const replies = await page.evaluate(async () => {
      const ws = new WebSocket(`ws://${location.host}/ws`);
      await new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = reject;
      });
      const ask = (id: number, channel: string, payload: unknown): Promise<unknown> =>
        new Promise((resolve) => {
          ws.addEventListener('message', (m: MessageEvent<string>) => {
            const data = JSON.parse(m.data) as { id: number; result: unknown };
            if (data.id === id) resolve(data.result);
          });
          ws.send(JSON.stringify({ id, channel, payload }));
        });
      const out = [await ask(1, 'app:info', {}), await ask(2, 'app:info', { unexpected: true })];
      ws.close();
      return out;
    });
    expect(replies[0]).toMatchObject({ ok: true, value: { hostKind: 'browser', dataDir: host.dataDir } });
    expect(replies[1]).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  } finally {
    await host.stop();
  }
});

test('a store the app cannot open stops the host with the reason, after it printed its address', async () => {
  const dataDir = mkdtempSync(join(process.env.BELLHOP_E2E_RUN_DIR ?? tmpdir(), 'bellhop-e2e-'));
  // A store from a newer Bellhop: the core refuses it (DatabaseTooNewError) and changes nothing.
  const db = new Database(join(dataDir, 'bellhop.sqlite'));
  db.pragma(`user_version = ${migrations.length + 1}`);
  db.close();

  const host = await startHostProcess({ dataDir, until: 'listening' });
  const code = await new Promise<number | null>((resolve) => {
    if (host.process.exitCode !== null) resolve(host.process.exitCode);
    else host.process.once('exit', (exitCode) => resolve(exitCode));
  });
  expect(code).toBe(1);
  expect(host.output()).toContain('Bellhop could not start');
  expect(host.output()).not.toMatch(/^Bellhop is ready$/m);
  await expect(startHostProcess({ dataDir })).rejects.toThrow(/exited with 1 before it was ready/);
});

test("the inbox's conversation list is the page's first call, asked once, and its rows show", async ({
  page,
  host,
}) => {
  // Every call the page makes, in the order its frames leave (the bridge's WebSocket).
  const calls: string[] = [];
  page.on('websocket', (ws) => {
    ws.on('framesent', (frame) => {
      if (typeof frame.payload !== 'string') return;
      const { channel } = JSON.parse(frame.payload) as { channel?: unknown };
      if (typeof channel === 'string') calls.push(channel);
    });
  });
  await page.goto(`${host.url}#/inbox`);
  await expect(page.locator('.app[data-app-ready="true"]')).toBeVisible();
  await expect(page.locator('[data-testid="conversation-list"][data-loaded="true"]')).toBeVisible();
  await expect.poll(() => calls).toContain('workspaces:list');
  // Asked by the page's small entry before React loaded, and not again by the inbox's first mount.
  expect(calls[0]).toBe('conversations:list');
  expect(calls.filter((c) => c === 'conversations:list')).toHaveLength(1);
  expect(calls.filter((c) => c === 'app:info')).toHaveLength(1);

  // Leaving the inbox and coming back loads the list afresh.
  await page.getByRole('link', { name: /Contacts/ }).click();
  await expect(page.getByRole('heading', { name: 'Contacts', level: 1 })).toBeVisible();
  await page.getByRole('link', { name: /Inbox/ }).click();
  await expect.poll(() => calls.filter((c) => c === 'conversations:list').length).toBe(2);
});

test('the date data the list needs loads in a worker that ends on its own, allowed by the page policy', async ({
  page,
  host,
}) => {
  // The Content-Security-Policy (script-src 'self') must let the page start it from its own origin,
  // and the build must have emitted its script.
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  const isWarmup = (url: string): boolean => /\/timeFormatWarmup\.worker-[\w-]+\.js$/.test(url);
  const served = page.waitForResponse((response) => isWarmup(response.url()));
  const started = page.waitForEvent('worker', { predicate: (worker) => isWarmup(worker.url()) });
  await page.goto(`${host.url}#/inbox`);
  expect((await served).status()).toBe(200);
  const worker = await started;
  // It closes itself once the formats are made (a worker that threw would stay open).
  await new Promise<void>((resolve) => worker.once('close', () => resolve()));
  await expect(page.locator('.app[data-app-ready="true"]')).toBeVisible();
  await expect(page.locator('[data-testid="conversation-list"][data-loaded="true"]')).toBeVisible();
  expect(violations).toEqual([]);
});
