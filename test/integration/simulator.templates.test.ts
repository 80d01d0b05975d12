// /{waba}/message_templates in the simulator (whatsapp-cloud-api.md §5): cursor paging that ends when
// paging.next is absent, filters, creation rules, deletion by name / hsm_id, status webhooks (numeric id,
// hyphenated language, to the app's default URL only, §12) and the §4 Graph call limit (80007).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src-main/simulator/simulator';
import { errorOf, graph, sendRaw } from '../helpers/simulatorGraph';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/simulatorWebhookReceiver';

interface ListBody {
  data: { id: string; name: string; language: string; status: string; category: string }[];
  paging?: { cursors: { before: string; after: string }; next?: string; previous?: string };
}

let sims: Simulator[] = [];
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});
afterAll(async () => {
  await receiver.close();
});

async function sim(options: Parameters<typeof startSimulator>[0] = {}): Promise<Simulator> {
  const s = await startSimulator(options);
  sims.push(s);
  return s;
}

function seedMany(s: Simulator, count: number): void {
  const categories = ['UTILITY', 'MARKETING', 'AUTHENTICATION'] as const;
  for (let i = 0; i < count; i++) {
    s.control.seedTemplate({
      name: `template_${String(i).padStart(3, '0')}`,
      language: i % 2 === 0 ? 'en_US' : 'pt_BR',
      category: categories[i % 3] ?? 'UTILITY',
      status: i % 5 === 0 ? 'PENDING' : 'APPROVED',
      components: [{ type: 'BODY', text: i % 7 === 0 ? `Lucky number ${i}` : `Plain text ${i}` }],
    });
  }
}

describe('listing', () => {
  it('pages through 260 templates by following paging.next until it is absent', async () => {
    const s = await sim();
    seedMany(s, 260);
    const seen: string[] = [];
    let url: string | undefined =
      `${s.baseUrl}/v24.0/${s.wabaId}/message_templates?limit=25&fields=id,name,status`;
    let pages = 0;
    let last: ListBody | undefined;
    while (url) {
      const res = await fetch(url, { headers: { authorization: `Bearer ${s.accessToken}` } });
      expect(res.status).toBe(200);
      last = (await res.json()) as ListBody;
      pages += 1;
      seen.push(...last.data.map((t) => t.id));
      expect(Object.keys(last.data[0] ?? {}).sort()).toEqual(['id', 'name', 'status']);
      url = last.paging?.next;
    }
    expect(pages).toBe(11);
    expect(seen).toHaveLength(260);
    expect(new Set(seen).size).toBe(260);
    expect(last?.paging?.cursors.after).toBeTypeOf('string');
    expect(last?.paging?.next).toBeUndefined();
    expect(last?.paging?.previous).toContain('before=');
  });

  it('pages back with the before cursor', async () => {
    const s = await sim();
    seedMany(s, 30);
    const first = await graph<ListBody>(s, 'GET', `/${s.wabaId}/message_templates?limit=10`);
    const second = await graph<ListBody>(
      s,
      'GET',
      `/${s.wabaId}/message_templates?limit=10&after=${first.body.paging?.cursors.after}`,
    );
    const back = await graph<ListBody>(
      s,
      'GET',
      `/${s.wabaId}/message_templates?limit=10&before=${second.body.paging?.cursors.before}`,
    );
    expect(back.body.data.map((t) => t.id)).toEqual(first.body.data.map((t) => t.id));
    expect(second.body.data.map((t) => t.id).some((id) => first.body.data.some((t) => t.id === id))).toBe(
      false,
    );
  });

  it('filters by status, category, language, name and content', async () => {
    const s = await sim();
    seedMany(s, 60);
    const list = async (query: string) =>
      (await graph<ListBody>(s, 'GET', `/${s.wabaId}/message_templates?limit=1000&${query}`)).body.data;
    expect((await list('status=PENDING')).every((t) => t.status === 'PENDING')).toBe(true);
    expect(await list('status=PENDING')).toHaveLength(12);
    expect((await list('category=MARKETING')).every((t) => t.category === 'MARKETING')).toBe(true);
    expect(await list('language=pt_BR')).toHaveLength(30);
    expect((await list('name=template_05')).map((t) => t.name).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `template_05${i}`),
    );
    expect(await list('content=lucky')).toHaveLength(9);
    expect(await list('status=APPROVED&language=en_US&category=UTILITY')).toHaveLength(
      Array.from({ length: 60 }, (_, i) => i).filter((i) => i % 5 !== 0 && i % 2 === 0 && i % 3 === 0).length,
    );
  });

  it('rejects a bad limit and a malformed cursor', async () => {
    const s = await sim();
    expect(errorOf(await graph(s, 'GET', `/${s.wabaId}/message_templates?limit=0`)).code).toBe(100);
    expect(errorOf(await graph(s, 'GET', `/${s.wabaId}/message_templates?after=%%%`)).code).toBe(100);
  });
});

