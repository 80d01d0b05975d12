// Seeding for campaign tests and the campaign benchmark: a cloud connection pointed at a simulator (with
// its secrets sealed by the data folder's key file, as the app reads them), contacts with valid German
// mobile numbers (+49 151 …, valid for libphonenumber, outside the US marketing pause of §4), and a
// marketing template with two body variables.
import { newId } from '../../src-main/db/ids';
import type { Db } from '../../src-main/db/open';
import type { SecretBox } from '../../src-main/secrets/secretBox';
import type { Simulator } from '../../src-main/simulator/simulator';

export const campaignTemplate = {
  name: 'spring_offer',
  language: 'en_US',
  category: 'MARKETING' as const,
  components: [
    {
      type: 'BODY' as const,
      text: 'Hello {{1}}, your spring code is {{2}}.',
      example: { body_text: [['Ana', 'SPRING10']] },
    },
  ],
};

export function phoneOf(i: number): string {
  return `+49151${String(10_000_000 + i)}`;
}

export function seedWorkspaceAndConnection(
  db: Db,
  secrets: SecretBox,
  sim: Pick<Simulator, 'phoneNumberId' | 'wabaId' | 'accessToken' | 'appSecret' | 'verifyToken'>,
  ratePerSecond: number,
): { workspaceId: string; connectionId: string } {
  const workspaceId = newId();
  const connectionId = newId();
  const now = Date.now();
  db.prepare('INSERT INTO workspaces (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)').run(
    workspaceId,
    'Shop',
    now,
    now,
  );
  db.prepare(
    `INSERT INTO connections (id, workspace_id, kind, name, phone_number_id, waba_id, api_version, token_enc,
       app_secret_enc, verify_token, rate_limit_per_minute, rate_limit_per_second, created_at, updated_at)
     VALUES (?, ?, 'cloud', 'Main number', ?, ?, 'v24.0', ?, ?, ?, 4800, ?, ?, ?)`,
  ).run(
    connectionId,
    workspaceId,
    sim.phoneNumberId,
    sim.wabaId,
    secrets.seal(sim.accessToken),
    secrets.seal(sim.appSecret),
    sim.verifyToken,
    ratePerSecond,
    now,
    now,
  );
  return { workspaceId, connectionId };
}

/** `count` contacts; every `attributes.code` is set, `name` is empty for the indexes in `unnamed`. */
export function seedContacts(
  db: Db,
  workspaceId: string,
  count: number,
  options: { from?: number; tags?: string[]; unnamed?: Set<number>; optedOut?: Set<number> } = {},
): { ids: string[]; phones: string[] } {
  const insert = db.prepare(
    `INSERT INTO contacts (id, workspace_id, phone_e164, name, tags, attributes, opted_out_at, opted_out_reason,
       source, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'import', ?, ?)`,
  );
  const ids: string[] = [];
  const phones: string[] = [];
  const now = Date.now();
  db.transaction(() => {
    for (let n = 0; n < count; n++) {
      const i = (options.from ?? 0) + n;
      const id = newId();
      const optedOut = options.optedOut?.has(i) ?? false;
      insert.run(
        id,
        workspaceId,
        phoneOf(i),
        options.unnamed?.has(i) ? null : `Customer ${i}`,
        JSON.stringify(options.tags ?? []),
        JSON.stringify({ code: `C${i}` }),
        optedOut ? now : null,
        optedOut ? 'Sent STOP' : null,
        now,
        now,
      );
      ids.push(id);
      phones.push(phoneOf(i));
    }
  })();
  return { ids, phones };
}

/** The draft the tests send: {{1}} = name (fallback "there"), {{2}} = the `code` attribute. */
export function campaignDraft(
  connectionId: string,
  name: string,
  audience: unknown,
): Record<string, unknown> {
  return {
    name,
    connectionId,
    templateName: campaignTemplate.name,
    templateLanguage: campaignTemplate.language,
    content: {
      body: {
        '1': { source: 'field', field: 'name', fallback: 'there' },
        '2': { source: 'attribute', key: 'code' },
      },
    },
    audience,
  };
}
