import type { Locator, Page } from '@playwright/test';

/** Page object for the inbox: the conversation list, the open thread, the composer and the template picker. */
export class InboxPage {
  constructor(readonly page: Page) {}

  list(): Locator {
    return this.page.getByTestId('conversation-list');
  }

  conversation(name: string | RegExp): Locator {
    return this.page.getByRole('listbox', { name: 'Conversations' }).getByRole('option', { name });
  }

  thread(): Locator {
    return this.page.getByTestId('thread');
  }

  messages(): Locator {
    return this.thread().getByTestId('message');
  }

  outbound(): Locator {
    return this.thread().locator('[data-testid="message"][data-direction="outbound"]');
  }

  inbound(): Locator {
    return this.thread().locator('[data-testid="message"][data-direction="inbound"]');
  }

  composerText(): Locator {
    return this.thread().getByRole('combobox', { name: 'Message' });
  }

  windowNote(): Locator {
    return this.thread().getByTestId('window-note');
  }

  templates(): Locator {
    return this.thread().getByRole('radiogroup', { name: 'Templates' });
  }

  search(): Locator {
    return this.page.getByRole('searchbox', { name: 'Search chats and messages' });
  }

  searchHits(): Locator {
    return this.page.getByTestId('search-hit');
  }

  async reply(text: string): Promise<void> {
    await this.composerText().fill(text);
    await this.composerText().press('Enter');
  }

  /**
   * Opens the page's test WebSocket (the one invoke() reuses), so that a timed call does not count
   * the socket's handshake — a cost of the test's side channel, not of the app.
   */
  async openTestSocket(): Promise<void> {
    await this.page.evaluate(async () => {
      const w = window as unknown as { __testSocket?: Promise<WebSocket> };
      w.__testSocket ??= new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://${location.host}/ws`);
        ws.onopen = () => resolve(ws);
        ws.onerror = reject;
      });
      await w.__testSocket;
    });
  }

  /**
   * Calls the app's IPC contract over the page's own authenticated WebSocket (test set-up only, such as
   * a simulated customer message with an old timestamp). One socket per page load, opened on first use.
   */
  async invoke<T>(channel: string, payload: unknown): Promise<T> {
    await this.openTestSocket();
    const result = await this.page.evaluate(
      async ({ channel, payload }) => {
        const w = window as unknown as { __testSocket: Promise<WebSocket>; __testCalls?: number };
        const ws = await w.__testSocket;
        const id = (w.__testCalls = (w.__testCalls ?? 0) + 1);
        return new Promise<unknown>((resolve) => {
          const onMessage = (m: MessageEvent<string>): void => {
            const data = JSON.parse(m.data) as { id?: number; result?: unknown };
            if (data.id !== id) return;
            ws.removeEventListener('message', onMessage);
            resolve(data.result);
          };
          ws.addEventListener('message', onMessage);
          ws.send(JSON.stringify({ id, channel, payload }));
        });
      },
      { channel, payload },
    );
    const typed = result as { ok: boolean; value?: T; error?: { code: string; message: string } };
    if (!typed.ok) throw new Error(`${channel}: ${typed.error?.code} ${typed.error?.message}`);
    return typed.value as T;
  }

  /** A simulated customer message of any type the Sandbox can deliver (`sandbox:simulate-message`). */
  simulateAny(message: { type: string; from: string } & Record<string, unknown>): Promise<{ wamid: string }> {
    return this.invoke('sandbox:simulate-message', message);
  }

  simulate(message: {
    from: string;
    text: string;
    profileName?: string;
    sentMinutesAgo?: number;
  }): Promise<{ wamid: string; from: string }> {
    return this.invoke('sandbox:simulate-message', { type: 'text', ...message });
  }
}
