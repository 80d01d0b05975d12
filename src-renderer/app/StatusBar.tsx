import type { ComponentState, Health } from '../../src-preload/contract';
import { useAppStore } from '../stores/app';

const labels: Record<keyof Omit<Health, 'details'>, string> = {
  database: 'Database',
  queue: 'Queue',
  connection: 'WhatsApp',
  tunnel: 'Tunnel',
};

const stateWords: Record<ComponentState, string> = {
  ok: 'OK',
  degraded: 'Degraded',
  down: 'Down',
  off: 'Off',
};

export function StatusBar() {
  const health = useAppStore((s) => s.health);
  if (!health) return <footer className="status-bar" role="status" aria-label="Status" />;
  return (
    <footer className="status-bar" role="status" aria-label="Status">
      {(Object.keys(labels) as (keyof typeof labels)[]).map((key) => (
        <span
          key={key}
          className={`status-item state-${health[key]}`}
          title={health.details[key] ?? ''}
          data-testid={`status-${key}`}
        >
          <span className="dot" aria-hidden="true" />
          {labels[key]}: {stateWords[health[key]]}
        </span>
      ))}
    </footer>
  );
}
