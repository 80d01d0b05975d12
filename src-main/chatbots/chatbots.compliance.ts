// Built-in opt-out / opt-in keywords (issue 9, whatsapp-cloud-api.md §7: keep an opt-out list; a
// quick-reply "Stop" is common practice). They run before any user rule and cannot be switched off.
// Each word carries the language its confirmation is written in, so a customer who writes "baja" is
// answered in Spanish.
import { normalizeForMatch, stripOuterPunctuation } from './chatbots.text';

export type ComplianceLanguage = 'en' | 'es' | 'pt' | 'hi' | 'id';
export type ComplianceAction = 'opt_out' | 'opt_in';

// Whole-message words (after case/accent folding and outer punctuation): "stop" opts out, "please stop
// by the shop" does not. Ambiguous words that are also everyday replies ("no", "ok", "para" = "for" in
// Spanish, "band" in English) are deliberately left out. A word shared by two languages ("parar",
// "cancelar") is listed under the first.
const vocabulary: Record<ComplianceAction, Record<ComplianceLanguage, readonly string[]>> = {
  opt_out: {
    en: [
      'stop',
      'stop all',
      'stopall',
      'unsubscribe',
      'cancel',
      'end',
      'quit',
      'opt out',
      'optout',
      'opt-out',
    ],
    es: [
      'parar',
      'baja',
      'darme de baja',
      'dar de baja',
      'cancelar',
      'alto',
      'detener',
      'desuscribir',
      'desuscribirme',
      'cancelar suscripcion',
    ],
    pt: [
      'sair',
      'pare',
      'descadastrar',
      'descadastre',
      'descadastre-me',
      'cancelar inscricao',
      'desinscrever',
    ],
    hi: ['band karo', 'bandh karo', 'band kar do', 'bandh kar do', 'ruko', 'mat bhejo', 'unsubscribe karo'],
    id: ['berhenti', 'hentikan', 'berhenti berlangganan', 'stop langganan'],
  },
  opt_in: {
    en: ['start', 'unstop', 'subscribe', 'resume', 'opt in', 'optin', 'opt-in'],
    es: ['comenzar', 'empezar', 'iniciar', 'alta', 'reanudar', 'suscribir', 'suscribirme'],
    pt: ['voltar', 'comecar', 'retomar', 'cadastrar', 'inscrever', 'ativar'],
    hi: ['shuru', 'shuru karo', 'chalu karo', 'start karo', 'phir se shuru'],
    id: ['mulai', 'mulai lagi', 'lanjut', 'berlangganan'],
  },
};

interface Entry {
  action: ComplianceAction;
  language: ComplianceLanguage;
}

const lookup = new Map<string, Entry>();
for (const action of ['opt_out', 'opt_in'] as const) {
  for (const [language, words] of Object.entries(vocabulary[action]) as [ComplianceLanguage, string[]][]) {
    for (const word of words) {
      const key = normalizeForMatch(word);
      if (!lookup.has(key)) lookup.set(key, { action, language });
    }
  }
}

export const complianceKeywords: Readonly<typeof vocabulary> = vocabulary;

export const defaultConfirmations: Record<ComplianceAction, Record<ComplianceLanguage, string>> = {
  opt_out: {
    en: "You've been unsubscribed and won't get more messages from us. Reply START to subscribe again.",
    es: 'Te has dado de baja y no recibirás más mensajes nuestros. Responde COMENZAR para volver a suscribirte.',
    pt: 'Você foi descadastrado e não receberá mais mensagens nossas. Responda VOLTAR para se cadastrar de novo.',
    hi: 'Aapko unsubscribe kar diya gaya hai, ab aapko humse messages nahi milenge. Dobara judne ke liye SHURU bhejein.',
    id: 'Anda telah berhenti berlangganan dan tidak akan menerima pesan lagi dari kami. Balas MULAI untuk berlangganan kembali.',
  },
  opt_in: {
    en: "You're subscribed again. Reply STOP at any time to unsubscribe.",
    es: 'Te has vuelto a suscribir. Responde BAJA en cualquier momento para darte de baja.',
    pt: 'Você foi cadastrado novamente. Responda SAIR a qualquer momento para sair.',
    hi: 'Aap dobara subscribe ho gaye hain. Messages band karne ke liye kabhi bhi BAND KARO bhejein.',
    id: 'Anda telah berlangganan kembali. Balas BERHENTI kapan saja untuk berhenti berlangganan.',
  },
};

export interface ComplianceMatch extends Entry {
  /** The word as the customer wrote it, for the trace. */
  matched: string;
}

/** A whole typed message that is an opt-out or opt-in word. */
export function complianceFromText(text: string): ComplianceMatch | null {
  const entry = lookup.get(stripOuterPunctuation(normalizeForMatch(text)));
  return entry ? { ...entry, matched: text.trim() } : null;
}

/**
 * A template quick-reply tap (inbound type `button`, §6): its payload or its label. Buttons are written
 * by the business, so a label that starts with an opt-out word ("Stop promotions", "Parar ofertas") is
 * an opt-out too; opting in still needs the whole word.
 */
export function complianceFromQuickReply(payload: string, label: string): ComplianceMatch | null {
  for (const candidate of [payload, label]) {
    const exact = complianceFromText(candidate);
    if (exact) return exact;
  }
  for (const candidate of [payload, label]) {
    const words = stripOuterPunctuation(normalizeForMatch(candidate)).split(/[\s_-]+/u);
    for (let take = Math.min(3, words.length - 1); take >= 1; take -= 1) {
      const entry = lookup.get(words.slice(0, take).join(' '));
      if (entry?.action === 'opt_out') return { ...entry, matched: candidate.trim() };
    }
  }
  return null;
}
