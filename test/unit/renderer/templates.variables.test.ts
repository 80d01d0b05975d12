// The pure template helpers the picker, the variables form and the preview rely on: variables read from
// Meta's component shapes (§5), the TemplateParams they build match what the server checks
// (checkTemplateParams) and sends (§2), and WhatsApp formatting parses as WhatsApp does.
import { describe, expect, it } from 'vitest';
import type { TemplateView } from '../../../src-preload/messaging.contract';
import { templateParamsSchema } from '../../../src-preload/messaging.contract';
import { checkTemplateParams } from '../../../src-main/conversations/messageContent';
import type { TemplateRow } from '../../../src-main/templates/templates.repo';
import {
  buildTemplateParams,
  missingVariables,
  templateShape,
  templateVariables,
  valuesFromParams,
} from '../../../src-renderer/features/templates/templateVariables';
import { parseWhatsAppFormatting } from '../../../src-renderer/lib/whatsappFormat';

type Shape = Pick<TemplateView, 'components' | 'parameterFormat'>;

const positional: Shape = {
  parameterFormat: 'POSITIONAL',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Deals for {{1}}', example: { header_text: ['Maria'] } },
    {
      type: 'BODY',
      text: 'Hi {{2}}, {{1}} is on sale. Again: {{1}}!',
      example: { body_text: [['Cold brew', 'Ana']] },
    },
    { type: 'FOOTER', text: 'Reply Stop to opt out' },
    {
      type: 'BUTTONS',
      buttons: [
        { type: 'QUICK_REPLY', text: 'Stop' },
        { type: 'URL', text: 'Track', url: 'https://shop.example/track/{{1}}' },
        { type: 'URL', text: 'Home', url: 'https://shop.example/' },
        { type: 'COPY_CODE', example: 'SAVE10' },
      ],
    },
  ],
};

