// Electron hardening in one place (Electron's security checklist): deny navigation, new windows,
// <webview> and every permission; open links externally only through the allow-list; send a strict
// CSP header on every response the session serves.
import { app, session, shell, type WebContents } from 'electron';
import { contentSecurityPolicy } from './csp';
import { isTrustedExternalUrl } from './trustedUrl';

export function hardenElectron(isAppUrl: (url: string) => boolean): void {
  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (isTrustedExternalUrl(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });

  const ses = session.defaultSession;
  // Every permission is refused except writing to the clipboard (the copy buttons for the callback URL
  // and verify token) and notifications (the inbox's desktop notification for a new customer message,
  // shown by the OS as plain text); reading the clipboard stays refused.
  const allowed = new Set(['clipboard-sanitized-write', 'notifications']);
  ses.setPermissionRequestHandler((_contents, permission, callback) => callback(allowed.has(permission)));
  ses.setPermissionCheckHandler((_contents, permission) => allowed.has(permission));
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy] },
    });
  });
}
