// A WhatsApp-style bubble of a template as the customer will see it: header (text or a media
// placeholder), body with the variables filled in, footer and buttons. Everything is rendered as React
// text (never HTML); WhatsApp formatting becomes elements. An unfilled variable stays visible as its
// placeholder ({{1}}, {{first_name}}), marked, so the user sees what is still missing.
import type { ReactNode } from 'react';
import type { TemplateParams, TemplateView } from '../../../src-preload/messaging.contract';
import { FormattedText } from '../../components/FormattedText';
import { templateShape, templateVariables, variableValue, type TemplateButton } from './templateVariables';
import './templates.css';

// Variables are swapped for private-use characters before the formatting is parsed, so a variable is
// one atom (a value is never parsed as formatting) and a marker around a variable still formats it.
const SENTINEL_BASE = 0xe000;
const privateUse = /[\uE000-\uF8FF]/g;

interface Slot {
  placeholder: string;
  value: string;
}

function withSentinels(text: string, lookup: (name: string) => string): { text: string; slots: Slot[] } {
  const slots: Slot[] = [];
  const replaced = text
    .replace(privateUse, '\uFFFD')
    .replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (placeholder, name: string) => {
      slots.push({ placeholder, value: lookup(name) });
      return String.fromCharCode(SENTINEL_BASE + slots.length - 1);
    });
  return { text: replaced, slots };
}

function renderWithSlots(text: string, slots: Slot[]): ReactNode[] {
  const parts: ReactNode[] = [];
  let plain = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    const slot = code >= SENTINEL_BASE ? slots[code - SENTINEL_BASE] : undefined;
    if (!slot) {
      plain += char;
      continue;
    }
    if (plain) parts.push(plain);
    plain = '';
    parts.push(
      slot.value.trim() !== '' ? (
        <span key={parts.length} className="tpl-var tpl-var-filled">
          {slot.value}
        </span>
      ) : (
        <mark key={parts.length} className="tpl-var tpl-var-empty" title="Not filled in yet">
          {slot.placeholder}
        </mark>
      ),
    );
  }
  if (plain) parts.push(plain);
  return parts;
}

function TemplateText(props: { text: string; lookup: (name: string) => string; formatted?: boolean }) {
  const { text, slots } = withSentinels(props.text, props.lookup);
  if (props.formatted === false) return <>{renderWithSlots(text, slots)}</>;
  return <FormattedText text={text} renderPlain={(plain) => renderWithSlots(plain, slots)} />;
}

const buttonIcons: Record<TemplateButton['type'], string> = {
  QUICK_REPLY: '↩',
  URL: '↗',
  PHONE_NUMBER: '✆',
  COPY_CODE: '⧉',
  OTHER: '•',
};

export function TemplatePreview(props: { template: TemplateView; params?: TemplateParams }) {
  const { template, params } = props;
  const shape = templateShape(template);
  const variables = templateVariables(template);
  const valueOf = (section: 'header' | 'body', name: string): string => {
    const variable = variables.find((v) => v.section === section && v.name === name);
    return variable ? variableValue(variable, params) : '';
  };
  const header = shape.header;
  const headerMediaId =
    header && header.format !== 'TEXT' ? valueOf('header', header.format.toLowerCase()) : '';

  return (
    <figure className="tpl-preview" aria-label={`Preview of ${template.name}`}>
      <div className="tpl-bubble">
        {header?.format === 'TEXT' && header.text !== undefined ? (
          <div className="tpl-header" data-testid="template-preview-header">
            <TemplateText text={header.text} lookup={(name) => valueOf('header', name)} formatted={false} />
          </div>
        ) : null}
        {header && header.format !== 'TEXT' ? (
          <div
            className="tpl-media"
            role="img"
            aria-label={`${header.format.toLowerCase()} header${headerMediaId ? ` (media ${headerMediaId})` : ''}`}
          >
            <span aria-hidden="true">{mediaGlyph(header.format)}</span>
            <span>{header.format === 'LOCATION' ? 'Location' : header.format.toLowerCase()}</span>
          </div>
        ) : null}
        <div className="tpl-body" data-testid="template-preview-body">
          <TemplateText text={shape.body} lookup={(name) => valueOf('body', name)} />
        </div>
        {shape.footer ? <div className="tpl-footer">{shape.footer}</div> : null}
      </div>
      {shape.buttons.length > 0 ? (
        <ul className="tpl-buttons" aria-label="Buttons">
          {shape.buttons.map((button) => (
            <li key={button.index} className="tpl-button">
              <span aria-hidden="true">{buttonIcons[button.type]}</span> {button.text}
            </li>
          ))}
        </ul>
      ) : null}
    </figure>
  );
}

function mediaGlyph(format: string): string {
  switch (format) {
    case 'IMAGE':
      return '🖼';
    case 'VIDEO':
      return '▶';
    case 'DOCUMENT':
      return '📄';
    default:
      return '📍';
  }
}
