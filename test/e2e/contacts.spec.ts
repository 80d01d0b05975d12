// Drop a CSV onto the window, map its columns, watch the import progress, see the contacts appear, and
// download the rows that were not imported — in Chromium, against the real browser host.
import { readFileSync } from 'node:fs';
import { expect, openApp, test } from './fixtures';
import { ContactsPage } from './pages/contactsPage';

function customersCsv(rows: number): string {
  const lines = ['Telefone;Nome;Email;Etiquetas;Cidade'];
  for (let i = 0; i < rows; i++) {
    const line = String(1000000 + i).slice(1);
    // Brazilian mobiles, written without a country code: the default country decides.
    lines.push(
      `(11) 9${8000 + Math.floor(i / 10000)}-${line.slice(2)};Cliente ${i};c${i}@example.com;vip|novo;São Paulo`,
    );
  }
  lines.push('123;Número curto;;;');
  lines.push('(11) 98000-0001;Duplicado;;;');
  return lines.join('\r\n') + '\r\n';
}

test('drop a CSV, map columns, watch progress, see contacts, download the rejects', async ({
  page,
  host,
}) => {
  await openApp(page, host, '#/contacts');
  const contacts = new ContactsPage(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Contacts' })).toBeVisible();

  const transfer = await contacts.fileTransfer('clientes.csv', customersCsv(20_000));
  await contacts.drop(transfer);
  await expect(contacts.overlay()).toBeVisible();
  await contacts.release(transfer);
  await expect(contacts.overlay()).toBeHidden();

  // The mapping step: headers in Portuguese are recognised; the city becomes an attribute.
  await expect(contacts.mapping()).toBeVisible();
  await expect(contacts.mappingSelect(0)).toHaveValue('phone');
  await expect(contacts.mappingSelect(1)).toHaveValue('name');
  await expect(contacts.mappingSelect(2)).toHaveValue('email');
  await expect(contacts.mappingSelect(3)).toHaveValue('tags');
  await expect(contacts.mappingSelect(4)).toHaveValue('attribute');
  await contacts.mappingSelect(2).selectOption('ignore');
  await contacts.defaultCountry().selectOption('BR');
  await expect(page.getByTestId('phone-preview')).toContainText('+5511980000000');

  await contacts.startButton().click();
  // Progress shows while it runs (or the summary, if it was faster than the next frame).
  await expect(contacts.progress().or(contacts.summary())).toBeVisible();
  await expect(contacts.summary()).toHaveAttribute('data-phase', 'done', { timeout: 60_000 });
  await expect(contacts.count('created')).toHaveText('20,000');
  await expect(contacts.count('rejected')).toHaveText('2');

  // The contacts are in the table; search finds one by the digits as typed.
  await contacts.search().fill('98000-0042');
  await expect(contacts.row('+5511980000042')).toBeVisible();
  await expect(contacts.row('+5511980000042')).toContainText('Cliente 42');

  // The rejects file: row numbers, reasons and the original values.
  const downloading = page.waitForEvent('download');
  await contacts.rejectsLink().click();
  const download = await downloading;
  const text = readFileSync(await download.path(), 'utf8');
  expect(text).toContain(
    'bellhop_row,bellhop_line,bellhop_reject_reason,Telefone,Nome,Email,Etiquetas,Cidade',
  );
  expect(text).toContain('20002,20002,"""123"" is too short for BR",123,Número curto');
  expect(text).toContain(
    '20003,20003,"Same number (+5511980000001) as row 3; the first row was imported",(11) 98000-0001,Duplicado',
  );
});
