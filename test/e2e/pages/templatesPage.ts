import type { Locator, Page } from '@playwright/test';

/** Page object for the Templates screen, its "New template" form and the "New message" dialog. */
export class TemplatesPage {
  constructor(readonly page: Page) {}

  syncButton(): Locator {
    return this.page.getByRole('button', { name: /^(Sync now|Syncing…)$/ });
  }

  syncStatus(): Locator {
    return this.page.getByTestId('templates-sync-status');
  }

  syncNotice(): Locator {
    return this.page.getByTestId('templates-sync-notice');
  }

  lastSynced(): Locator {
    return this.page.getByTestId('templates-last-synced');
  }

  table(): Locator {
    return this.page.getByRole('table', { name: 'Templates' });
  }

  row(name: string, language = 'en_US'): Locator {
    return this.table().locator(`tr[data-template="${name}/${language}"]`);
  }

  statusBadge(name: string, language = 'en_US'): Locator {
    return this.row(name, language).getByLabel(/^Status: /);
  }

  categoryBadge(name: string, language = 'en_US'): Locator {
    return this.row(name, language).getByLabel(/^Category: /);
  }

  qualityBadge(name: string, language = 'en_US'): Locator {
    return this.row(name, language).getByLabel(/^Quality: /);
  }

  async open(name: string, language = 'en_US'): Promise<void> {
    await this.row(name, language).getByRole('button', { name, exact: true }).click();
  }

  details(name: string): Locator {
    return this.page.getByRole('region', { name });
  }

  preview(name: string): Locator {
    return this.page.getByRole('figure', { name: `Preview of ${name}` });
  }

  filter(label: 'Status' | 'Category' | 'Quality' | 'Language'): Locator {
    return this.page.getByRole('group', { name: 'Filters' }).getByLabel(label);
  }

  search(): Locator {
    return this.page
      .getByRole('group', { name: 'Filters' })
      .getByRole('searchbox', { name: 'Search templates' });
  }

  showDeleted(): Locator {
    return this.page.getByRole('checkbox', { name: 'Show deleted' });
  }

  createForm(): Locator {
    return this.page.getByRole('form', { name: 'New template' });
  }

  newMessageDialog(): Locator {
    return this.page.getByRole('dialog', { name: 'New message' });
  }
}
