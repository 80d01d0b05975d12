// The "New template" form's request builder: what it sends is Meta's create shape (§5) that the
// contract accepts and the simulator's Meta rules accept (examples required, as the API does), and
// mistakes are reported against the field the user must fix.
import { describe, expect, it } from 'vitest';
import { TemplateStore } from '../../../src-main/simulator/templates';
import {
  buildTemplateCreate,
  emptyButton,
  emptyDraft,
  nextPlaceholder,
  type TemplateDraft,
} from '../../../src-renderer/features/templates/templateDraft';
import { filterTemplates, emptyFilters } from '../../../src-renderer/features/templates/templateFilters';
import type { TemplateView } from '../../../src-preload/messaging.contract';

function draft(patch: Partial<TemplateDraft>): TemplateDraft {
  return { ...emptyDraft, ...patch };
}

function acceptedBySimulator(request: unknown): boolean {
  const { connectionId: _ignored, ...body } = request as Record<string, unknown>;
  const added = new TemplateStore(() => Date.now()).add(body as never, true);
  return !(added instanceof Error);
}

describe('buildTemplateCreate', () => {
  it('builds a positional template with header variable, samples, footer and buttons Meta accepts', () => {
    const result = buildTemplateCreate(
      'c1',
      draft({
        name: 'order_ready',
        category: 'UTILITY',
        header: 'TEXT',
        headerText: 'Order {{1}}',
        headerExample: '#1042',
        body: 'Hi {{1}}, order {{2}} is *ready*.',
        bodyExamples: { '1': 'Ana', '2': '#1042' },
        footer: 'Thanks!',
        buttons: [
          { ...emptyButton('QUICK_REPLY'), text: 'Stop' },
          {
            ...emptyButton('URL'),
            text: 'Track',
            url: 'https://shop.example/o/{{1}}',
            urlExample: 'https://shop.example/o/1042',
          },
          { ...emptyButton('COPY_CODE'), example: 'SAVE10' },
        ],
      }),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.request.components).toEqual([
      { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}', example: { header_text: ['#1042'] } },
      { type: 'BODY', text: 'Hi {{1}}, order {{2}} is *ready*.', example: { body_text: [['Ana', '#1042']] } },
      { type: 'FOOTER', text: 'Thanks!' },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'QUICK_REPLY', text: 'Stop' },
          {
            type: 'URL',
            text: 'Track',
            url: 'https://shop.example/o/{{1}}',
            example: ['https://shop.example/o/1042'],
          },
          { type: 'COPY_CODE', example: 'SAVE10' },
        ],
      },
    ]);
    expect(result.request.parameter_format).toBeUndefined();
    expect(acceptedBySimulator(result.request)).toBe(true);
  });

  it('builds named variables with named samples', () => {
    const result = buildTemplateCreate(
      'c1',
      draft({
        name: 'greeting',
        parameterFormat: 'named',
        body: 'Hello {{first_name}} from {{city}}',
        bodyExamples: { first_name: 'Ana', city: 'Lisbon' },
      }),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.request.parameter_format).toBe('named');
    expect(result.request.components[0]).toEqual({
      type: 'BODY',
      text: 'Hello {{first_name}} from {{city}}',
      example: {
        body_text_named_params: [
          { param_name: 'first_name', example: 'Ana' },
          { param_name: 'city', example: 'Lisbon' },
        ],
      },
    });
    expect(acceptedBySimulator(result.request)).toBe(true);
    // The check can fail: the same body without its samples is refused, as Meta refuses it.
    expect(
      acceptedBySimulator({
        ...result.request,
        components: [{ type: 'BODY', text: 'Hello {{first_name}}' }],
      }),
    ).toBe(false);
  });

  it('reports each mistake against its field, and sends nothing', () => {
    const result = buildTemplateCreate(
      'c1',
      draft({
        name: 'Spring Sale',
        header: 'TEXT',
        headerText: '{{1}} and {{2}}',
        body: 'Hi {{1}} and {{3}}',
        bodyExamples: { '1': 'Ana' },
        buttons: [
          { ...emptyButton('QUICK_REPLY'), text: 'A' },
          { ...emptyButton('URL'), text: 'Go', url: 'https://x.example/{{1}}/path' },
          { ...emptyButton('QUICK_REPLY'), text: 'B' },
        ],
      }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const fields = result.errors.map((e) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(['name', 'headerText', 'body', 'example:3', 'buttons', 'button:1']),
    );
    expect(result.errors.find((e) => e.field === 'body')?.message).toMatch(/in sequence/);
    expect(result.errors.find((e) => e.field === 'buttons')?.message).toMatch(/together/);
  });

  it('needs a body, and a sample handle for a media header', () => {
    const result = buildTemplateCreate('c1', draft({ name: 'x', header: 'IMAGE', body: '  ' }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.field)).toEqual(['headerHandle', 'body']);
  });

  it('"Add variable" continues the numbering or invents a fresh name', () => {
    expect(nextPlaceholder({ body: 'Hi {{1}} {{2}}', parameterFormat: 'positional' })).toBe('{{3}}');
    expect(nextPlaceholder({ body: '', parameterFormat: 'positional' })).toBe('{{1}}');
    expect(nextPlaceholder({ body: 'Hi {{var_1}}', parameterFormat: 'named' })).toBe('{{var_2}}');
  });
});

describe('filterTemplates', () => {
  const t = (name: string, patch: Partial<TemplateView>): TemplateView => ({
    id: name,
    connectionId: 'c1',
    metaTemplateId: null,
    name,
    language: 'en_US',
    category: 'UTILITY',
    status: 'APPROVED',
    parameterFormat: 'POSITIONAL',
    components: [{ type: 'BODY', text: `Body of ${name}` }],
    qualityScore: 'GREEN',
    rejectedReason: null,
    syncedAt: 1,
    updatedAt: 1,
    ...patch,
  });
  const all = [
    t('a_promo', { category: 'MARKETING', qualityScore: null }),
    t('b_gone', { status: 'DELETED' }),
    t('c_pt', { language: 'pt_BR', status: 'PENDING' }),
  ];
  const names = (f: Partial<typeof emptyFilters>) =>
    filterTemplates(all, { ...emptyFilters, ...f }).map((x) => x.name);

  it('hides deleted unless asked, and filters by status, category, quality, language and text', () => {
    expect(names({})).toEqual(['a_promo', 'c_pt']);
    expect(names({ showDeleted: true })).toEqual(['a_promo', 'b_gone', 'c_pt']);
    expect(names({ status: 'PENDING' })).toEqual(['c_pt']);
    expect(names({ category: 'MARKETING' })).toEqual(['a_promo']);
    expect(names({ quality: 'UNKNOWN' })).toEqual(['a_promo']);
    expect(names({ language: 'pt_BR' })).toEqual(['c_pt']);
    expect(names({ search: 'BODY OF C' })).toEqual(['c_pt']);
  });
});
