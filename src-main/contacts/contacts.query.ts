// The contacts screen's reads, served on the query worker's read-only connection (contactsWorker.ts):
// counting or searching 200,000 contacts scans the table, which must not stall the main thread. Pages are
// fetched by offset (the virtualized table jumps anywhere), but the page after one already served is read
// with keyset paging from that page's last row, so scrolling never pays OFFSET's cost of skipping rows.
import type {
  ContactFacets,
  ContactFilter,
  ContactSort,
  ContactsPage,
} from '../../src-preload/contacts.contract';
import { anchorOf, toContact, type ContactsRepo, type PageAnchor } from './contacts.repo';

export interface PageRequest {
  workspaceId: string;
  filter: ContactFilter;
  sort: ContactSort;
  offset: number;
  limit: number;
  withTotal: boolean;
}

const MAX_ANCHORS = 5000;

export class ContactsQueries {
  /** `${workspace}|${filter}|${sort}|${offset}` → the row just before that offset. */
  private readonly anchors = new Map<string, PageAnchor>();
  private readonly facets = new Map<string, ContactFacets>();

  constructor(private readonly repo: ContactsRepo) {}

  private anchorKey(request: Omit<PageRequest, 'limit' | 'withTotal'>, offset: number): string {
    return `${request.workspaceId}|${JSON.stringify(request.filter)}|${request.sort}|${offset}`;
  }

  page(request: PageRequest): ContactsPage {
    const anchor = request.offset > 0 ? this.anchors.get(this.anchorKey(request, request.offset)) : undefined;
    const rows = this.repo.page(
      request.workspaceId,
      request.filter,
      request.sort,
      request.limit,
      anchor ? { anchor } : { offset: request.offset },
    );
    const last = rows[rows.length - 1];
    if (last) {
      if (this.anchors.size >= MAX_ANCHORS) this.anchors.clear();
      this.anchors.set(this.anchorKey(request, request.offset + rows.length), anchorOf(request.sort, last));
    }
    const page: ContactsPage = {
      workspaceId: request.workspaceId,
      offset: request.offset,
      rows: rows.map(toContact),
    };
    if (request.withTotal) page.total = this.repo.count(request.workspaceId, request.filter);
    return page;
  }

  facetsOf(workspaceId: string): ContactFacets {
    const cached = this.facets.get(workspaceId);
    if (cached) return cached;
    const facets: ContactFacets = {
      workspaceId,
      tags: this.repo.tagCounts(workspaceId, 500),
      attributeKeys: this.repo.attributeKeys(workspaceId, 500),
      total: this.repo.countInWorkspace(workspaceId),
      optedOut: this.repo.optedOutCount(workspaceId),
    };
    this.facets.set(workspaceId, facets);
    return facets;
  }

  /** Contacts changed: anchors may now skip or repeat rows, and facets are stale. */
  invalidate(workspaceId: string): void {
    for (const key of this.anchors.keys()) if (key.startsWith(workspaceId + '|')) this.anchors.delete(key);
    this.facets.delete(workspaceId);
  }
}
