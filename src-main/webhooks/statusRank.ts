// Statuses move only forward (whatsapp-cloud-api.md §6): sent < delivered < read < played, and failed
// is terminal. Duplicated and reordered status webhooks are therefore harmless: a late `delivered` never
// overwrites `read`. The SQL mirror of this order is `statusRankSql` below.
export type DeliveryStatus =
  'pending' | 'accepted' | 'unknown' | 'sent' | 'delivered' | 'read' | 'played' | 'failed';

const rank: Record<DeliveryStatus, number> = {
  pending: 0,
  accepted: 1,
  unknown: 1,
  sent: 2,
  delivered: 3,
  read: 4,
  played: 5,
  failed: 9,
};

export function statusRank(status: DeliveryStatus): number {
  return rank[status];
}

/** Whether a row in `current` may move to `next`. `failed` wins only over states before delivery. */
export function canMove(current: DeliveryStatus, next: DeliveryStatus): boolean {
  if (current === 'failed') return false;
  if (next === 'failed') return rank[current] < rank.delivered;
  return rank[current] < rank[next];
}

export const statusRankSql = (column: string): string =>
  `CASE ${column} WHEN 'pending' THEN 0 WHEN 'accepted' THEN 1 WHEN 'unknown' THEN 1 WHEN 'sent' THEN 2 ` +
  `WHEN 'delivered' THEN 3 WHEN 'read' THEN 4 WHEN 'played' THEN 5 WHEN 'failed' THEN 9 ELSE 0 END`;
