// Business hours: a weekly schedule in the business's time zone, plus holidays (closed all day). The
// away message is a rule with the "Outside business hours" trigger; it goes once per conversation per
// local day. Also the STOP/START confirmations, which replace the built-in ones in five languages.
import { useId, useState, type FormEvent } from 'react';
import {
  botMessageLimits,
  weekdayNames,
  type BotView,
  type BusinessHoursView,
  type WeekdayName,
} from '../../../src-preload/chatbots.contract';
import { errorMessage } from '../../lib/api';
import { useChatbotsStore } from '../../stores/chatbots';

const dayLabels: Record<WeekdayName, string> = {
  monday: 'Monday',
  tuesday: 'Tuesday',
  wednesday: 'Wednesday',
  thursday: 'Thursday',
  friday: 'Friday',
  saturday: 'Saturday',
  sunday: 'Sunday',
};

function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

function knownTimeZones(): string[] {
  const intl = Intl as { supportedValuesOf?: (key: string) => string[] };
  return intl.supportedValuesOf?.('timeZone') ?? [];
}

function defaultHours(): BusinessHoursView {
  const workday = [{ start: '09:00', end: '18:00' }];
  return {
    timeZone: localTimeZone(),
    weekly: {
      monday: workday,
      tuesday: workday,
      wednesday: workday,
      thursday: workday,
      friday: workday,
      saturday: [],
      sunday: [],
    },
    holidays: [],
  };
}

