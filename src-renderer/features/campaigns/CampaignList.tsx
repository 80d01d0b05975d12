// The campaign list: status and a progress bar per campaign, newest first.
import { useEffect } from 'react';
import { useCampaignsStore } from '../../stores/campaigns';
import { openCampaign } from './CampaignsScreen';
import { percent, progressOf, statusLabel } from './format';

export function CampaignList() {
  const list = useCampaignsStore((s) => s.list);
  const loaded = useCampaignsStore((s) => s.loaded);
  const listError = useCampaignsStore((s) => s.listError);
  useEffect(() => {
    void useCampaignsStore.getState().load();
  }, []);
  return (
    <section className="campaigns-screen" aria-labelledby="campaigns-title">
      <header className="campaigns-header">
        <h1 id="campaigns-title">Campaigns</h1>
        <div className="campaigns-actions">
          <button type="button" className="primary" onClick={() => openCampaign('new')}>
            New campaign
          </button>
        </div>
      </header>
      {listError ? (
        <div className="banner error" role="alert">
          {listError}
        </div>
      ) : null}
      {loaded && list.length === 0 ? (
        <p className="muted">No campaigns yet. Create one to send a template to your contacts.</p>
      ) : null}
      <ul className="campaign-list" aria-label="Campaigns">
        {list.map((c) => {
          const progress = progressOf(c.counters);
          return (
            <li key={c.id} className="campaign-item">
              <a href={`#/campaigns/${c.id}`} className="campaign-link">
                <span className="campaign-name">{c.name}</span>
                <span className={`campaign-status status-${c.status}`}>{statusLabel[c.status]}</span>
                <span className="muted">
                  {c.templateName} · {c.counters.total.toLocaleString()} recipients ·{' '}
                  {c.counters.delivered.toLocaleString()} delivered (
                  {percent(c.counters.delivered, c.counters.total)})
                </span>
                <span
                  className="progress"
                  role="progressbar"
                  aria-label={`Progress of ${c.name}`}
                  aria-valuemin={0}
                  aria-valuemax={100}
                  aria-valuenow={Math.round(progress * 100)}
                >
                  <span className="progress-fill" style={{ width: `${progress * 100}%` }} />
                </span>
              </a>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
