// One message in the thread: quoted message (context), content, time and, for our messages, the delivery
// ticks. "unknown" is shown as unconfirmed (it may have gone out; never resent automatically), a failure
// in red with Meta's error and the plain-language advice, plus a one-click fix where one exists
// (131047: outside the 24 h window → send a template instead). A campaign's message names its campaign
// and has no Reply button: the send point quotes the conversation's own messages only.
import type { MessageStatus, MessageView } from '../../../src-preload/messaging.contract';
import { clockTime } from './inboxTime';
import { MessageContent, summaryOf } from './MessageContent';

const statusLabels: Record<MessageStatus, string> = {
  pending: 'Queued',
  accepted: 'Accepted by WhatsApp',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  played: 'Played',
  failed: 'Failed',
  unknown: 'Unconfirmed',
  received: 'Received',
};

const statusGlyphs: Partial<Record<MessageStatus, string>> = {
  pending: '🕓',
  accepted: '🕓',
  sent: '✓',
  delivered: '✓✓',
  read: '✓✓',
  played: '✓✓',
};

/** Error codes with a fix the inbox can start in one click. */
export const OUTSIDE_WINDOW_CODE = 131047;

export function MessageStatusMark({ message }: { message: MessageView }) {
  const label = statusLabels[message.status];
  if (message.status === 'unknown') {
    return (
      <span
        className="msg-status msg-status-unknown"
        data-testid="message-status"
        data-status="unknown"
        title="WhatsApp did not confirm this message. It may have gone out; Bellhop updates it when WhatsApp reports back and never sends it again by itself."
      >
        unconfirmed
      </span>
    );
  }
  if (message.status === 'failed') {
    return (
      <span className="msg-status msg-status-failed" data-testid="message-status" data-status="failed">
        <span aria-hidden="true">⚠ </span>Failed
      </span>
    );
  }
  return (
    <span
      className={`msg-status msg-status-${message.status}`}
      data-testid="message-status"
      data-status={message.status}
      role="img"
      aria-label={label}
      title={label}
    >
      {statusGlyphs[message.status] ?? ''}
    </span>
  );
}

/** When a message happened: the customer's send time for inbound messages, our compose time otherwise. */
export function shownAt(message: MessageView): number {
  return message.waTimestamp ?? message.createdAt;
}

export function MessageBubble(props: {
  message: MessageView;
  quoted: MessageView | null | undefined;
  /** For a reaction: the message reacted to, when it is in the loaded thread. */
  reactedTo?: MessageView | null | undefined;
  focused: boolean;
  onReply: (message: MessageView) => void;
  onSendTemplateInstead: () => void;
}) {
  const { message, quoted } = props;
  const outbound = message.direction === 'outbound';
  return (
    <div
      className={`msg ${outbound ? 'msg-out' : 'msg-in'}${props.focused ? ' msg-focused' : ''}${message.status === 'failed' ? ' msg-has-failed' : ''}`}
      data-testid="message"
      data-message-id={message.id}
      data-direction={message.direction}
      data-type={message.type}
      aria-label={`${outbound ? 'You' : 'Customer'} at ${clockTime(shownAt(message))}`}
      role="article"
    >
      {message.contextWamid !== null ? (
        <blockquote className="msg-quote" data-testid="message-quote">
          {quoted ? (
            <>
              <span className="msg-quote-who">{quoted.direction === 'outbound' ? 'You' : 'Customer'}</span>
              <span className="msg-quote-text">{summaryOf(quoted)}</span>
            </>
          ) : (
            <span className="muted">Reply to an earlier message</span>
          )}
        </blockquote>
      ) : null}
      <MessageContent message={message} />
      {props.reactedTo ? (
        <div className="msg-reaction-target muted" data-testid="reaction-target">
          to “{summaryOf(props.reactedTo)}”
        </div>
      ) : null}
      <div className="msg-meta">
        {message.campaign !== null ? (
          <span className="msg-campaign" data-testid="message-campaign">
            Campaign “{message.campaign.name}”
          </span>
        ) : outbound && message.origin !== 'agent' ? (
          <span className="msg-origin">
            {message.origin === 'bot' ? 'Bot' : message.origin.replace('_', ' ')}
          </span>
        ) : null}
        <time dateTime={new Date(shownAt(message)).toISOString()}>{clockTime(shownAt(message))}</time>
        {outbound ? <MessageStatusMark message={message} /> : null}
        {message.wamid !== null && message.type !== 'reaction' && message.campaign === null ? (
          <button
            type="button"
            className="link-button msg-reply-button"
            onClick={() => props.onReply(message)}
          >
            Reply
          </button>
        ) : null}
      </div>
      {message.status === 'failed' ? (
        <div className="msg-failure" role="alert" data-testid="message-failure">
          <div>
            <strong>Not delivered</strong>
            {message.errorCode !== null ? ` (error ${message.errorCode})` : ''}
            {message.errorMessage ? `: ${message.errorMessage}` : ''}
          </div>
          {message.advice ? <div className="msg-advice">{message.advice}</div> : null}
          {message.errorCode === OUTSIDE_WINDOW_CODE ? (
            <button type="button" className="primary" onClick={props.onSendTemplateInstead}>
              Send a template instead
            </button>
          ) : null}
        </div>
      ) : null}
      {message.status === 'unknown' && message.errorMessage ? (
        <div className="msg-unconfirmed muted">{message.errorMessage}</div>
      ) : null}
    </div>
  );
}
