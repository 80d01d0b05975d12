// The decisions behind Electron's hardening (electronSecurity.ts), free of 'electron' so each
// checklist item is unit-tested under Node: navigation and redirects stay on our page, new windows
// are denied (trusted https links go to the user's browser instead), <webview> never attaches,
// permissions are refused, every response carries our CSP, and IPC is answered only for our own
// window's main frame showing our own page.
import { contentSecurityPolicy } from './csp';
import { isTrustedExternalUrl } from './trustedUrl';

/** The part of Electron's WebContents the guards attach to. */
export interface GuardedContents {
  on(
    event: 'will-navigate' | 'will-redirect',
    listener: (event: { preventDefault(): void }, url: string) => void,
  ): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export function guardWebContents(
  contents: GuardedContents,
  isAppUrl: (url: string) => boolean,
  openExternal: (url: string) => void,
): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isTrustedExternalUrl(url)) openExternal(url);
    return { action: 'deny' };
  });
}

/**
 * Every permission is refused except writing to the clipboard (the copy buttons for the callback URL
 * and verify token) and notifications (the inbox's desktop notification for a new customer message,
 * shown by the OS as plain text); reading the clipboard stays refused.
 */
const allowedPermissions = new Set(['clipboard-sanitized-write', 'notifications']);
export function isPermissionAllowed(permission: string): boolean {
  return allowedPermissions.has(permission);
}

/** Response headers with our CSP set (replacing any the response carried, whatever its case). */
export function withContentSecurityPolicy(
  headers: Record<string, string | string[]> | undefined,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {}))
    if (name.toLowerCase() !== 'content-security-policy') out[name] = value;
  out['Content-Security-Policy'] = [contentSecurityPolicy];
  return out;
}

/** IPC sender check: only our window's main frame (not an iframe), showing our own page. */
export function isTrustedSenderFrame<F extends { url: string }>(
  frame: F | null | undefined,
  mainFrame: F,
  isAppUrl: (url: string) => boolean,
): boolean {
  return frame !== null && frame !== undefined && frame === mainFrame && isAppUrl(frame.url);
}
