// Template status webhooks spell languages with a hyphen (en-US) where the REST API and our rows say
// en_US (whatsapp-cloud-api.md §5); normaliseLanguage turns the one into the other.
import { describe, expect, it } from 'vitest';
import { normaliseLanguage } from '../../src-main/webhooks/payload';

describe('normaliseLanguage', () => {
  it.each([
    ['en-US', 'en_US'],
    ['pt-BR', 'pt_BR'],
    ['zh-HK', 'zh_HK'],
  ])('turns the webhook spelling %s into the REST spelling %s', (webhook, rest) => {
    expect(normaliseLanguage(webhook)).toBe(rest);
  });

  it.each(['en_US', 'pt_BR', 'en', 'fil'])('leaves the REST spelling %s as it is', (language) => {
    expect(normaliseLanguage(language)).toBe(language);
  });
});
