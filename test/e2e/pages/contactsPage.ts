import { expect, type JSHandle, type Locator, type Page } from '@playwright/test';

/** Page object for the contacts screen and its import wizard. */
export class ContactsPage {
  constructor(readonly page: Page) {}

  overlay(): Locator {
    return this.page.getByTestId('csv-drop-overlay');
  }

  mapping(): Locator {
    return this.page.getByTestId('import-mapping');
  }

  mappingSelect(column: number): Locator {
    return this.page.getByTestId(`mapping-select-${column}`);
  }

  defaultCountry(): Locator {
    return this.page.getByTestId('default-country');
  }

  startButton(): Locator {
    return this.page.getByTestId('import-start');
  }

  progress(): Locator {
    return this.page.getByTestId('import-progress');
  }

  summary(): Locator {
    return this.page.getByTestId('import-summary');
  }

  count(kind: 'created' | 'updated' | 'unchanged' | 'rejected'): Locator {
    return this.page.getByTestId(`count-${kind}`);
  }

  rejectsLink(): Locator {
    return this.page.getByTestId('download-rejects');
  }

  search(): Locator {
    return this.page.getByTestId('contacts-search');
  }

  row(phone: string): Locator {
    return this.page.locator(`[data-testid="contact-row"][data-phone="${phone}"]`);
  }

  /** Drops a CSV, keeps the suggested mapping with `country` as default, imports it and waits for the summary. */
  async importFile(name: string, content: string, country: string): Promise<void> {
    const transfer = await this.fileTransfer(name, content);
    await this.drop(transfer);
    await this.release(transfer);
    await expect(this.mapping()).toBeVisible();
    await this.defaultCountry().selectOption(country);
    await this.startButton().click();
    await expect(this.summary()).toHaveAttribute('data-phase', 'done', { timeout: 60_000 });
  }

  /** A DataTransfer holding one file, built in the page (what a drag from the desktop carries). */
  async fileTransfer(name: string, content: string): Promise<JSHandle<DataTransfer>> {
    return this.page.evaluateHandle(
      ({ name: fileName, content: text }) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([text], fileName, { type: 'text/csv' }));
        return transfer;
      },
      { name, content },
    );
  }

  /** Drags the file over the window, then drops it. */
  async drop(transfer: JSHandle<DataTransfer>, target = 'main'): Promise<void> {
    await this.page.dispatchEvent(target, 'dragenter', { dataTransfer: transfer });
    await this.page.dispatchEvent(target, 'dragover', { dataTransfer: transfer });
  }

  async release(transfer: JSHandle<DataTransfer>, target = 'main'): Promise<void> {
    await this.page.dispatchEvent(target, 'drop', { dataTransfer: transfer });
  }
}
