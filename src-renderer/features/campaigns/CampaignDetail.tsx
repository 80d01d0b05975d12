// A campaign's detail page: live counters (pushed by `campaigns:counters-changed`), the delivery funnel
// as a plain SVG chart, rates, the actions its state allows, CSV export of the results, retargeting,
// the unconfirmed-resend setting (changeable until the campaign finishes), and a virtualized
// per-recipient table filterable by state, with each failure's advice.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import {
  recipientStates,
  type CampaignView,
  type RecipientState,
  type RetargetKind,
} from '../../../src-preload/campaigns.contract';
import { errorMessage } from '../../lib/api';
import { useCampaignsStore } from '../../stores/campaigns';
import { openCampaign } from './CampaignsScreen';
import { dateTime, percent, progressOf, stateLabel, statusLabel } from './format';
import { ResendSetting } from './ResendSetting';

const ROW_HEIGHT = 44;

function Funnel({ campaign }: { campaign: CampaignView }) {
  const c = campaign.counters;
  const bars = [
    { label: 'Sent', value: c.sent },
    { label: 'Delivered', value: c.delivered },
    { label: 'Read', value: c.read },
    { label: 'Replied', value: c.replied },
    { label: 'Failed', value: c.failed },
  ];
  const max = Math.max(1, c.total);
  const width = 420;
  const barHeight = 26;
  return (
    <svg
      className="funnel"
      role="img"
      aria-label={`Delivery funnel: ${bars.map((b) => `${b.label} ${b.value}`).join(', ')}`}
      viewBox={`0 0 ${width + 160} ${bars.length * (barHeight + 8)}`}
      data-testid="funnel-chart"
    >
      {bars.map((bar, i) => {
        const w = Math.max(bar.value > 0 ? 2 : 0, (bar.value / max) * width);
        const y = i * (barHeight + 8);
        return (
          <g key={bar.label} data-testid={`funnel-${bar.label.toLowerCase()}`} data-value={bar.value}>
            <text x={0} y={y + barHeight * 0.7} className="funnel-label">
              {bar.label}
            </text>
            <rect
              x={80}
              y={y}
              width={w}
              height={barHeight}
              className={`funnel-bar bar-${bar.label.toLowerCase()}`}
            />
            <text x={88 + w} y={y + barHeight * 0.7} className="funnel-value">
              {bar.value.toLocaleString()}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function RecipientsTable() {
  const total = useCampaignsStore((s) => s.recipientsTotal);
  useCampaignsStore((s) => s.pages);
  const scrollRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual returns functions by design; rows re-render from the store.
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  useEffect(() => {
    useCampaignsStore.getState().ensureRows(first, last);
  }, [first, last, total]);
  const store = useCampaignsStore.getState();
  return (
    <div className="recipients-table" role="table" aria-label="Recipients" aria-rowcount={total}>
      <div className="recipients-row recipients-head" role="row">
        <span role="columnheader">Phone</span>
        <span role="columnheader">Name</span>
        <span role="columnheader">State</span>
        <span role="columnheader">Problem and advice</span>
        <span role="columnheader">Updated</span>
      </div>
      <div className="recipients-scroll" ref={scrollRef}>
        <div className="recipients-canvas" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const r = store.recipientAt(item.index);
            return (
              <div
                key={item.key}
                role="row"
                aria-rowindex={item.index + 2}
                className="recipients-row"
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                data-testid={r ? 'recipient-row' : 'recipient-row-loading'}
              >
                <span role="cell">{r?.phone ?? '…'}</span>
                <span role="cell">{r?.name ?? ''}</span>
                <span role="cell" className={r ? `state state-${r.state}` : ''}>
                  {r ? stateLabel[r.state] : ''}
                </span>
                <span role="cell" className="advice" title={r?.errorMessage ?? ''}>
                  {r?.advice ?? r?.errorMessage ?? ''}
                  {r?.retryAfter ? ` Retry from ${dateTime(r.retryAfter)}.` : ''}
                </span>
                <span role="cell">{r ? dateTime(r.statusAt) : ''}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

/**
 * 131049 (Meta's per-user marketing cap): the recipients it held back may be sent again 24 h after their
 * failure. Until the first of them is due the button is disabled and says from when.
 */
function CapRetryButton({ campaign, onRetry }: { campaign: CampaignView; onRetry: () => void }) {
  const { ready, waiting, nextAt } = campaign.capRetry;
  if (ready + waiting === 0 || campaign.status === 'cancelled' || campaign.status === 'failed') return null;
  const when =
    waiting > 0 && nextAt !== null
      ? ready > 0
        ? `${waiting.toLocaleString()} more from ${dateTime(nextAt)}`
        : `available from ${dateTime(nextAt)}`
      : null;
  return (
    <span className="cap-retry">
      <button
        type="button"
        disabled={ready === 0}
        onClick={onRetry}
        {...(when ? { 'aria-describedby': 'cap-retry-when' } : {})}
      >
        Retry {(ready > 0 ? ready : waiting).toLocaleString()} held back by Meta&apos;s marketing cap
      </button>
      {when ? (
        <span id="cap-retry-when" className="muted" data-testid="cap-retry-when">
          {' '}
          ({when})
        </span>
      ) : null}
    </span>
  );
}

export function CampaignDetail({ campaignId }: { campaignId: string }) {
  const campaign = useCampaignsStore((s) => s.detail);
  const detailError = useCampaignsStore((s) => s.detailError);
  const stateFilter = useCampaignsStore((s) => s.stateFilter);
  const exportResult = useCampaignsStore((s) => s.exportResult);
  const exportError = useCampaignsStore((s) => s.exportError);
  const [actionError, setActionError] = useState<string | null>(null);

  useEffect(() => {
    void useCampaignsStore.getState().open(campaignId);
    return () => void useCampaignsStore.getState().open(null);
  }, [campaignId]);

  const run = (fn: () => Promise<unknown>) => {
    setActionError(null);
    fn().catch((e: unknown) => setActionError(errorMessage(e)));
  };
  const retarget = (which: RetargetKind) =>
    run(async () => {
      const created = await useCampaignsStore.getState().retarget(campaignId, which);
      openCampaign(created.id);
    });

  if (!campaign) {
    return (
      <section className="campaigns-screen">
        {detailError ? (
          <div className="banner error" role="alert">
            {detailError}
          </div>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </section>
    );
  }
  const c = campaign.counters;
  const store = useCampaignsStore.getState();
  const progress = progressOf(c);
  return (
    <section className="campaigns-screen" aria-labelledby="campaign-title">
      <header className="campaigns-header">
        <h1 id="campaign-title">{campaign.name}</h1>
        <span className={`campaign-status status-${campaign.status}`} data-testid="campaign-status">
          {statusLabel[campaign.status]}
        </span>
        <div className="campaigns-actions">
          <button type="button" onClick={() => openCampaign(null)}>
            All campaigns
          </button>
        </div>
      </header>
      {campaign.statusReason ? (
        <p className="banner" role="status">
          {campaign.statusReason}
        </p>
      ) : null}
      {campaign.lateSince !== null ? (
        <div className="banner warning" role="alert">
          This campaign was scheduled for {dateTime(campaign.scheduledAt)}, while Bellhop was closed. Send it
          now?
          <button type="button" className="primary" onClick={() => run(() => store.start(campaign.id))}>
            Send now
          </button>
          <button type="button" onClick={() => run(() => store.action('cancel', campaign.id))}>
            Cancel it
          </button>
        </div>
      ) : null}
      {actionError ? (
        <div className="banner error" role="alert">
          {actionError}
        </div>
      ) : null}
      <div className="campaign-toolbar">
        {campaign.status === 'running' ? (
          <button type="button" onClick={() => run(() => store.action('pause', campaign.id))}>
            Pause
          </button>
        ) : null}
        {campaign.status === 'paused' ? (
          <button
            type="button"
            className="primary"
            onClick={() => run(() => store.action('resume', campaign.id))}
          >
            Resume
          </button>
        ) : null}
        {['draft', 'scheduled', 'running', 'paused'].includes(campaign.status) ? (
          <button type="button" onClick={() => run(() => store.action('cancel', campaign.id))}>
            Cancel campaign
          </button>
        ) : null}
        {c.unconfirmed > 0 ? (
          <button type="button" onClick={() => run(() => store.action('resend-unconfirmed', campaign.id))}>
            Resend {c.unconfirmed} unconfirmed (they may get it twice)
          </button>
        ) : null}
        <CapRetryButton
          campaign={campaign}
          onRetry={() => run(() => store.action('retry-capped', campaign.id))}
        />
        <button type="button" onClick={() => void store.exportResults(campaign.id)}>
          Export results (CSV)
        </button>
        {exportResult ? (
          <a
            href={exportResult.downloadUrl}
            download={exportResult.fileName}
            data-testid="campaign-export-download"
          >
            Download {exportResult.fileName} ({exportResult.rows.toLocaleString()} rows)
          </a>
        ) : null}
        {exportError ? <span role="alert">{exportError}</span> : null}
      </div>
      <div className="campaign-stats">
        <div>
          <span
            className="progress"
            role="progressbar"
            aria-label="Progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(progress * 100)}
          >
            <span className="progress-fill" style={{ width: `${progress * 100}%` }} />
          </span>
          <dl className="counters" aria-label="Counters">
            {(
              [
                ['Recipients', c.total],
                ['Sent', c.sent],
                ['Delivered', c.delivered],
                ['Read', c.read],
                ['Replied', c.replied],
                ['Failed', c.failed],
                ['Pending', c.pending + c.sending],
                ['Unconfirmed', c.unconfirmed],
                ['Skipped', c.skipped],
              ] as const
            ).map(([label, value]) => (
              <div key={label} className="counter">
                <dt>{label}</dt>
                <dd data-testid={`counter-${label.toLowerCase()}`}>{value.toLocaleString()}</dd>
              </div>
            ))}
          </dl>
          <p className="rates">
            Delivery rate {percent(c.delivered, c.sent)} · read rate {percent(c.read, c.delivered)} · reply
            rate {percent(c.replied, c.delivered)} · failure rate {percent(c.failed, c.total)}
          </p>
          {campaign.exclusions ? (
            <p className="muted">
              Left out: {campaign.exclusions.optedOut} opted out, {campaign.exclusions.invalid} invalid,{' '}
              {campaign.exclusions.duplicate} duplicate.
            </p>
          ) : null}
        </div>
        <Funnel campaign={campaign} />
      </div>
      <ResendSetting
        key={`${campaign.id}:${campaign.unconfirmedResendAfterMs ?? 'never'}`}
        campaign={campaign}
      />
      <div className="campaign-toolbar" aria-label="Retarget">
        <span>Retarget:</span>
        <button type="button" disabled={c.failed === 0} onClick={() => retarget('failed')}>
          Failed ({c.failed})
        </button>
        <button type="button" disabled={c.delivered === 0} onClick={() => retarget('not_read')}>
          Not read
        </button>
        <button type="button" disabled={c.delivered === 0} onClick={() => retarget('not_replied')}>
          Not replied
        </button>
      </div>
      <label className="state-filter">
        Show
        <select
          value={stateFilter ?? ''}
          onChange={(e) => store.setStateFilter((e.target.value || undefined) as RecipientState | undefined)}
        >
          <option value="">All recipients</option>
          {recipientStates.map((s) => (
            <option key={s} value={s}>
              {stateLabel[s]}
            </option>
          ))}
        </select>
      </label>
      <RecipientsTable />
    </section>
  );
}
