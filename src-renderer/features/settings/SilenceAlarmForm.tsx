import { useState, type FormEvent } from 'react';
import { silenceMinutesMax } from '../../../src-preload/contract';
import { useWebhooksStore } from '../../stores/webhooks';

/**
 * N of the silent-webhook alarm (issue 5): a number that has sent messages but heard nothing from Meta
 * for N minutes shows a warning in the status bar. Short for a busy shop, longer for a quiet one.
 */
export function SilenceAlarmForm() {
  const alarm = useWebhooksStore((state) => state.alarm);
  if (!alarm) return null;
  // Mounted once the stored value has loaded, so the field starts from it; after a save it already
  // shows what was stored.
  return <MinutesForm stored={alarm.silenceMinutes} />;
}

function MinutesForm({ stored }: { stored: number }) {
  const setSilenceMinutes = useWebhooksStore((state) => state.setSilenceMinutes);
  const [minutes, setMinutes] = useState(String(stored));
  const [saved, setSaved] = useState(false);

  const value = Number(minutes);
  const valid = Number.isInteger(value) && value >= 1 && value <= silenceMinutesMax;

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!valid) return;
    setSaved(await setSilenceMinutes(value));
  }

  return (
    <form className="silence-alarm" onSubmit={(event) => void save(event)}>
      <label>
        Warn when a number has sent messages but no webhook has arrived for{' '}
        <input
          type="number"
          min={1}
          max={silenceMinutesMax}
          step={1}
          value={minutes}
          aria-invalid={!valid}
          onChange={(event) => {
            setMinutes(event.target.value);
            setSaved(false);
          }}
        />{' '}
        minutes
      </label>
      <button type="submit" disabled={!valid}>
        Save
      </button>
      {!valid ? (
        <span role="alert" className="field-error">
          Enter whole minutes from 1 to {silenceMinutesMax}.
        </span>
      ) : saved ? (
        <span role="status">Saved.</span>
      ) : null}
    </form>
  );
}
