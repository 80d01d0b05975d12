// What a message says, by type, for both directions (whatsapp-cloud-api.md §2 outbound bodies, §6 inbound
// webhook shapes). Everything the customer wrote is rendered as React text; WhatsApp formatting becomes
// elements through FormattedText, never HTML.
import type { MessageView } from '../../../src-preload/messaging.contract';
import { FormattedText } from '../../components/FormattedText';
import { MediaAttachment } from './MediaAttachment';

type Json = Record<string, unknown>;

export function field(value: unknown, ...path: string[]): unknown {
  let at: unknown = value;
  for (const key of path) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Json)[key];
  }
  return at;
}

export function str(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

const mediaTypes = new Set(['image', 'video', 'audio', 'document', 'sticker']);

/** A one-line summary (quotes of replied-to messages, reactions' targets). */
export function summaryOf(message: MessageView): string {
  const body = message.body;
  switch (message.type) {
    case 'text':
      return str(field(body, 'text', 'body'));
    case 'template':
      return message.text ?? `Template: ${str(field(body, 'template', 'name'))}`;
    case 'interactive':
      return (
        str(field(body, 'interactive', 'button_reply', 'title')) ||
        str(field(body, 'interactive', 'list_reply', 'title')) ||
        str(field(body, 'interactive', 'body', 'text')) ||
        'Interactive message'
      );
    case 'button':
      return str(field(body, 'button', 'text'));
    case 'location':
      return `Location${str(field(body, 'location', 'name')) ? `: ${str(field(body, 'location', 'name'))}` : ''}`;
    case 'contacts':
      return 'Contact card';
    case 'reaction':
      return `Reaction ${str(field(body, 'reaction', 'emoji'))}`;
    default:
      if (mediaTypes.has(message.type)) {
        const caption = str(field(body, message.type, 'caption'));
        return caption || message.type[0]?.toUpperCase() + message.type.slice(1);
      }
      return 'Message';
  }
}

function TemplateBody({ body, text }: { body: unknown; text: string | null }) {
  const name = str(field(body, 'template', 'name'));
  const language = str(field(body, 'template', 'language', 'code'));
  const components = field(body, 'template', 'components');
  const values: string[] = [];
  if (Array.isArray(components)) {
    for (const component of components) {
      const parameters = field(component, 'parameters');
      if (!Array.isArray(parameters)) continue;
      for (const p of parameters) {
        const text = str(field(p, 'text')) || str(field(p, 'payload')) || str(field(p, 'coupon_code'));
        if (text) values.push(text);
      }
    }
  }
  return (
    <div className="msg-template">
      {text !== null ? (
        // The synced template filled with this message's values: what the customer read.
        <div className="msg-text" data-testid="template-text">
          <FormattedText text={text} />
        </div>
      ) : null}
      <div className={text !== null ? 'msg-template-name muted' : 'msg-template-name'}>
        Template <strong>{name}</strong> <span className="muted">({language})</span>
      </div>
      {text === null && values.length > 0 ? (
        <ul className="msg-template-values" aria-label="Template variables">
          {values.map((v, i) => (
            <li key={i}>{v}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function InteractiveBody({ body }: { body: unknown }) {
  const buttonReply = field(body, 'interactive', 'button_reply');
  const listReply = field(body, 'interactive', 'list_reply');
  if (buttonReply || listReply) {
    const reply = buttonReply ?? listReply;
    return (
      <div className="msg-reply-choice">
        <span className="muted">{buttonReply ? 'Tapped the button' : 'Chose from the list'}</span>
        <div className="msg-choice-title">{str(field(reply, 'title'))}</div>
        {str(field(reply, 'description')) ? (
          <div className="muted">{str(field(reply, 'description'))}</div>
        ) : null}
      </div>
    );
  }
  const kind = str(field(body, 'interactive', 'type'));
  const header = str(field(body, 'interactive', 'header', 'text'));
  const footer = str(field(body, 'interactive', 'footer', 'text'));
  const buttons = field(body, 'interactive', 'action', 'buttons');
  const listButton = str(field(body, 'interactive', 'action', 'button'));
  if (kind === 'button' || kind === 'list') {
    return (
      <div className="msg-interactive">
        {header ? <div className="msg-interactive-header">{header}</div> : null}
        <div className="msg-text">
          <FormattedText text={str(field(body, 'interactive', 'body', 'text'))} />
        </div>
        {footer ? <div className="muted">{footer}</div> : null}
        <div className="msg-buttons">
          {Array.isArray(buttons)
            ? buttons.map((b, i) => (
                <span key={i} className="msg-button-chip">
                  {str(field(b, 'reply', 'title'))}
                </span>
              ))
            : null}
          {listButton ? <span className="msg-button-chip">☰ {listButton}</span> : null}
        </div>
      </div>
    );
  }
  // nfm_reply (a Flow's answer) and other interactive replies Meta may add.
  return <div className="msg-unsupported">Interactive reply ({kind || 'unknown kind'})</div>;
}

export function MessageContent({ message }: { message: MessageView }) {
  const body = message.body;
  switch (message.type) {
    case 'text':
      return (
        <div className="msg-text">
          <FormattedText text={str(field(body, 'text', 'body'))} />
        </div>
      );
    case 'template':
      return <TemplateBody body={body} text={message.text} />;
    case 'interactive':
      return <InteractiveBody body={body} />;
    case 'button':
      return (
        <div className="msg-reply-choice">
          <span className="muted">Tapped the template button</span>
          <div className="msg-choice-title">{str(field(body, 'button', 'text'))}</div>
        </div>
      );
    case 'location': {
      const lat = str(field(body, 'location', 'latitude'));
      const lng = str(field(body, 'location', 'longitude'));
      return (
        <div className="msg-location">
          <div>
            <span aria-hidden="true">📍 </span>
            <strong>{str(field(body, 'location', 'name')) || 'Location'}</strong>
          </div>
          {str(field(body, 'location', 'address')) ? (
            <div>{str(field(body, 'location', 'address'))}</div>
          ) : null}
          <div className="muted">
            {lat}, {lng}
          </div>
        </div>
      );
    }
    case 'contacts': {
      const cards = field(body, 'contacts');
      return (
        <ul className="msg-contacts" aria-label="Shared contacts">
          {Array.isArray(cards)
            ? cards.map((card, i) => {
                const phones = field(card, 'phones');
                return (
                  <li key={i}>
                    <span aria-hidden="true">👤 </span>
                    <strong>{str(field(card, 'name', 'formatted_name')) || 'Contact'}</strong>
                    {Array.isArray(phones)
                      ? phones.map((p, j) => (
                          <div key={j} className="muted">
                            {str(field(p, 'phone')) || str(field(p, 'wa_id'))}
                          </div>
                        ))
                      : null}
                  </li>
                );
              })
            : null}
        </ul>
      );
    }
    case 'reaction': {
      const emoji = str(field(body, 'reaction', 'emoji'));
      return <div className="msg-reaction">{emoji ? `Reacted ${emoji}` : 'Removed a reaction'}</div>;
    }
    case 'order':
      return (
        <div className="msg-unsupported">An order from the catalogue (open WhatsApp to see its items)</div>
      );
    case 'system':
      return <div className="msg-system">{str(field(body, 'system', 'body')) || 'System message'}</div>;
    default:
      if (mediaTypes.has(message.type)) {
        const caption = str(field(body, message.type, 'caption'));
        return (
          <div className="msg-media">
            <MediaAttachment message={message} />
            {caption ? (
              <div className="msg-text">
                <FormattedText text={caption} />
              </div>
            ) : null}
          </div>
        );
      }
      return (
        <div className="msg-unsupported">
          This message type ({message.type}) is not supported here; open WhatsApp on the phone to see it.
        </div>
      );
  }
}
