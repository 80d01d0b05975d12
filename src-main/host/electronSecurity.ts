// Electron hardening in one place (Electron's security checklist): deny navigation, new windows,
// <webview> and every permission; open links externally only through the allow-list; send a strict
// CSP header on every response the session serves. The decisions live in hardening.ts (unit-tested).
import { app, session, shell, type WebContents } from 'electron';
import { guardWebContents, isPermissionAllowed, withContentSecurityPolicy } from './hardening';

export function hardenElectron(isAppUrl: (url: string) => boolean): void {
  app.on('web-contents-created', (_event, contents: WebContents) => {
    guardWebContents(contents, isAppUrl, (url) => void shell.openExternal(url));
  });

  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback) =>
    callback(isPermissionAllowed(permission)),
  );
  ses.setPermissionCheckHandler((_contents, permission) => isPermissionAllowed(permission));
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) });
  });
}
