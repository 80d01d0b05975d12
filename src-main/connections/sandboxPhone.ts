// The Sandbox phone: one simulated customer's chat as their phone would show it, read from the embedded
// simulator — what "Meta" accepted for that number (the ledger's message requests, §2 shapes) and what
// the customer sent (the ledger's inbound records, §6 shapes). It reads the simulator, not the app's
// store, so it shows what actually reached the customer: a message the app stored but never sent is not
// on the phone.
import type { PhoneMessage, PhoneThread } from '../../src-preload/connections.contract';
import type { InboundRecord, LedgerEntry } from '../simulator/ledger';

type Json = Record<string, unknown>;

function record(value: unknown): Json | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : null;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Keeps only the keys whose value is defined (the contract's optional fields are absent, not undefined). */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function fromBusiness(entry: LedgerEntry): PhoneMessage {
  const payload = entry.payload;
  const base: PhoneMessage = { wamid: entry.wamid, at: entry.acceptedAt, from: 'business', type: entry.type };
  switch (entry.type) {
    case 'text':
      return defined({ ...base, text: str(record(payload.text)?.body) });
    case 'template': {
      const template = record(payload.template);
      return {
        ...base,
        template: {
          name: str(template?.name) ?? entry.templateName ?? '',
          language: str(record(template?.language)?.code) ?? entry.templateLanguage ?? '',
        },
      };
    }
    case 'interactive': {
      const interactive = record(payload.interactive);
      const action = record(interactive?.action);
      const common = defined({
        ...base,
        text: str(record(interactive?.body)?.text),
        header: str(record(interactive?.header)?.text),
        footer: str(record(interactive?.footer)?.text),
      });
      if (interactive?.type === 'button') {
        return {
          ...common,
          buttons: list(action?.buttons).map((button) => {
            const reply = record(record(button)?.reply);
            return { id: str(reply?.id) ?? '', title: str(reply?.title) ?? '' };
          }),
        };
      }
      if (interactive?.type === 'list') {
        return {
          ...common,
          list: {
            button: str(action?.button) ?? '',
            sections: list(action?.sections).map((section) => {
              const s = record(section);
              return defined({
                title: str(s?.title),
                rows: list(s?.rows).map((row) => {
                  const r = record(row);
                  return defined({
                    id: str(r?.id) ?? '',
                    title: str(r?.title) ?? '',
                    description: str(r?.description),
                  });
                }),
              });
            }),
          },
        };
      }
      return common;
    }
    default: {
      // Media and the rest: a caption when there is one, otherwise just the type.
      const caption = str(record(payload[entry.type])?.caption);
      return defined({ ...base, text: caption });
    }
  }
}

function fromCustomer(entry: InboundRecord): PhoneMessage {
  const message = entry.message;
  const base: PhoneMessage = { wamid: entry.wamid, at: entry.at, from: 'customer', type: entry.type };
  switch (entry.type) {
    case 'text':
      return defined({ ...base, text: str(record(message.text)?.body) });
    case 'interactive': {
      const interactive = record(message.interactive);
      const kind = interactive?.type;
      if (kind === 'button_reply' || kind === 'list_reply') {
        const reply = record(interactive?.[kind]);
        return {
          ...base,
          reply: { kind, id: str(reply?.id) ?? '', title: str(reply?.title) ?? '' },
          text: str(reply?.title) ?? '',
        };
      }
      return base;
    }
    case 'button':
      return defined({ ...base, text: str(record(message.button)?.text) });
    default:
      return defined({ ...base, text: str(record(message[entry.type])?.caption) });
  }
}

/**
 * The chat between the Sandbox number and one customer (`waId`, digits only), oldest first. Both sides
 * come from the simulator's ledger; ties in time keep business messages after the customer message
 * that (usually) caused them.
 */
export function phoneThreadOf(
  ledger: {
    messages(filter: { waId: string }): LedgerEntry[];
    inbound(filter: { waId: string }): InboundRecord[];
  },
  phoneNumberId: string,
  waId: string,
): PhoneThread {
  const sent = ledger
    .messages({ waId })
    .filter((entry) => entry.phoneNumberId === phoneNumberId && entry.type !== 'reaction')
    .map(fromBusiness);
  const received = ledger
    .inbound({ waId })
    .filter((entry) => entry.phoneNumberId === phoneNumberId && entry.type !== 'reaction')
    .map(fromCustomer);
  const order = { customer: 0, business: 1 } as const;
  const messages = [...received, ...sent].sort((a, b) => a.at - b.at || order[a.from] - order[b.from]);
  return { customer: `+${waId}`, messages };
}
