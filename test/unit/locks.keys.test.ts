// locks/keys.ts is the registry the seed design lists: exactly these keys and TTLs.
import { describe, expect, it } from 'vitest';
import { lockKeys, lockKindOf, lockKinds } from '../../src-main/locks/keys';
import { describeAge, describeHolder } from '../../src-main/locks/registry';

describe('lock keys', () => {
  it('builds exactly the seed design keys with their TTLs', () => {
    expect(lockKeys.templateSync('c1')).toEqual({ key: 'template_sync:connection:c1', ttlMs: 5 * 60_000 });
    expect(lockKeys.contactImport('w1')).toEqual({ key: 'contact_import:workspace:w1', ttlMs: 10 * 60_000 });
    expect(lockKeys.contactExport('w1')).toEqual({ key: 'contact_export:workspace:w1', ttlMs: 5 * 60_000 });
    expect(lockKeys.campaignSend('cp1')).toEqual({ key: 'campaign_send:cp1', ttlMs: 60_000 });
    expect(lockKeys.webhookProcess('c1')).toEqual({ key: 'webhook_process:connection:c1', ttlMs: 60_000 });
    expect(lockKeys.webhookMessage('m1')).toEqual({ key: 'webhook_message:m1', ttlMs: 30_000 });
    expect(lockKeys.webhookStatus('m1')).toEqual({ key: 'webhook_status:m1', ttlMs: 30_000 });
    expect(lockKeys.campaignStatusUpdate('wamid.HBgL=+/')).toEqual({
      key: 'campaign_status_update:wamid.HBgL=+/',
      ttlMs: 30_000,
    });
    expect(Object.keys(lockKinds).sort()).toEqual(
      [
        'campaign_send',
        'campaign_status_update',
        'contact_export',
        'contact_import',
        'template_sync',
        'webhook_message',
        'webhook_process',
        'webhook_status',
      ].sort(),
    );
  });

  it('refuses an empty id instead of building a key shared by everyone', () => {
    expect(() => lockKeys.contactImport('')).toThrow(/non-empty/);
  });

  it('maps a key back to its kind for UI wording', () => {
    expect(lockKindOf('contact_import:workspace:w1')).toBe('contact_import');
    expect(lockKindOf('something:else')).toBeUndefined();
    expect(
      describeHolder(
        {
          key: 'template_sync:connection:c1',
          owner: undefined,
          fence: 1,
          since: 0,
          ttlMs: 1,
          expiresAt: 1,
          waiting: 0,
        },
        45_000,
      ),
    ).toBe('A template sync is already running (started 45 s ago).');
    expect(describeAge(0, 3 * 3_600_000)).toBe('3 h ago');
  });
});
