// A campaign's message as the inbox thread shows it. The send path writes only campaign_messages (no
// extra write per recipient, issue 8), so the thread reads these rows beside the conversation's own
// messages and turns them into the same MessageView: the template body rebuilt from the recipient's
// stored parameters, the text as the customer read it, the ticks and a failure's advice.
import type { MessageStatus, MessageView, TemplateParams } from '../../src-preload/messaging.contract';
import { describeErrorCode } from '../whatsapp/errors';
import type { CampaignSendRow, CampaignThreadRow } from './conversations.repo';
import { buildTemplateMessage } from './messageContent';
import { templateMessageText } from './templateText';

function paramsOf(json: string): TemplateParams | undefined {
  try {
    return JSON.parse(json) as TemplateParams;
  } catch {
    return undefined;
  }
}

function templateOf(row: Pick<CampaignThreadRow, 'template_name' | 'template_language' | 'params'>) {
  return buildTemplateMessage(row.template_name, row.template_language, paramsOf(row.params));
}

export function toCampaignMessageView(row: CampaignThreadRow, conversationId: string): MessageView {
  const template = templateOf(row);
  return {
    id: row.id,
    conversationId,
    direction: 'outbound',
    origin: 'campaign',
    type: 'template',
    body: { type: 'template', template },
    status: row.status as MessageStatus,
    clientId: null,
    wamid: row.wamid,
    contextWamid: null,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    advice: row.error_code !== null ? describeErrorCode(row.error_code).advice : null,
    mediaPath: null,
    waTimestamp: null,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    deliveredAt: row.delivered_at,
    readAt: row.read_at,
    failedAt: row.failed_at,
    text: templateMessageText(row.template_components, template),
    campaign: { id: row.campaign_id, name: row.campaign_name },
  };
}

/** The conversation list's preview line for a campaign send: its text, else the template's name. */
export function campaignPreview(row: CampaignSendRow): string {
  const template = buildTemplateMessage(row.template_name, '', paramsOf(row.params));
  const text = templateMessageText(row.template_components, template);
  return (text ?? `Template: ${row.template_name}`).replace(/\s+/g, ' ').slice(0, 200);
}
