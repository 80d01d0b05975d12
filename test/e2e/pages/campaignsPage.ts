import type { Locator, Page } from '@playwright/test';

/** Page object for the campaigns section: list, wizard, preflight and detail page. */
export class CampaignsPage {
  constructor(readonly page: Page) {}

  newButton(): Locator {
    return this.page.getByRole('button', { name: 'New campaign' });
  }
  nameInput(): Locator {
    return this.page.getByRole('textbox', { name: 'Campaign name' });
  }
  templateSelect(): Locator {
    return this.page.getByRole('combobox', { name: 'Template', exact: true });
  }
  variableSource(name: string): Locator {
    return this.page.getByRole('combobox', { name: `Source of {{${name}}}` });
  }
  variableText(name: string): Locator {
    return this.page.getByRole('textbox', { name: `Text for {{${name}}}` });
  }
  checkButton(): Locator {
    return this.page.getByRole('button', { name: 'Check before sending' });
  }
  preflight(): Locator {
    return this.page.getByRole('region', { name: 'Preflight' });
  }
  preflightRecipients(): Locator {
    return this.page.getByTestId('preflight-recipients');
  }
  sendNow(): Locator {
    return this.page.getByRole('button', { name: 'Send now' });
  }
  status(): Locator {
    return this.page.getByTestId('campaign-status');
  }
  counter(name: string): Locator {
    return this.page.getByTestId(`counter-${name}`);
  }
  funnelBar(name: string): Locator {
    return this.page.getByTestId(`funnel-${name}`);
  }
  exportButton(): Locator {
    return this.page.getByRole('button', { name: 'Export results (CSV)' });
  }
  exportLink(): Locator {
    return this.page.getByTestId('campaign-export-download');
  }
  recipientRows(): Locator {
    return this.page.getByTestId('recipient-row');
  }
  audienceOption(name: string): Locator {
    return this.page.getByRole('radio', { name });
  }
  /** The audience step's drop target for "Contacts from a CSV file" (a selector, for dispatchEvent). */
  readonly audienceDropZone = '[data-testid="audience-drop-zone"]';
  audienceSize(): Locator {
    return this.page.getByRole('status', { name: 'Audience size' });
  }
  audienceCount(): Locator {
    return this.page.getByTestId('audience-count');
  }
  audienceLeftOut(): Locator {
    return this.page.getByTestId('audience-left-out');
  }
  resendCheckbox(): Locator {
    return this.page.getByRole('checkbox', { name: 'Send unconfirmed messages again automatically' });
  }
  resendWait(): Locator {
    return this.page.getByRole('combobox', { name: 'Wait before sending again' });
  }
  summaryResend(): Locator {
    return this.page.getByTestId('summary-resend');
  }
  variableAttribute(name: string): Locator {
    return this.page.getByRole('textbox', { name: `Attribute for {{${name}}}` });
  }
  /** The example recipients of one preflight problem (name, number, what is wrong). */
  problemExamples(problemMessage: RegExp): Locator {
    return this.preflight().getByRole('table', { name: problemMessage });
  }
  resendSetting(): Locator {
    return this.page.getByTestId('resend-setting');
  }
  resendSettingChange(): Locator {
    return this.page
      .getByRole('region', { name: 'Unconfirmed sends' })
      .getByRole('button', { name: 'Change' });
  }
  resendSettingSelect(): Locator {
    return this.page.getByRole('combobox', { name: 'Send unconfirmed messages again' });
  }
}