const named: Shape = {
  parameterFormat: 'NAMED',
  components: [
    { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::x'] } },
    {
      type: 'BODY',
      text: 'Hi {{customer_name}}, see you on {{date}}.',
      example: {
        body_text_named_params: [
          { param_name: 'customer_name', example: 'Maria' },
          { param_name: 'date', example: 'May 14' },
        ],
      },
    },
  ],
};

function row(shape: Shape, status = 'APPROVED'): TemplateRow {
  return {
    id: 't1',
    connection_id: 'c1',
    meta_template_id: '1',
    name: 'sample',
    language: 'en_US',
    category: 'MARKETING',
    status,
    parameter_format: shape.parameterFormat,
    components: JSON.stringify(shape.components),
    quality_score: null,
    rejected_reason: null,
    synced_at: 1,
    created_at: 1,
    updated_at: 1,
  };
}

describe('templateVariables', () => {
  it('lists the header, body (in numeric order, once each) and dynamic button variables with limits and examples', () => {
    const vars = templateVariables(positional);
    expect(vars.map((v) => v.key)).toEqual(['header', 'body:1', 'body:2', 'button:1', 'button:3']);
    expect(vars.find((v) => v.key === 'header')).toMatchObject({ maxLength: 60, example: 'Maria' });
    expect(vars.find((v) => v.key === 'body:1')).toMatchObject({ maxLength: 1024, example: 'Cold brew' });
    expect(vars.find((v) => v.key === 'body:2')).toMatchObject({ example: 'Ana' });
    expect(vars.find((v) => v.key === 'button:1')).toMatchObject({
      maxLength: 2000,
      button: { index: 1, subType: 'url' },
    });
    expect(vars.find((v) => v.key === 'button:3')).toMatchObject({
      maxLength: 15,
      button: { index: 3, subType: 'copy_code' },
    });
  });

  it('reads named variables and a media header', () => {
    const vars = templateVariables(named);
    expect(vars.map((v) => [v.key, v.media ?? null, v.example ?? null])).toEqual([
      ['header', 'image', null],
      ['body:customer_name', null, 'Maria'],
      ['body:date', null, 'May 14'],
    ]);
  });

  it('tolerates shapes Meta may send: lower-case types, missing fields, junk entries', () => {
    const odd: Shape = {
      parameterFormat: 'POSITIONAL',
      components: [null, 'x', { type: 'body', text: 'Hello {{1}}' }, { type: 'BUTTONS', buttons: [null] }],
    };
    expect(templateVariables(odd).map((v) => v.key)).toEqual(['body:1']);
    expect(templateShape(odd)).toMatchObject({ body: 'Hello {{1}}', buttons: [] });
    expect(templateVariables({ parameterFormat: 'POSITIONAL', components: [] })).toEqual([]);
  });
});

describe('buildTemplateParams', () => {
  it('builds positional params the server accepts, and round-trips through valuesFromParams', () => {
    const values = {
      header: 'Ana',
      'body:1': 'Cold brew',
      'body:2': 'Ana',
      'button:1': 'order/42',
      'button:3': 'SAVE10',
    };
    const params = buildTemplateParams(positional, values);
    expect(params).toEqual({
      body: ['Cold brew', 'Ana'],
      header: { type: 'text', text: 'Ana' },
      buttons: [
        { index: 1, subType: 'url', value: 'order/42' },
        { index: 3, subType: 'copy_code', value: 'SAVE10' },
      ],
    });
    expect(templateParamsSchema.safeParse(params).success).toBe(true);
    expect(() => checkTemplateParams(row(positional), params)).not.toThrow();
    expect(valuesFromParams(positional, params)).toEqual(values);
    expect(missingVariables(positional, params)).toEqual([]);
  });

  it('keeps positions while variables are unfilled and reports them missing (blank counts as missing)', () => {
    const params = buildTemplateParams(positional, { 'body:2': 'Ana', 'button:3': '   ' });
    expect(params?.body).toEqual(['', 'Ana']);
    expect(missingVariables(positional, params).map((v) => v.key)).toEqual([
      'header',
      'body:1',
      'button:1',
      'button:3',
    ]);
  });

  it('flags a value over Meta limit (copy code > 15) as not ready', () => {
    const params = buildTemplateParams(positional, {
      header: 'a',
      'body:1': 'b',
      'body:2': 'c',
      'button:1': 'd',
      'button:3': 'X'.repeat(16),
    });
    expect(missingVariables(positional, params).map((v) => v.key)).toEqual(['button:3']);
  });

  it('builds named params by name, and the media header by id', () => {
    const params = buildTemplateParams(named, {
      header: 'media-123',
      'body:customer_name': 'Maria',
      'body:date': 'May 14',
    });
    expect(params).toEqual({
      body: { customer_name: 'Maria', date: 'May 14' },
      header: { type: 'image', mediaId: 'media-123' },
    });
    expect(() => checkTemplateParams(row(named), params)).not.toThrow();
  });

  it('gives no params for a template without variables (the send carries no components)', () => {
    const plain: Shape = { parameterFormat: 'POSITIONAL', components: [{ type: 'BODY', text: 'Hello!' }] };
    expect(buildTemplateParams(plain, {})).toBeUndefined();
    expect(() => checkTemplateParams(row(plain), undefined)).not.toThrow();
    expect(missingVariables(plain, undefined)).toEqual([]);
  });
});

describe('parseWhatsAppFormatting', () => {
  it('parses bold, italic, strike and monospace, nested', () => {
    expect(parseWhatsAppFormatting('Hi *there _you_* ~old~ ```a*b*c```')).toEqual([
      'Hi ',
      { kind: 'bold', children: ['there ', { kind: 'italic', children: ['you'] }] },
      ' ',
      { kind: 'strike', children: ['old'] },
      ' ',
      { kind: 'mono', children: ['a*b*c'] },
    ]);
  });

  it('leaves markers that WhatsApp would not treat as formatting', () => {
    expect(parseWhatsAppFormatting('2*3*4')).toEqual(['2*3*4']);
    expect(parseWhatsAppFormatting('a * b * c')).toEqual(['a * b * c']);
    expect(parseWhatsAppFormatting('snake_case_name')).toEqual(['snake_case_name']);
    expect(parseWhatsAppFormatting('*unclosed')).toEqual(['*unclosed']);
    expect(parseWhatsAppFormatting('**')).toEqual(['**']);
  });

  it('keeps markup-looking text as plain strings (rendered as text, never HTML)', () => {
    expect(parseWhatsAppFormatting('<b>hi</b> *<img src=x>*')).toEqual([
      '<b>hi</b> ',
      { kind: 'bold', children: ['<img src=x>'] },
    ]);
  });
});
