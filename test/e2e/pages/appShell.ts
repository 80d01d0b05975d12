import type { Locator, Page } from '@playwright/test';

export const sectionNames = ['Inbox', 'Campaigns', 'Contacts', 'Templates', 'Chatbots', 'Settings'] as const;
export type SectionName = (typeof sectionNames)[number];

/** Page object for the shell: sidebar, screen heading, status bar. */
export class AppShell {
  constructor(readonly page: Page) {}

  sidebarLink(name: SectionName): Locator {
    return this.page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name, exact: true });
  }

  heading(): Locator {
    return this.page.getByRole('heading', { level: 1 });
  }

  statusItem(key: 'database' | 'queue' | 'connection' | 'tunnel'): Locator {
    return this.page.getByTestId(`status-${key}`);
  }

  async open(name: SectionName): Promise<void> {
    await this.sidebarLink(name).click();
  }
}
