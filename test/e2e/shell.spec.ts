import { test, expect } from './fixtures';
import { sectionNames } from './pages/appShell';

test('the app loads and every section is reachable from the sidebar', async ({ app, page }) => {
  for (const name of sectionNames) {
    await app.open(name);
    await expect(app.heading()).toHaveText(name);
    await expect(app.sidebarLink(name)).toHaveAttribute('aria-current', 'page');
    await expect(page).toHaveURL(new RegExp(`#/${name.toLowerCase()}$`));
  }
});

test('keyboard: Ctrl+number jumps to a section and arrow keys move along the sidebar', async ({
  app,
  page,
}) => {
  await page.keyboard.press('Control+3');
  await expect(app.heading()).toHaveText('Contacts');
  await page.keyboard.press('Control+6');
  await expect(app.heading()).toHaveText('Settings');

  await app.sidebarLink('Inbox').focus();
  await page.keyboard.press('ArrowDown');
  await expect(app.sidebarLink('Campaigns')).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await expect(app.sidebarLink('Settings')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(app.heading()).toHaveText('Settings');
});

test('app:info round-trips over the bridge and shows in Settings', async ({ app, page, host }) => {
  await app.open('Settings');
  await expect(page.getByTestId('info-data-dir')).toHaveText(host.dataDir);
  await expect(page.getByTestId('info-host')).toHaveText('Browser host');
  await expect(page.getByTestId('info-schema')).toHaveText(/^[1-9]\d*$/);

  // The same contract spoken by hand over the page's own WebSocket: the Result shape, and BAD_REQUEST
  // for an unknown channel or an invalid payload.
  const replies = await page.evaluate(async () => {
    const ws = new WebSocket(`ws://${location.host}/ws`);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    const ask = (id: number, channel: string, payload: unknown): Promise<unknown> =>
      new Promise((resolve) => {
        const onMessage = (m: MessageEvent<string>): void => {
          const data = JSON.parse(m.data) as { id: number; result: unknown };
          if (data.id !== id) return;
          ws.removeEventListener('message', onMessage);
          resolve(data.result);
        };
        ws.addEventListener('message', onMessage);
        ws.send(JSON.stringify({ id, channel, payload }));
      });
    const out = [
      await ask(1, 'app:info', {}),
      await ask(2, 'app:nope', {}),
      await ask(3, 'app:info', { unexpected: true }),
    ];
    ws.close();
    return out;
  });
  expect(replies[0]).toMatchObject({
    ok: true,
    value: { hostKind: 'browser', dataDir: host.dataDir, name: 'Bellhop' },
  });
  expect(replies[1]).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  expect(replies[2]).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
});

test('the status bar shows the health of every component', async ({ app }) => {
  for (const key of ['database', 'queue', 'connection', 'tunnel'] as const) {
    await expect(app.statusItem(key)).toBeVisible();
  }
  await expect(app.statusItem('database')).toContainText('Database: OK');
});

test('the page runs under the strict CSP: inline script and remote content are blocked', async ({
  app,
  page,
}) => {
  void app;
  const outcome = await page.evaluate(async () => {
    const violations: string[] = [];
    // Resolves once both violations were reported (the browser reports them asynchronously).
    const bothReported = new Promise<void>((resolve) => {
      document.addEventListener('securitypolicyviolation', (e) => {
        violations.push(e.effectiveDirective);
        if (violations.includes('script-src-elem') && violations.includes('img-src')) resolve();
      });
    });
    const script = document.createElement('script');
    script.textContent = 'window.__inline = true';
    document.body.appendChild(script);
    const img = document.createElement('img');
    img.src = 'https://tracker.example/pixel.png';
    document.body.appendChild(img);
    await bothReported;
    return { ran: (window as unknown as { __inline?: boolean }).__inline === true, violations };
  });
  expect(outcome.ran).toBe(false);
  expect(outcome.violations).toEqual(expect.arrayContaining(['script-src-elem', 'img-src']));
});
