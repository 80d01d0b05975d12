// Build a chatbot in the editor and talk to it as a customer on the Sandbox phone, in Chromium against
// the real browser host: a keyword menu with reply buttons and the step behind a button; the tester
// (which sends nothing); reordering by drag and by keyboard; and the away message, which goes once per
// conversation per day.
import { expect, openApp, test } from './fixtures';
import { ChatbotsPage } from './pages/chatbotsPage';

test('menu → buttons arrive → the customer taps one → the next step arrives; the tester sends nothing', async ({
  page,
  host,
}) => {
  await openApp(page, host, '#/chatbots');
  const bots = new ChatbotsPage(page);
  await expect(bots.heading()).toBeVisible();
  await expect(bots.phone()).toBeVisible();
  await bots.createBot('Shop bot');
  await expect(bots.botEnabled()).not.toBeChecked();

  await bots.addButtonsRule('Menu', 'menu', 'How can we help?', [
    { id: 'hours', title: 'Opening hours' },
    { id: 'human', title: 'Talk to us' },
  ]);
  await bots.addTextRule('Hours', { type: 'reply_id', id: 'hours' }, 'We open at 9, Monday to Friday.');
  expect(await bots.ruleNames()).toEqual(['Menu', 'Hours']);

  // A rule main refuses: the editor shows where and why, and nothing is added.
  const broken = await bots.openNewRule('');
  await bots.addAction(broken, 'Reply with buttons');
  await broken.getByRole('button', { name: 'Save rule' }).click();
  await expect(broken.getByRole('alert')).toContainText('Rule name must not be empty.');
  await expect(broken.getByRole('alert')).toContainText('Button message body must not be empty.');
  await broken.getByRole('button', { name: 'Cancel' }).click();
  expect(await bots.ruleNames()).toEqual(['Menu', 'Hours']);

  await bots.botEnabled().check();
  await expect(bots.botEnabled()).toBeChecked();

  // The tester: the firing rule and the exact messages, and nothing reaches the phone.
  await bots.useCustomer('+14155550190');
  await expect(bots.phone().getByText('No messages with this number yet.')).toBeVisible();
  await bots.testText('MENU');
  await expect(bots.testerOutcome()).toHaveText('Rule “Menu” fires.');
  await expect(bots.testerMessages()).toContainText('How can we help?');
  await expect(bots.testerMessages()).toContainText('Opening hours');
  await expect(bots.testerMessages()).toContainText('Talk to us');
  await bots.testButton('hours');
  await expect(bots.testerOutcome()).toHaveText('Rule “Hours” fires.');
  await expect(bots.testerMessages()).toHaveText('We open at 9, Monday to Friday.');
  await expect(bots.phoneMessages()).toHaveCount(0);

  // The customer: "menu" → the buttons → a tap → the next step.
  await bots.customerSays('menu');
  await expect(bots.phoneMessages('customer')).toHaveText([/menu/]);
  await expect(bots.replyButton('Opening hours')).toBeVisible({ timeout: 20_000 });
  await expect(bots.phoneMessages('business').first()).toContainText('How can we help?');
  await bots.replyButton('Opening hours').click();
  await expect(bots.phoneMessages('business').nth(1)).toContainText('We open at 9, Monday to Friday.', {
    timeout: 20_000,
  });
  await expect(bots.phoneMessages('customer').nth(1)).toContainText('Opening hours');
  await expect(bots.phoneMessages()).toHaveCount(4);

  // Reorder: drag "Hours" onto "Menu", then back down with the keyboard-reachable button.
  await bots.dragRule('Hours', 'Menu');
  await expect.poll(() => bots.ruleNames()).toEqual(['Hours', 'Menu']);
  await bots.rule('Hours').getByRole('button', { name: 'Move Hours down' }).click();
  await expect.poll(() => bots.ruleNames()).toEqual(['Menu', 'Hours']);
  await page.reload();
  await expect(bots.rule('Menu')).toBeVisible();
  expect(await bots.ruleNames()).toEqual(['Menu', 'Hours']);
});

test('outside business hours the away message is sent once per conversation per day', async ({
  page,
  host,
}) => {
  await openApp(page, host, '#/chatbots');
  const bots = new ChatbotsPage(page);
  await bots.createBot('After-hours bot');
  await bots.closeAllWeek('UTC');
  await bots.addTextRule('Menu', { type: 'keyword', keyword: 'menu' }, 'Here is the menu.');
  await bots.addTextRule('Away', { type: 'away' }, 'We are closed now; we answer tomorrow from 9.');
  // The away rule must be tried first: move it up with the keyboard-reachable button.
  await bots.rule('Away').getByRole('button', { name: 'Move Away up' }).click();
  await expect.poll(() => bots.ruleNames()).toEqual(['Away', 'Menu']);
  await bots.botEnabled().check();

  await bots.useCustomer('+14155550191');
  await bots.customerSays('hello, are you open?');
  await expect(bots.phoneMessages('business')).toHaveText([/We are closed now/], { timeout: 20_000 });
  // The second message of the day is not answered with the away message again: the next rule answers.
  await bots.customerSays('menu');
  await expect(bots.phoneMessages('business')).toHaveText([/We are closed now/, /Here is the menu\./], {
    timeout: 20_000,
  });
  await expect(bots.phoneMessages('business').filter({ hasText: 'We are closed now' })).toHaveCount(1);
  await expect(bots.phoneMessages('customer')).toHaveCount(2);
});

test('a handoff pauses the bot and badges the conversation in the inbox until an agent resumes it', async ({
  page,
  host,
}) => {
  await openApp(page, host, '#/chatbots');
  const bots = new ChatbotsPage(page);
  await bots.createBot('Handoff bot');
  const editor = await bots.openNewRule('Agent');
  await editor.getByLabel('Keywords').fill('agent');
  const handoff = await bots.addAction(editor, 'Hand off to a person');
  await handoff.getByLabel('Note for the agent').fill('Wants a person');
  await bots.saveRule('Agent');
  await bots.botEnabled().check();

  await bots.useCustomer('+14155550192');
  await bots.customerSays('agent');
  await expect(bots.phoneMessages('customer')).toHaveCount(1);

  await page.evaluate(() => {
    location.hash = '#/inbox';
  });
  const waiting = page
    .getByRole('listbox', { name: 'Conversations' })
    .getByRole('option')
    .filter({ has: page.locator('.badge-handoff') });
  await expect(waiting).toHaveCount(1, { timeout: 20_000 });
  await expect(waiting).toContainText('Bot paused');
  await waiting.click();
  const thread = page.getByTestId('thread');
  await expect(thread.getByText('Handoff waiting')).toBeVisible();
  await thread.getByRole('button', { name: 'Resume bot' }).click();
  await expect(thread.getByRole('button', { name: 'Pause bot' })).toBeVisible();
  await expect(thread.getByText('Handoff waiting')).toBeHidden();
  await expect(page.locator('.badge-handoff')).toHaveCount(0);
});
