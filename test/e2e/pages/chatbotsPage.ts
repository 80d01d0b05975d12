import { expect, type Locator, type Page } from '@playwright/test';

/** Page object for the Chatbots screen: bot list, rule editor, business hours, tester, Sandbox phone. */
export class ChatbotsPage {
  constructor(readonly page: Page) {}

  heading(): Locator {
    return this.page.getByRole('heading', { level: 1, name: 'Chatbots' });
  }

  async createBot(name: string): Promise<void> {
    await this.page.getByLabel('New chatbot name').fill(name);
    await this.page.getByRole('button', { name: 'Create chatbot' }).click();
    await expect(this.page.getByRole('navigation', { name: 'Chatbots on this number' })).toContainText(name);
    await expect(this.page.getByTestId('bot-editor')).toBeVisible();
  }

  botEnabled(): Locator {
    return this.page.getByLabel('Bot enabled');
  }

  // --- rules -----------------------------------------------------------------------------------------

  rules(): Locator {
    return this.page.getByRole('list', { name: 'Rules, in the order they are tried' }).getByRole('listitem');
  }

  rule(name: string): Locator {
    return this.page.getByRole('listitem', { name, exact: true });
  }

  editor(): Locator {
    return this.page.getByTestId('rule-editor');
  }

  async openNewRule(name: string): Promise<Locator> {
    await this.page.getByRole('button', { name: 'Add rule' }).click();
    const editor = this.editor();
    await editor.getByLabel('Rule name').fill(name);
    return editor;
  }

  async addAction(editor: Locator, label: string): Promise<Locator> {
    await editor.getByLabel('New action').selectOption({ label });
    await editor.getByRole('button', { name: 'Add action' }).click();
    return editor.getByTestId('action-form').last();
  }

  async saveRule(name: string): Promise<void> {
    await this.editor().getByRole('button', { name: 'Save rule' }).click();
    await expect(this.editor()).toBeHidden();
    await expect(this.rule(name)).toBeVisible();
  }

  /** A keyword rule that answers with reply buttons. */
  async addButtonsRule(
    name: string,
    keyword: string,
    body: string,
    buttons: { id: string; title: string }[],
  ): Promise<void> {
    const editor = await this.openNewRule(name);
    await editor.getByLabel('Keywords').fill(keyword);
    const action = await this.addAction(editor, 'Reply with buttons');
    await action.getByLabel('Body').fill(body);
    for (const [index, button] of buttons.entries()) {
      if (index > 0) await action.getByRole('button', { name: 'Add button' }).click();
      await action.getByLabel(`Button ${index + 1} id`).fill(button.id);
      await action.getByLabel(`Button ${index + 1} title`).fill(button.title);
    }
    await this.saveRule(name);
  }

  /** A rule with the given trigger that answers with a text. */
  async addTextRule(
    name: string,
    trigger: { type: 'keyword'; keyword: string } | { type: 'reply_id'; id: string } | { type: 'away' },
    text: string,
  ): Promise<void> {
    const editor = await this.openNewRule(name);
    if (trigger.type === 'keyword') {
      await editor.getByLabel('Keywords').fill(trigger.keyword);
    } else if (trigger.type === 'reply_id') {
      await editor.getByLabel('Trigger', { exact: true }).selectOption({ label: 'Button or list reply' });
      await editor.getByLabel('Button or row ids').fill(trigger.id);
    } else {
      await editor.getByLabel('Trigger', { exact: true }).selectOption({ label: 'Outside business hours' });
    }
    const action = await this.addAction(editor, 'Reply with text');
    await action.getByLabel('Reply text').fill(text);
    await this.saveRule(name);
  }

  /**
   * Drags one rule onto another with the mouse, in small steps. Chromium starts an HTML5 drag only after
   * the pointer has moved a few pixels with the button held, and a single jump (locator.dragTo) sometimes
   * ended before the drag began — the reorder then never happened (a flake seen under two workers).
   */
  async dragRule(name: string, onto: string): Promise<void> {
    const source = this.rule(name);
    const target = this.rule(onto);
    await source.scrollIntoViewIfNeeded();
    const from = await source.boundingBox();
    const to = await target.boundingBox();
    if (!from || !to) throw new Error(`rules ${name} and ${onto} must be on screen to drag`);
    await this.page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await this.page.mouse.down();
    await this.page.mouse.move(from.x + from.width / 2, from.y + from.height / 2 - 8, { steps: 4 });
    await this.page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 12 });
    await this.page.mouse.up();
  }

  async ruleNames(): Promise<string[]> {
    return this.rules().evaluateAll((items) => items.map((item) => item.getAttribute('aria-label') ?? ''));
  }

  // --- business hours --------------------------------------------------------------------------------

  hoursForm(): Locator {
    return this.page.getByRole('form', { name: 'Business hours' });
  }

  /** Business hours in `timeZone` with no opening hours on any day: "now" is always outside them. */
  async closeAllWeek(timeZone: string): Promise<void> {
    const form = this.hoursForm();
    await form.getByLabel('Time zone').fill(timeZone);
    const remove = form.getByRole('button', { name: /^Remove \w+ hours \d+$/ });
    while ((await remove.count()) > 0) await remove.first().click();
    await expect(form.getByText('Closed', { exact: true })).toHaveCount(7);
    await form.getByRole('button', { name: 'Save hours' }).click();
    await expect(form.getByRole('status')).toHaveText('Business hours saved.');
  }

  // --- tester ----------------------------------------------------------------------------------------

  tester(): Locator {
    return this.page.getByTestId('tester');
  }

  async testText(text: string): Promise<void> {
    const tester = this.tester();
    await tester.getByLabel('The customer').selectOption('text');
    await tester.getByLabel('Test message').fill(text);
    await tester.getByRole('button', { name: 'Run test' }).click();
  }

  async testButton(id: string): Promise<void> {
    const tester = this.tester();
    await tester.getByLabel('The customer').selectOption('button_reply');
    await tester.getByLabel('Button or row id').fill(id);
    await tester.getByRole('button', { name: 'Run test' }).click();
  }

  testerOutcome(): Locator {
    return this.page.getByTestId('tester-outcome');
  }

  testerMessages(): Locator {
    return this.page.getByTestId('tester-messages');
  }

  // --- Sandbox phone ---------------------------------------------------------------------------------

  phone(): Locator {
    return this.page.getByTestId('sandbox-phone');
  }

  async useCustomer(number: string): Promise<void> {
    await this.phone().getByLabel('Customer number').fill(number);
  }

  async customerSays(text: string): Promise<void> {
    await this.phone().getByLabel('Customer message').fill(text);
    await this.phone().getByRole('button', { name: 'Send', exact: true }).click();
    await expect(this.phone().getByLabel('Customer message')).toHaveValue('');
  }

  phoneMessages(from?: 'business' | 'customer'): Locator {
    const all = this.phone().getByTestId('phone-message');
    return from ? all.and(this.page.locator(`[data-from="${from}"]`)) : all;
  }

  replyButton(title: string): Locator {
    return this.phoneMessages('business')
      .getByRole('group', { name: 'Reply buttons' })
      .getByRole('button', { name: title, exact: true });
  }
}