function HoursForm({ bot }: { bot: BotView }) {
  const [hours, setHours] = useState<BusinessHoursView>(bot.businessHours ?? defaultHours());
  const [holiday, setHoliday] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState<string>();
  const zoneId = useId();
  const zonesId = useId();
  const holidayId = useId();

  const setDay = (day: WeekdayName, ranges: BusinessHoursView['weekly'][WeekdayName]): void =>
    setHours({ ...hours, weekly: { ...hours.weekly, [day]: ranges } });

  const run = async (businessHours: BusinessHoursView | null, done: string): Promise<void> => {
    setBusy(true);
    setError(undefined);
    setSaved(undefined);
    try {
      await useChatbotsStore.getState().updateSettings({ businessHours });
      setSaved(done);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };

  const onSubmit = (event: FormEvent): void => {
    event.preventDefault();
    void run(hours, 'Business hours saved.');
  };

  return (
    <form className="hours-form" aria-label="Business hours" onSubmit={onSubmit}>
      <h3>Business hours</h3>
      <p className="muted">
        {bot.businessHours
          ? 'Outside these hours, a rule with the “Outside business hours” trigger answers (once per conversation per day).'
          : 'Not set: the bot treats every moment as open. Save hours to use an away message.'}
      </p>
      <div className="form-field">
        <label htmlFor={zoneId}>Time zone</label>
        <input
          id={zoneId}
          list={zonesId}
          value={hours.timeZone}
          maxLength={64}
          onChange={(event) => setHours({ ...hours, timeZone: event.target.value })}
        />
        <datalist id={zonesId}>
          {knownTimeZones().map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
      </div>
      <table className="hours-table">
        <tbody>
          {weekdayNames.map((day) => {
            const ranges = hours.weekly[day];
            return (
              <tr key={day}>
                <th scope="row">{dayLabels[day]}</th>
                <td>
                  {ranges.length === 0 ? <span className="muted">Closed</span> : null}
                  {ranges.map((range, index) => (
                    <span key={index} className="time-range">
                      <input
                        type="time"
                        aria-label={`${dayLabels[day]} opens (${index + 1})`}
                        value={range.start}
                        onChange={(event) =>
                          setDay(
                            day,
                            ranges.map((r, i) => (i === index ? { ...r, start: event.target.value } : r)),
                          )
                        }
                      />
                      –
                      <input
                        type="time"
                        aria-label={`${dayLabels[day]} closes (${index + 1})`}
                        value={range.end === '24:00' ? '23:59' : range.end}
                        onChange={(event) =>
                          setDay(
                            day,
                            ranges.map((r, i) => (i === index ? { ...r, end: event.target.value } : r)),
                          )
                        }
                      />
                      <button
                        type="button"
                        aria-label={`Remove ${dayLabels[day]} hours ${index + 1}`}
                        onClick={() =>
                          setDay(
                            day,
                            ranges.filter((_, i) => i !== index),
                          )
                        }
                      >
                        ×
                      </button>
                    </span>
                  ))}
                  <button
                    type="button"
                    aria-label={`Add ${dayLabels[day]} hours`}
                    disabled={ranges.length >= 10}
                    onClick={() => setDay(day, [...ranges, { start: '09:00', end: '18:00' }])}
                  >
                    + Hours
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="form-field">
        <label htmlFor={holidayId}>Holiday (closed all day)</label>
        <div className="inline-form">
          <input
            id={holidayId}
            type="date"
            value={holiday}
            onChange={(event) => setHoliday(event.target.value)}
          />
          <button
            type="button"
            disabled={holiday === '' || hours.holidays.includes(holiday)}
            onClick={() => {
              setHours({ ...hours, holidays: [...hours.holidays, holiday].sort() });
              setHoliday('');
            }}
          >
            Add holiday
          </button>
        </div>
      </div>
      {hours.holidays.length > 0 ? (
        <ul className="holiday-list" aria-label="Holidays">
          {hours.holidays.map((date) => (
            <li key={date}>
              {date}{' '}
              <button
                type="button"
                aria-label={`Remove holiday ${date}`}
                onClick={() => setHours({ ...hours, holidays: hours.holidays.filter((d) => d !== date) })}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {error ? (
        <p className="form-error multiline" role="alert">
          {error}
        </p>
      ) : null}
      {saved ? (
        <p className="form-ok" role="status">
          {saved}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          Save hours
        </button>
        {bot.businessHours ? (
          <button
            type="button"
            disabled={busy}
            onClick={() => void run(null, 'Business hours removed: always open.')}
          >
            Remove business hours
          </button>
        ) : null}
      </div>
    </form>
  );
}

function ConfirmationsForm({ bot }: { bot: BotView }) {
  const [optOut, setOptOut] = useState(bot.compliance.optOutConfirmation ?? '');
  const [optIn, setOptIn] = useState(bot.compliance.optInConfirmation ?? '');
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState(false);
  const optOutId = useId();
  const optInId = useId();
  const onSubmit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setError(undefined);
    setSaved(false);
    try {
      await useChatbotsStore.getState().updateSettings({
        compliance: {
          optOutConfirmation: optOut.trim() === '' ? null : optOut,
          optInConfirmation: optIn.trim() === '' ? null : optIn,
        },
      });
      setSaved(true);
    } catch (failure) {
      setError(errorMessage(failure));
    }
  };
  return (
    <form
      className="confirmations-form"
      aria-label="STOP and START confirmations"
      onSubmit={(event) => void onSubmit(event)}
    >
      <h3>STOP and START</h3>
      <p className="muted">
        STOP, UNSUBSCRIBE, START and their Spanish, Portuguese, Hindi and Indonesian equivalents always work,
        even when the bot is off. Leave these empty to confirm in the customer&apos;s language.
      </p>
      <div className="form-field">
        <label htmlFor={optOutId}>Opt-out confirmation</label>
        <textarea
          id={optOutId}
          rows={2}
          value={optOut}
          maxLength={botMessageLimits.textBody}
          onChange={(event) => setOptOut(event.target.value)}
        />
      </div>
      <div className="form-field">
        <label htmlFor={optInId}>Opt-in confirmation</label>
        <textarea
          id={optInId}
          rows={2}
          value={optIn}
          maxLength={botMessageLimits.textBody}
          onChange={(event) => setOptIn(event.target.value)}
        />
      </div>
      {error ? (
        <p className="form-error multiline" role="alert">
          {error}
        </p>
      ) : null}
      {saved ? (
        <p className="form-ok" role="status">
          Confirmations saved.
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit">Save confirmations</button>
      </div>
    </form>
  );
}

export function BotSettingsPanel({ bot }: { bot: BotView }) {
  return (
    <section className="bot-settings" aria-label="Hours and compliance">
      <HoursForm key={`hours:${bot.id}`} bot={bot} />
      <ConfirmationsForm key={`compliance:${bot.id}`} bot={bot} />
    </section>
  );
}
