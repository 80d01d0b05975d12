// The Templates screen's filtering and "last synced" figure: pure, so the store and tests share them.
import type { TemplateView } from '../../../src-preload/messaging.contract';

export interface TemplateFilters {
  status: string;
  category: string;
  quality: string;
  language: string;
  search: string;
  showDeleted: boolean;
}

export const emptyFilters: TemplateFilters = {
  status: '',
  category: '',
  quality: '',
  language: '',
  search: '',
  showDeleted: false,
};

export function templateKey(t: Pick<TemplateView, 'name' | 'language'>): string {
  return `${t.name}/${t.language}`;
}

/** The templates the filters let through, in the server's order (name, language). */
export function filterTemplates(templates: TemplateView[], filters: TemplateFilters): TemplateView[] {
  const needle = filters.search.trim().toLowerCase();
  return templates.filter(
    (t) =>
      (filters.showDeleted || t.status !== 'DELETED') &&
      (!filters.status || t.status === filters.status) &&
      (!filters.category || t.category === filters.category) &&
      (!filters.quality || (t.qualityScore ?? 'UNKNOWN') === filters.quality) &&
      (!filters.language || t.language === filters.language) &&
      (!needle || t.name.includes(needle) || JSON.stringify(t.components).toLowerCase().includes(needle)),
  );
}

/** When the connection's templates were last synced: the newest row stamp or sync event. */
export function lastSyncedAt(templates: TemplateView[], lastEventAt: number | null): number | null {
  let latest = lastEventAt;
  for (const t of templates)
    if (t.syncedAt !== null && (latest === null || t.syncedAt > latest)) latest = t.syncedAt;
  return latest;
}