describe('creating and deleting', () => {
  const valid = {
    name: 'order_confirmation',
    language: 'en_US',
    category: 'UTILITY',
    parameter_format: 'named',
    components: [
      {
        type: 'BODY',
        text: 'Thank you, {{first_name}}! Order {{order_number}}.',
        example: {
          body_text_named_params: [
            { param_name: 'first_name', example: 'Pablo' },
            { param_name: 'order_number', example: '860198' },
          ],
        },
      },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Stop' }] },
    ],
  };

  it('creates a PENDING template, refuses a duplicate (name, language), accepts another language', async () => {
    const s = await sim();
    const created = await graph(s, 'POST', `/${s.wabaId}/message_templates`, valid);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ status: 'PENDING', category: 'UTILITY' });
    expect(created.body.id).toMatch(/^\d+$/);
    const duplicate = await graph(s, 'POST', `/${s.wabaId}/message_templates`, valid);
    expect(errorOf(duplicate)).toMatchObject({ code: 100, error_subcode: 2388024 });
    const spanish = await graph(s, 'POST', `/${s.wabaId}/message_templates`, { ...valid, language: 'es' });
    expect(spanish.status).toBe(200);
    expect(s.control.templates()).toHaveLength(2);
  });

  it.each([
    ['uppercase name', { ...valid, name: 'Order' }],
    ['variables without examples', { ...valid, components: [{ type: 'BODY', text: 'Hi {{first_name}}' }] }],
    [
      'positional numbering gap',
      {
        ...valid,
        parameter_format: 'positional',
        components: [{ type: 'BODY', text: 'Hi {{1}} {{3}}', example: { body_text: [['a', 'b']] } }],
      },
    ],
    ['no body', { ...valid, components: [{ type: 'FOOTER', text: 'bye' }] }],
    [
      'header over 60',
      {
        ...valid,
        components: [{ type: 'HEADER', format: 'TEXT', text: 'h'.repeat(61) }, valid.components[0]],
      },
    ],
    [
      'button label over 25',
      {
        ...valid,
        components: [
          valid.components[0],
          { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'b'.repeat(26) }] },
        ],
      },
    ],
    [
      'quick replies not grouped',
      {
        ...valid,
        components: [
          valid.components[0],
          {
            type: 'BUTTONS',
            buttons: [
              { type: 'QUICK_REPLY', text: 'a' },
              { type: 'URL', text: 'u', url: 'https://x.example' },
              { type: 'QUICK_REPLY', text: 'b' },
            ],
          },
        ],
      },
    ],
  ])('refuses %s with code 100 and stores nothing', async (_label, body) => {
    const s = await sim();
    const res = await graph(s, 'POST', `/${s.wabaId}/message_templates`, body);
    expect(res.status).toBe(400);
    expect(errorOf(res).code).toBe(100);
    expect(s.control.templates()).toHaveLength(0);
  });

  it('deletes every language by name, or one language by hsm_id', async () => {
    const s = await sim();
    const base = { category: 'UTILITY' as const, components: [{ type: 'BODY' as const, text: 'hello' }] };
    const en = s.control.seedTemplate({ name: 'greet', language: 'en_US', ...base });
    s.control.seedTemplate({ name: 'greet', language: 'es', ...base });
    s.control.seedTemplate({ name: 'greet', language: 'fr', ...base });
    s.control.seedTemplate({ name: 'other', language: 'en_US', ...base });
    const one = await graph(s, 'DELETE', `/${s.wabaId}/message_templates?name=greet&hsm_id=${en.id}`);
    expect(one.body).toEqual({ success: true });
    expect(
      s.control
        .templates()
        .map((t) => `${t.name}/${t.language}`)
        .sort(),
    ).toEqual(['greet/es', 'greet/fr', 'other/en_US']);
    await graph(s, 'DELETE', `/${s.wabaId}/message_templates?name=greet`);
    expect(s.control.templates().map((t) => t.name)).toEqual(['other']);
    expect(errorOf(await graph(s, 'DELETE', `/${s.wabaId}/message_templates?name=greet`)).code).toBe(100);
  });
});

