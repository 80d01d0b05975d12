// The template preview as markup: variables substituted, unfilled ones visible as their placeholder,
// WhatsApp formatting as elements, and template or variable text that looks like HTML kept as text.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { TemplateParams, TemplateView } from '../../../src-preload/messaging.contract';
import { TemplatePreview } from '../../../src-renderer/features/templates/TemplatePreview';

function template(overrides: Partial<TemplateView>): TemplateView {
  return {
    id: 't1',
    connectionId: 'c1',
    metaTemplateId: '1',
    name: 'weekly_deals',
    language: 'en_US',
    category: 'MARKETING',
    status: 'APPROVED',
    parameterFormat: 'POSITIONAL',
    components: [],
    qualityScore: null,
    rejectedReason: null,
    syncedAt: 1,
    updatedAt: 1,
    ...overrides,
  };
}

const deals = template({
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Deals for {{1}}' },
    { type: 'BODY', text: '*{{1}}* is {{2}} off <b>now</b>' },
    { type: 'FOOTER', text: 'Tap Stop to opt out' },
    {
      type: 'BUTTONS',
      buttons: [
        { type: 'QUICK_REPLY', text: 'Stop' },
        { type: 'URL', text: 'Shop', url: 'https://x.example/{{1}}' },
      ],
    },
  ],
});

// A .ts file (the vitest include pattern), so no JSX.
const render = (t: TemplateView, params?: TemplateParams): string =>
  renderToStaticMarkup(createElement(TemplatePreview, params ? { template: t, params } : { template: t }));

describe('TemplatePreview', () => {
  it('fills the variables, formats the body and shows footer and buttons', () => {
    const html = render(deals, { header: { type: 'text', text: 'Ana' }, body: ['Cold brew', '20%'] });
    expect(html).toContain('Deals for <span class="tpl-var tpl-var-filled">Ana</span>');
    expect(html).toContain('<strong><span class="tpl-var tpl-var-filled">Cold brew</span></strong>');
    expect(html).toContain('<span class="tpl-var tpl-var-filled">20%</span> off');
    expect(html).toContain('Tap Stop to opt out');
    expect(html).toMatch(/Stop<\/li>/);
    expect(html).toMatch(/Shop<\/li>/);
  });

  it('shows unfilled variables as their placeholder and never renders text as HTML', () => {
    const html = render(deals, { body: ['<img src=x onerror=alert(1)>', ''] });
    expect(html).toContain('<mark class="tpl-var tpl-var-empty" title="Not filled in yet">{{2}}</mark>');
    expect(html).toContain(
      'Deals for <mark class="tpl-var tpl-var-empty" title="Not filled in yet">{{1}}</mark>',
    );
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;b&gt;now&lt;/b&gt;');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
  });

  it('shows named variables and a media header placeholder', () => {
    const html = render(
      template({
        parameterFormat: 'NAMED',
        components: [
          { type: 'HEADER', format: 'IMAGE' },
          { type: 'BODY', text: 'Hi {{customer_name}}, on {{date}}' },
        ],
      }),
      { body: { customer_name: 'Maria', date: '' } },
    );
    expect(html).toContain('role="img" aria-label="image header"');
    expect(html).toContain('Hi <span class="tpl-var tpl-var-filled">Maria</span>');
    expect(html).toContain('>{{date}}</mark>');
  });
});
