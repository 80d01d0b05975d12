import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../src-main/host/csp';
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
