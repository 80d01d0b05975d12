import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../src-main/host/csp';
import {
  guardWebContents,
  isPermissionAllowed,
  isTrustedSenderFrame,
  withContentSecurityPolicy,
  type GuardedContents,
} from '../../src-main/host/hardening';
import { isTrustedExternalUrl } from '../../src-main/host/trustedUrl';
import { mainWindowOptions } from '../../src-main/host/windowOptions';
import { createMemoryLogger } from '../../src-main/log';

describe('openExternal allow-list', () => {
  it.each([
    'https://business.facebook.com/settings',
    'https://developers.facebook.com/docs/whatsapp',
    'https://wa.me/16505551234',
  ])('allows %s', (url) => expect(isTrustedExternalUrl(url)).toBe(true));
  it.each([
    'http://business.facebook.com/',
    'https://evil.example/',
    'https://business.facebook.com.evil.example/',
    'https://user:pass@business.facebook.com/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'smb://share/x',
    'not a url',
  ])('refuses %s', (url) => expect(isTrustedExternalUrl(url)).toBe(false));
});

describe('content security policy', () => {
  it('allows no inline script, no eval and no remote origins', () => {
    const directives = new Map<string, string[]>(
      contentSecurityPolicy.split(';').map((d) => {
        const [name = '', ...values] = d.trim().split(/\s+/);
        return [name, values];
      }),
    );
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(contentSecurityPolicy).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
  });
});

describe('main window options', () => {
  it('follow the Electron security checklist', () => {
    const { webPreferences } = mainWindowOptions('/app/out/preload');
    expect(webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
      allowRunningInsecureContent: false,
    });
    expect(webPreferences.preload).toBe('/app/out/preload/index.cjs');
  });
});

describe('log redaction', () => {
  it('never writes secrets passed in a context object', () => {
    const log = createMemoryLogger();
    log.info('saved connection', {
      accessToken: 'EAAG-secret',
      nested: { app_secret: 's3cr3t', ok: 'fine' },
    });
    const line = log.lines.join('\n');
    expect(line).not.toContain('EAAG-secret');
    expect(line).not.toContain('s3cr3t');
    expect(line).toContain('fine');
  });
});

/** A stand-in for WebContents that records the guards attached to it, as Electron would call them. */
function fakeContents() {
  const listeners = new Map<string, (event: { preventDefault(): void }, url?: string) => void>();
  let openHandler: ((details: { url: string }) => { action: 'deny' }) | undefined;
  const contents: GuardedContents = {
    on(event: string, listener: (event: { preventDefault(): void }, url?: string) => void) {
      listeners.set(event, listener);
      return contents;
    },
    setWindowOpenHandler(handler) {
      openHandler = handler;
    },
  } as GuardedContents;
  const fire = (event: string, url?: string): boolean => {
    let prevented = false;
    listeners.get(event)?.({ preventDefault: () => (prevented = true) }, url);
    return prevented;
  };
  return { contents, fire, open: (url: string) => openHandler?.({ url }) };
}

describe('Electron checklist: navigation, new windows, webview, openExternal', () => {
  const appUrl = 'file:///app/out/renderer/index.html';
  const isAppUrl = (url: string) => url.split('#')[0] === appUrl;

  it('keeps navigation and redirects on our own page', () => {
    const { contents, fire } = fakeContents();
    guardWebContents(contents, isAppUrl, () => undefined);
    expect(fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(fire('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(fire('will-redirect', 'https://evil.example/')).toBe(true);
    expect(fire('will-navigate', `${appUrl}#/contacts`)).toBe(false);
  });

  it('never attaches a <webview>', () => {
    const { contents, fire } = fakeContents();
    guardWebContents(contents, isAppUrl, () => undefined);
    expect(fire('will-attach-webview')).toBe(true);
  });

  it('denies every new window; only allow-listed https links go to the browser', () => {
    const { contents, open } = fakeContents();
    const opened: string[] = [];
    guardWebContents(contents, isAppUrl, (url) => opened.push(url));
    for (const url of [
      'https://business.facebook.com/settings',
      'https://evil.example/',
      'javascript:alert(1)',
      'file:///etc/passwd',
      appUrl,
    ])
      expect(open(url)).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://business.facebook.com/settings']);
  });
});

describe('Electron checklist: permissions and CSP header', () => {
  it.each(['media', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen', 'hid'])(
    'refuses the %s permission',
    (permission) => expect(isPermissionAllowed(permission)).toBe(false),
  );
  it('allows only writing to the clipboard (the copy buttons) and notifications (new inbox messages)', () => {
    expect(isPermissionAllowed('clipboard-sanitized-write')).toBe(true);
    expect(isPermissionAllowed('notifications')).toBe(true);
  });

  it('puts our CSP on every response, replacing one the response carried', () => {
    const headers = withContentSecurityPolicy({
      'content-security-policy': ["default-src *; script-src 'unsafe-inline'"],
      'Content-Type': ['text/html'],
    });
    expect(headers['Content-Security-Policy']).toEqual([contentSecurityPolicy]);
    expect(headers['content-security-policy']).toBeUndefined();
    expect(headers['Content-Type']).toEqual(['text/html']);
    expect(withContentSecurityPolicy(undefined)).toEqual({
      'Content-Security-Policy': [contentSecurityPolicy],
    });
  });
});

describe('Electron checklist: IPC sender check', () => {
  const isAppUrl = (url: string) => url === 'file:///app/index.html';
  const main = { url: 'file:///app/index.html' };

  it('answers only our main frame showing our page', () => {
    expect(isTrustedSenderFrame(main, main, isAppUrl)).toBe(true);
    // An iframe with our own URL is still not the main frame.
    expect(isTrustedSenderFrame({ url: 'file:///app/index.html' }, main, isAppUrl)).toBe(false);
    expect(isTrustedSenderFrame(null, main, isAppUrl)).toBe(false);
    expect(isTrustedSenderFrame(undefined, main, isAppUrl)).toBe(false);
    // The main frame after it was somehow navigated elsewhere.
    const navigated = { url: 'https://evil.example/' };
    expect(isTrustedSenderFrame(navigated, navigated, isAppUrl)).toBe(false);
  });
});