describe('status webhooks', () => {
  it('emits message_template_status_update to the default URL with a numeric id and hyphenated language', async () => {
    const s = await sim({ callbackUrl: receiver.url, appSecret: 'tmpl-secret' });
    const t = s.control.seedTemplate({
      name: 'spring_sale',
      language: 'en_US',
      category: 'MARKETING',
      components: [{ type: 'BODY', text: 'Sale!' }],
    });
    const start = receiver.received.length;
    s.control.setTemplateStatus({ name: 'spring_sale', language: 'en_US' }, 'PAUSED');
    await receiver.waitFor(() => receiver.received.length > start);
    const webhook = receiver.received[start];
    expect(webhook?.json.entry[0]?.id).toBe(s.wabaId);
    expect(webhook?.json.entry[0]?.time).toBeTypeOf('number');
    expect(webhook?.json.entry[0]?.changes[0]).toEqual({
      field: 'message_template_status_update',
      value: {
        event: 'PAUSED',
        message_template_id: Number(t.id),
        message_template_name: 'spring_sale',
        message_template_language: 'en-US',
        reason: null,
        message_template_category: 'MARKETING',
        other_info: { title: 'FIRST_PAUSE', description: expect.any(String) as string },
      },
    });
    // The status now governs sends (§3: 132015 for a paused template).
    const send = await sendRaw(s, {
      type: 'template',
      template: { name: 'spring_sale', language: { code: 'en_US' } },
    });
    expect(errorOf(send).code).toBe(132015);
  });

  it('auto-approves API-created templates when configured, with a webhook', async () => {
    const s = await sim({ callbackUrl: receiver.url, autoApproveTemplatesMs: 20 });
    const created = await graph(s, 'POST', `/${s.wabaId}/message_templates`, {
      name: 'welcome',
      language: 'en',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'Welcome!' }],
    });
    await s.control.settle();
    const events = receiver
      .changes('message_template_status_update')
      .filter((v) => v.message_template_name === 'welcome');
    expect(events.map((e) => [e.event, e.message_template_id])).toEqual([
      ['APPROVED', Number(created.body.id)],
    ]);
    expect(s.control.templates()[0]?.status).toBe('APPROVED');
  });
});

describe('Graph call limit (§4)', () => {
  it('answers 80007 with estimated_time_to_regain_access once the hourly WABA budget is spent', async () => {
    const s = await sim({ managementCallsPerHour: 5 });
    for (let i = 0; i < 5; i++) {
      const ok = await graph(s, 'GET', `/${s.wabaId}/message_templates`);
      expect(ok.status).toBe(200);
      const usage = JSON.parse(ok.headers.get('x-business-use-case-usage') ?? '{}') as Record<
        string,
        { call_count: number }[]
      >;
      expect(usage[s.wabaId]?.[0]?.call_count).toBe((i + 1) * 20);
    }
    const limited = await graph(s, 'GET', `/${s.wabaId}/message_templates`);
    expect(limited.status).toBe(400);
    expect(errorOf(limited)).toMatchObject({ code: 80007, is_transient: true });
    const usage = JSON.parse(limited.headers.get('x-business-use-case-usage') ?? '{}') as Record<
      string,
      { estimated_time_to_regain_access: number }[]
    >;
    expect(usage[s.wabaId]?.[0]?.estimated_time_to_regain_access).toBeGreaterThanOrEqual(59);
    expect(s.ledger.errorCount(80007)).toBe(1);
  });
});
