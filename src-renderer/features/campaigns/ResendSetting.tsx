// The campaign page's "unconfirmed sends" setting: what the wizard chose (off by default: an unconfirmed
// send waits for you, so nobody gets a message twice), and while the campaign can still send, a way to
// change it. The service refuses a change once the campaign is finished; the error is shown as is.
import { useState } from 'react';
import { unconfirmedResendChoicesMs, type CampaignView } from '../../../src-preload/campaigns.contract';
import { errorMessage } from '../../lib/api';
import { useCampaignsStore } from '../../stores/campaigns';
import { resendWaitText, waitLabel } from './format';

const changeable = new Set<CampaignView['status']>(['draft', 'scheduled', 'running', 'paused']);
const NEVER = 'never';

export function ResendSetting({ campaign }: { campaign: CampaignView }) {
  const [editing, setEditing] = useState(false);
  const [choice, setChoice] = useState<string>(String(campaign.unconfirmedResendAfterMs ?? NEVER));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const canChange = changeable.has(campaign.status);

  const save = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await useCampaignsStore.getState().setResendWait(campaign.id, choice === NEVER ? null : Number(choice));
      setEditing(false);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="resend-setting" aria-labelledby="resend-setting-title">
      <h2 id="resend-setting-title">Unconfirmed sends</h2>
      <p data-testid="resend-setting">{resendWaitText(campaign.unconfirmedResendAfterMs)}</p>
      {canChange && !editing ? (
        <button
          type="button"
          onClick={() => {
            setChoice(String(campaign.unconfirmedResendAfterMs ?? NEVER));
            setEditing(true);
          }}
        >
          Change
        </button>
      ) : null}
      {canChange && editing ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <label>
            Send unconfirmed messages again
            <select value={choice} onChange={(e) => setChoice(e.target.value)}>
              <option value={NEVER}>Never: I decide (nobody gets it twice)</option>
              {unconfirmedResendChoicesMs.map((ms) => (
                <option key={ms} value={String(ms)}>
                  After {waitLabel(ms)} without a status update
                </option>
              ))}
            </select>
          </label>
          {choice !== NEVER ? (
            <p className="banner warning" role="note">
              Risk of a double send: if a message did reach the customer but its status update was lost or
              comes later than {waitLabel(Number(choice))}, the customer gets it twice.
            </p>
          ) : null}
          <button type="submit" className="primary" disabled={busy}>
            Save
          </button>
          <button type="button" disabled={busy} onClick={() => setEditing(false)}>
            Keep as it is
          </button>
        </form>
      ) : null}
      {error ? (
        <p className="error-text" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}
