// The composer. Every compose gets one client id (seed §5) that stays the same across retries of that
// compose and changes only once it is sent, so a double click or a retry after a lost answer is one
// message. Inside the 24 h window (§7) text, attachments and quick replies (`/shortcut`) can be sent;
// outside it the composer says why and offers the template picker instead. A preview shows WhatsApp
// formatting as the customer will see it.
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { attachmentKindOf } from '../../../src-preload/transferLimits';
import type { ConversationView, MessageView } from '../../../src-preload/messaging.contract';
import { FormattedText } from '../../components/FormattedText';
import { api, ApiError, errorMessage } from '../../lib/api';
import { stageFile } from '../../lib/stageFile';
import { useInboxStore } from '../../stores/inbox';
import { TemplatePicker, type TemplatePickerRef } from '../templates/TemplatePicker';
import { windowState } from './inboxTime';
import { summaryOf } from './MessageContent';
import { QuickRepliesDialog } from './QuickRepliesDialog';

const newClientId = (): string => `ui-${crypto.randomUUID()}`;
const hasFormatting = /[*_~]|```/;

interface Attachment {
  file: File;
  sent: number;
}

/** The `/word` being typed at the caret, if any. */
function shortcutAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const match = /(^|\s)\/([a-z0-9_-]*)$/i.exec(before);
  if (!match) return null;
  return { start: caret - (match[2]?.length ?? 0) - 1, query: (match[2] ?? '').toLowerCase() };
}

export function Composer(props: {
  conversation: ConversationView;
  replyTo: MessageView | null;
  onClearReply: () => void;
  templateMode: boolean;
  onTemplateModeChange: (on: boolean) => void;
}) {
  const { conversation, replyTo } = props;
  const quickReplies = useInboxStore((s) => s.quickReplies);
  const [text, setText] = useState('');
  const [caret, setCaret] = useState(0);
  const [attachment, setAttachment] = useState<Attachment | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [activeSuggestion, setActiveSuggestion] = useState(0);
  const [managing, setManaging] = useState(false);
  const clientId = useRef(newClientId());
  const templateClientId = useRef(newClientId());
  const textRef = useRef<HTMLTextAreaElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const ids = useId();

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);

  useEffect(() => {
    void useInboxStore.getState().loadQuickReplies();
  }, []);

  const chatWindow = windowState(conversation.windowEndsAt, now);
  const shortcut = shortcutAt(text, caret);
  const suggestions = useMemo(
    () => (shortcut ? quickReplies.filter((q) => q.shortcut.startsWith(shortcut.query)).slice(0, 8) : []),
    [shortcut, quickReplies],
  );

  const insertQuickReply = (index: number): void => {
    const chosen = suggestions[index];
    if (!chosen || !shortcut) return;
    const next = text.slice(0, shortcut.start) + chosen.text + text.slice(caret);
    const at = shortcut.start + chosen.text.length;
    setText(next);
    setCaret(at);
    setActiveSuggestion(0);
    requestAnimationFrame(() => {
      textRef.current?.focus();
      textRef.current?.setSelectionRange(at, at);
    });
  };

  const sent = (message: MessageView): void => {
    useInboxStore.getState().addOwnMessage(message);
    clientId.current = newClientId();
    setText('');
    setAttachment(null);
    props.onClearReply();
  };

  const send = async (): Promise<void> => {
    if (busy) return;
    const body = text.trim();
    if (!body && !attachment) return;
    setBusy(true);
    setError(null);
    try {
      if (attachment) {
        const { file } = attachment;
        const uploadId = await stageFile(file, (received) => setAttachment({ file, sent: received }));
        sent(
          await api.invoke('messages:send-media', {
            connectionId: conversation.connectionId,
            conversationId: conversation.id,
            clientId: clientId.current,
            uploadId,
            ...(body ? { caption: body } : {}),
            ...(replyTo ? { replyToMessageId: replyTo.id } : {}),
          }),
        );
      } else {
        sent(
          await api.invoke('messages:send', {
            connectionId: conversation.connectionId,
            conversationId: conversation.id,
            clientId: clientId.current,
            content: { type: 'text', body },
            ...(replyTo ? { replyToMessageId: replyTo.id } : {}),
          }),
        );
      }
    } catch (failure) {
      if (failure instanceof ApiError && failure.code === 'OUTSIDE_24H_WINDOW')
        props.onTemplateModeChange(true);
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };

  const sendTemplate = async (ref: TemplatePickerRef): Promise<void> => {
    const message = await api.invoke('messages:send', {
      connectionId: conversation.connectionId,
      conversationId: conversation.id,
      clientId: templateClientId.current,
      content: { type: 'template', template: ref },
    });
    useInboxStore.getState().addOwnMessage(message);
    templateClientId.current = newClientId();
    props.onTemplateModeChange(false);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (suggestions.length > 0) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        setActiveSuggestion((i) => (i + step + suggestions.length) % suggestions.length);
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        insertQuickReply(activeSuggestion);
        return;
      }
    }
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      void send();
    }
  };

  const chooseFile = (file: File | undefined): void => {
    if (!file) return;
    const kind = attachmentKindOf(file.type);
    if (!kind) {
      setError(
        `WhatsApp cannot send ${file.type || 'this kind of'} files. Send a photo, a video, audio or a document.`,
      );
      return;
    }
    if (file.size > kind.maxBytes) {
      setError(`WhatsApp accepts a ${kind.kind} of at most ${(kind.maxBytes / 1024 / 1024).toFixed(1)} MB.`);
      return;
    }
    setError(null);
    setAttachment({ file, sent: 0 });
  };

  if (chatWindow.kind !== 'open' || props.templateMode) {
    return (
      <section className="composer composer-template" aria-label="Send a template">
        <div className="composer-window-note" role="note" data-testid="window-note">
          {chatWindow.kind === 'open' ? (
            <p>Choose a template to send instead.</p>
          ) : chatWindow.kind === 'never' ? (
            <p>
              <strong>This customer has not written to you yet.</strong> WhatsApp only lets a business start a
              conversation with an approved template. Once they reply, you can write freely for 24 hours.
            </p>
          ) : (
            <p>
              <strong>The 24-hour window is closed.</strong> More than 24 hours have passed since the customer
              last wrote, so WhatsApp only allows an approved template until they reply.
            </p>
          )}
          {chatWindow.kind === 'open' ? (
            <button type="button" onClick={() => props.onTemplateModeChange(false)}>
              Back to writing
            </button>
          ) : null}
        </div>
        {conversation.contact.optedOut ? (
          <p className="error-text" role="alert">
            This contact opted out, so templates are not sent to them.
          </p>
        ) : (
          <TemplatePicker
            connectionId={conversation.connectionId}
            onSubmit={sendTemplate}
            submitLabel="Send template"
          />
        )}
      </section>
    );
  }

  return (
    <section className="composer" aria-label="Reply">
      {replyTo ? (
        <div className="composer-reply" data-testid="composer-reply">
          <span>
            Replying to <strong>{replyTo.direction === 'outbound' ? 'you' : 'the customer'}</strong>:{' '}
            {summaryOf(replyTo)}
          </span>
          <button
            type="button"
            className="link-button"
            onClick={props.onClearReply}
            aria-label="Cancel the reply"
          >
            ✕
          </button>
        </div>
      ) : null}
      {attachment ? (
        <div className="composer-attachment" data-testid="composer-attachment">
          <span>
            📎 {attachment.file.name} ({Math.ceil(attachment.file.size / 1024)} KB)
            {busy ? ` — uploading ${Math.round((attachment.sent / attachment.file.size) * 100)}%` : ''}
          </span>
          <button type="button" className="link-button" disabled={busy} onClick={() => setAttachment(null)}>
            Remove
          </button>
        </div>
      ) : null}
      <div className="composer-row">
        <button
          type="button"
          onClick={() => fileRef.current?.click()}
          disabled={busy}
          aria-label="Attach a file"
        >
          📎
        </button>
        <input
          ref={fileRef}
          type="file"
          hidden
          aria-label="Attachment file"
          accept="image/jpeg,image/png,image/webp,video/mp4,video/3gpp,audio/*,application/pdf,text/plain,.doc,.docx,.xls,.xlsx,.ppt,.pptx"
          onChange={(e) => {
            chooseFile(e.target.files?.[0]);
            e.target.value = '';
          }}
        />
        <div className="composer-input">
          <label htmlFor={`${ids}-text`} className="visually-hidden">
            Message
          </label>
          <textarea
            id={`${ids}-text`}
            ref={textRef}
            value={text}
            rows={Math.min(6, Math.max(1, text.split('\n').length))}
            maxLength={4096}
            placeholder={attachment ? 'Add a caption (optional)' : 'Type a message — / for quick replies'}
            onChange={(e) => {
              setText(e.target.value);
              setCaret(e.target.selectionStart);
              setActiveSuggestion(0);
            }}
            onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
            onKeyDown={onKeyDown}
            aria-autocomplete="list"
            aria-controls={suggestions.length > 0 ? `${ids}-quick` : undefined}
            aria-expanded={suggestions.length > 0}
            role="combobox"
          />
          {suggestions.length > 0 ? (
            <ul className="quick-suggestions" role="listbox" id={`${ids}-quick`} aria-label="Quick replies">
              {suggestions.map((q, i) => (
                <li
                  key={q.id}
                  role="option"
                  aria-selected={i === activeSuggestion}
                  onMouseDown={(e) => {
                    e.preventDefault();
                    insertQuickReply(i);
                  }}
                >
                  <strong>/{q.shortcut}</strong> <span className="muted">{q.text.slice(0, 80)}</span>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
        <button
          type="button"
          className="primary"
          onClick={() => void send()}
          disabled={busy || (!text.trim() && !attachment)}
        >
          {busy ? 'Sending…' : 'Send'}
        </button>
      </div>
      {text && hasFormatting.test(text) ? (
        <div className="composer-preview" aria-label="Formatting preview" data-testid="formatting-preview">
          <FormattedText text={text} />
        </div>
      ) : null}
      <div className="composer-foot">
        <span className="muted">
          Enter sends, Shift+Enter adds a line. *bold* _italic_ ~strike~ ```mono```
        </span>
        <button type="button" className="link-button" onClick={() => setManaging(true)}>
          Quick replies…
        </button>
        <button type="button" className="link-button" onClick={() => props.onTemplateModeChange(true)}>
          Send a template…
        </button>
      </div>
      {error ? (
        <p className="error-text" role="alert">
          {error}
        </p>
      ) : null}
      {managing ? <QuickRepliesDialog onClose={() => setManaging(false)} /> : null}
    </section>
  );
}
