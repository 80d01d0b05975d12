// Suggests what each column of an imported file is, from its header, in the languages our users'
// spreadsheets are written in (English, Portuguese, Spanish, Indonesian/Malay, French, German, Italian,
// Dutch, Turkish, Russian, Arabic, Hindi, Chinese, Japanese). The user confirms or changes it in the
// mapping step; nothing is imported on a guess.
import type { ColumnTarget } from '../../../src-preload/contacts.contract';

/** Lower case, accents and punctuation removed: "Teléfono Móvil" → "telefonomovil", "E-mail" → "email". */
export function headerKey(header: string): string {
  return header
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

const phoneExact = new Set([
  'phone',
  'phonenumber',
  'phoneno',
  'phonenr',
  'mobile',
  'mobilephone',
  'mobilenumber',
  'mobileno',
  'mob',
  'cell',
  'cellphone',
  'cellular',
  'cellnumber',
  'whatsapp',
  'whatsappnumber',
  'whatsappno',
  'wa',
  'wanumber',
  'number',
  'tel',
  'telephone',
  'telephonenumber',
  'msisdn',
  'contactnumber',
  'contactno',
  'tlf',
  // Portuguese
  'telefone',
  'telefonecelular',
  'celular',
  'numero',
  'numerodetelefone',
  'numerodocelular',
  'numerowhatsapp',
  'zap',
  'whats',
  'fone',
  // Spanish
  'telefono',
  'movil',
  'telefonomovil',
  'numerodetelefono',
  'numerodecelular',
  'cel',
  // Indonesian / Malay
  'handphone',
  'hp',
  'nohp',
  'nomorhp',
  'nomor',
  'nomortelepon',
  'nomorhandphone',
  'nomorwhatsapp',
  'notelepon',
  'telepon',
  'nombortelefon',
  'notel',
  'nowa',
  'nomorwa',
  // French, German, Italian, Dutch, Turkish
  'portable',
  'telephoneportable',
  'numerodeportable',
  'handy',
  'handynummer',
  'telefonnummer',
  'rufnummer',
  'mobilnummer',
  'cellulare',
  'numerocellulare',
  'numeroditelefono',
  'telefoonnummer',
  'mobiel',
  'gsm',
  'telefon',
  'cep',
  'ceptelefonu',
  'telefonnumarasi',
  // Russian, Arabic, Hindi, Chinese, Japanese
  'телефон',
  'мобильный',
  'номер',
  'номертелефона',
  'هاتف',
  'جوال',
  'رقمالهاتف',
  'موبايل',
  'फोन',
  'मोबाइल',
  '电话',
  '手机',
  '手机号',
  '电话号码',
  '電話',
  '電話番号',
  '携帯',
  '携帯電話',
]);
const phoneParts = [
  'phone',
  'mobile',
  'whatsapp',
  'celular',
  'telefon',
  'telefone',
  'telepon',
  'handphone',
  'movil',
  'cell',
];

const nameExact = new Set([
  'name',
  'fullname',
  'contactname',
  'customername',
  'clientname',
  'displayname',
  'firstname',
  'lastname',
  'surname',
  'givenname',
  'familyname',
  'first',
  'last',
  'nome',
  'nomecompleto',
  'sobrenome',
  'primeironome',
  'ultimonome',
  'cliente',
  'contato',
  'nombre',
  'nombrecompleto',
  'apellido',
  'apellidos',
  'contacto',
  'nama',
  'namalengkap',
  'namadepan',
  'namabelakang',
  'pelanggan',
  'nom',
  'nomcomplet',
  'prenom',
  'vorname',
  'nachname',
  'cognome',
  'naam',
  'achternaam',
  'voornaam',
  'soyad',
  'adsoyad',
  'имя',
  'фамилия',
  'фио',
  'الاسم',
  'اسم',
  'नाम',
  '姓名',
  '名字',
  '名前',
  '氏名',
]);

const emailExact = new Set([
  'email',
  'emailaddress',
  'mail',
  'emails',
  'correo',
  'correoelectronico',
  'courriel',
  'adressemail',
  'eposta',
  'surel',
  'surat',
  'emel',
  'почта',
  'электроннаяпочта',
  'البريدالالكتروني',
  'ईमेल',
  '邮箱',
  '电子邮件',
  'メール',
  'メールアドレス',
]);

const tagsExact = new Set([
  'tags',
  'tag',
  'labels',
  'label',
  'etiquetas',
  'etiqueta',
  'etiquettes',
  'etiquette',
  'groups',
  'group',
  'grupos',
  'grupo',
  'segments',
  'segment',
  'kategori',
  'label',
  'marcadores',
  'schlagworte',
  'теги',
  'метки',
  'الوسوم',
  'टैग',
  '标签',
  'タグ',
]);

/** Columns an export writes that an import must not turn into attributes (round trip changes nothing). */
const systemColumns = new Set([
  'id',
  'waid',
  'optedoutat',
  'optedoutreason',
  'source',
  'createdat',
  'updatedat',
  'bellhoprow',
  'bellhopline',
  'bellhoprejectreason',
]);

export const ATTRIBUTE_PREFIX = 'attribute:';

function attributeKeyFor(header: string, index: number): string {
  const trimmed = header.trim();
  const key = trimmed.toLowerCase().startsWith(ATTRIBUTE_PREFIX)
    ? trimmed.slice(ATTRIBUTE_PREFIX.length).trim()
    : trimmed;
  return (key || `column_${index + 1}`).slice(0, 64);
}

/** Best guess per column. Exactly one phone column when any header looks like one. */
export function suggestColumns(headers: readonly string[]): ColumnTarget[] {
  const keys = headers.map(headerKey);
  const targets: ColumnTarget[] = headers.map((header, i): ColumnTarget => {
    const key = keys[i] as string;
    if (header.trim().toLowerCase().startsWith(ATTRIBUTE_PREFIX))
      return { kind: 'attribute', key: attributeKeyFor(header, i) };
    if (systemColumns.has(key)) return { kind: 'ignore' };
    if (emailExact.has(key)) return { kind: 'email' };
    if (tagsExact.has(key)) return { kind: 'tags' };
    if (nameExact.has(key)) return { kind: 'name' };
    return { kind: 'attribute', key: attributeKeyFor(header, i) };
  });

  // The phone column: an exact alias first, then a header containing a phone word.
  let phone = keys.findIndex((k) => phoneExact.has(k));
  if (phone < 0) phone = keys.findIndex((k) => phoneParts.some((p) => k.includes(p)));
  if (phone >= 0) targets[phone] = { kind: 'phone' };

  // One email column at most; a second stays an attribute.
  let seenEmail = false;
  targets.forEach((t, i) => {
    if (t.kind !== 'email') return;
    if (seenEmail) targets[i] = { kind: 'attribute', key: attributeKeyFor(headers[i] ?? '', i) };
    seenEmail = true;
  });

  // Attribute keys must be unique: "City", "city" → "city", "city_2".
  const used = new Set<string>();
  targets.forEach((t, i) => {
    if (t.kind !== 'attribute') return;
    let key = t.key;
    for (let n = 2; used.has(key); n++) key = `${t.key}_${n}`.slice(0, 64);
    used.add(key);
    targets[i] = { kind: 'attribute', key };
  });
  return targets;
}
