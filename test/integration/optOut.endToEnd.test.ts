// Issue #9's compliance promise across modules, through a whole core with the Sandbox: a customer who
// writes STOP is opted out by the chatbot worker, and from then on every module that sends a template
// leaves them out — a campaign's audience (#8) and a one-off template send (#7) — until START.
import { describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src-main/core';
import { createMemoryLogger } from '../../src-main/log';
import type { InvokeChannel } from '../../src-preload/channels';
import { useTempDirs } from '../helpers/tempDir';
import { waitFor } from '../helpers/waitFor';

const temp = useTempDirs();
const customer = '+14155550147'; // a Sandbox demo contact (James Carter)

async function call<T>(core: Core, channel: InvokeChannel, payload: unknown): Promise<T> {
  const result = await core.router.dispatch(channel, payload, { trusted: true, description: 'test' });
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
  return result.value as T;
}

function optedOutAt(core: Core): number | null | undefined {
  return core.db
    .prepare<[string], { opted_out_at: number | null }>(
      'SELECT opted_out_at FROM contacts WHERE phone_e164 = ?',
    )
    .get(customer)?.opted_out_at;
}

describe('opt-out across modules', () => {
  it('STOP leaves the contact out of a campaign audience and refuses a template send; START lets them back in', async () => {
    const core = await createCore({ dataDir: temp.dir(), hostKind: 'browser', log: createMemoryLogger() });
    try {
      const connectionId = core.sandbox!.connectionId;
      // The core syncs the Sandbox's templates at start-up too; whichever sync runs, wait for its result.
      await core.router.dispatch('templates:sync', { connectionId }, { trusted: true, description: 'test' });
      await waitFor(
        async () =>
          (await call<{ name: string; status: string }[]>(core, 'templates:list', { connectionId })).some(
            (t) => t.name === 'welcome_offer' && t.status === 'APPROVED',
          ),
        { what: 'the Sandbox templates to be synced' },
      );
      const draft = (name: string) => ({
        name,
        connectionId,
        templateName: 'welcome_offer',
        templateLanguage: 'en_US',
        content: { body: { '1': { source: 'field', field: 'name', fallback: 'there' } } },
        audience: { kind: 'all' },
      });
      const before = await call<{ id: string }>(core, 'campaigns:create', draft('Before STOP'));
      const reportBefore = await call<{ recipients: number; exclusions: { optedOut: number } }>(
        core,
        'campaigns:preflight',
        { campaignId: before.id },
      );

      await call(core, 'sandbox:simulate-message', { type: 'text', from: customer, text: 'STOP' });
      await waitFor(() => typeof optedOutAt(core) === 'number', { what: 'the STOP to opt the contact out' });

      const after = await call<{ id: string }>(core, 'campaigns:create', draft('After STOP'));
      const reportAfter = await call<{ recipients: number; exclusions: { optedOut: number } }>(
        core,
        'campaigns:preflight',
        { campaignId: after.id },
      );
      expect(reportAfter.exclusions.optedOut).toBe(reportBefore.exclusions.optedOut + 1);
      expect(reportAfter.recipients).toBe(reportBefore.recipients - 1);

      const templateSend = await core.router.dispatch(
        'messages:send-template-to-number',
        {
          connectionId,
          phone: customer,
          template: { name: 'welcome_offer', language: 'en_US', params: { body: ['James'] } },
          clientId: 'opt-out-e2e-send-1',
        },
        { trusted: true, description: 'test' },
      );
      expect(templateSend.ok).toBe(false);
      if (!templateSend.ok) expect(templateSend.error.message).toMatch(/opted out/i);

      await call(core, 'sandbox:simulate-message', { type: 'text', from: customer, text: 'START' });
      await waitFor(() => optedOutAt(core) === null, { what: 'the START to opt the contact back in' });
      const again = await call<{ id: string }>(core, 'campaigns:create', draft('After START'));
      const reportAgain = await call<{ recipients: number; exclusions: { optedOut: number } }>(
        core,
        'campaigns:preflight',
        { campaignId: again.id },
      );
      expect(reportAgain.recipients).toBe(reportBefore.recipients);
    } finally {
      await core.close();
    }
  }, 60_000);
});
