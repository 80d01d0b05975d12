// The allow-list for links the app opens in the user's browser (openExternal). Only https, only hosts
// a WhatsApp business owner needs; anything else is refused, so hostile message text cannot make the
// app launch arbitrary URLs or local handlers (file:, smb:, custom schemes).
const allowedHosts = new Set([
  'business.facebook.com',
  'developers.facebook.com',
  'www.facebook.com',
  'faq.whatsapp.com',
  'www.whatsapp.com',
  'business.whatsapp.com',
  'wa.me',
]);

export function isTrustedExternalUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return (
    url.protocol === 'https:' && url.username === '' && url.password === '' && allowedHosts.has(url.hostname)
  );
}
