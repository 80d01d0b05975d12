// "Test connection": what a failed read of the phone number (or of the WABA's templates) means, in plain
// words, per error kind (whatsapp-cloud-api.md §3 table, §9, §10). Branches on error.kind and error.code,
// never on message text (the reference's golden rule).
import type { ConnectionProblem, PhoneNumberFacts } from '../../src-preload/connections.contract';
import type { WhatsAppError } from '../whatsapp/errors';
import type { PhoneNumberInfo } from '../whatsapp/types';

export interface Diagnosis {
  problem: ConnectionProblem;
  headline: string;
  advice: string;
  code: number | null;
}

export const TOKEN_REFUSED =
  'The access token was refused (expired or revoked): create a new System User token in Meta Business Settings → Users → System users, with whatsapp_business_messaging and whatsapp_business_management, and paste it here with Edit.';

/** §1: Meta answers an id it cannot see with code 100 subcode 33 (or the legacy code 33). */
function unknownObject(error: WhatsAppError): boolean {
  return error.code === 33 || (error.code === 100 && (error.subcode === 33 || error.subcode === undefined));
}

/** §3: 3, 10, 200–299 and 131005 are permission problems: the token works but lacks a grant. */
function permissionProblem(error: WhatsAppError): boolean {
  const code = error.code;
  return code === 3 || code === 10 || code === 131005 || (code !== null && code >= 200 && code <= 299);
}

export function diagnose(
  error: WhatsAppError,
  step: 'phone' | 'waba',
  ids: { phoneNumberId: string; wabaId: string; sandbox: boolean },
): Diagnosis {
  const code = error.code;
  const meta = ids.sandbox ? 'the Sandbox simulator' : 'Meta';
  switch (error.kind) {
    case 'AUTH':
      return {
        problem: 'auth',
        headline: 'The access token was refused (expired or revoked).',
        advice: TOKEN_REFUSED,
        code,
      };
    case 'RATE_LIMITED':
    case 'PAIR_RATE_LIMITED':
      return {
        problem: 'rate_limited',
        headline: `${ids.sandbox ? 'The Sandbox' : 'Meta'} is rate-limiting this account right now.`,
        advice: 'Wait a minute, then test again. Nothing is wrong with the settings themselves.',
        code,
      };
    case 'TRANSIENT':
    case 'UNKNOWN_OUTCOME':
      if (error.httpStatus === null) {
        return {
          problem: 'network',
          headline: ids.sandbox
            ? 'Bellhop cannot reach the Sandbox simulator.'
            : 'Bellhop cannot reach Meta (graph.facebook.com).',
          advice: ids.sandbox
            ? 'Restart Bellhop; the Sandbox starts with it.'
            : 'Check the internet connection, and any firewall or proxy that might block graph.facebook.com, then test again.',
          code,
        };
      }
      return {
        problem: 'meta_error',
        headline: `${meta} had a temporary problem (${error.message}).`,
        advice: 'Try again in a few minutes.',
        code,
      };
    case 'FATAL':
    case 'OUTSIDE_WINDOW':
    case 'TEMPLATE_PARAM_MISMATCH':
    case 'TEMPLATE_NOT_FOUND':
    case 'TEMPLATE_TEXT_TOO_LONG':
    case 'TEMPLATE_POLICY':
    case 'TEMPLATE_FORMAT_MISMATCH':
    case 'TEMPLATE_PAUSED':
    case 'TEMPLATE_DISABLED':
      break;
  }
  if (unknownObject(error)) {
    return step === 'phone'
      ? {
          problem: 'wrong_phone_number_id',
          headline: `Meta does not know the phone-number ID ${ids.phoneNumberId}, or this token cannot see it.`,
          advice:
            'Copy "Phone number ID" from WhatsApp Manager → API Setup (a long number, not the phone number itself), and check that the token belongs to the same business.',
          code,
        }
      : {
          problem: 'wrong_waba_id',
          headline: `Meta does not know the WhatsApp Business Account ID ${ids.wabaId}, or this token cannot see it.`,
          advice:
            'Copy "WhatsApp Business Account ID" from WhatsApp Manager → API Setup; it must be the account the phone number belongs to.',
          code,
        };
  }
  if (permissionProblem(error)) {
    return {
      problem: 'permission',
      headline: 'The token works but is missing a permission for this account.',
      advice:
        'In Business Settings, assign the System User this WhatsApp account with whatsapp_business_messaging and whatsapp_business_management, then create a new token.',
      code,
    };
  }
  if (code === 133010) {
    return {
      problem: 'not_registered',
      headline: "This phone number isn't registered with the Cloud API yet.",
      advice:
        'Register the number in WhatsApp Manager (or with POST /{phone-number-id}/register), then test again.',
      code,
    };
  }
  return {
    problem: 'meta_error',
    headline: `${meta === 'Meta' ? 'Meta' : 'The Sandbox'} refused the request: ${error.message}`,
    advice: error.advice,
    code,
  };
}

export function phoneFacts(info: PhoneNumberInfo): PhoneNumberFacts {
  return {
    verifiedName: info.verified_name ?? null,
    displayPhoneNumber: info.display_phone_number ?? null,
    qualityRating: info.quality_rating ?? null,
    throughput: info.throughput?.level ?? null,
    messagingLimit: info.whatsapp_business_manager_messaging_limit ?? null,
  };
}
