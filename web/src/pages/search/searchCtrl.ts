import { api } from '../../api';
import type { NodeRead, Page } from '../../model';
import { navigate } from '../../router';
import { PagedCtrl } from '../paged';
import { type HeaderFilter, type SearchFilters, type SearchHit, type SearchKind, filtersFromSearch, hasCriteria, searchParams, searchPath } from './query';

export const PAGE_SIZE = 20;

/** The /search page: the filters of its URL, the hits, "More results" by cursor. */
export class SearchCtrl extends PagedCtrl<SearchHit> {
  /** What the form shows (edited); `asked` is what the URL asked and the hits answer. */
  form: SearchFilters;
  readonly asked: SearchFilters;
  /** The node `under` names, once read (for the "in …" chip). */
  underNode: NodeRead | null = null;

  constructor(search: string) {
    super();
    this.asked = filtersFromSearch(search);
    this.form = { ...this.asked, kinds: [...this.asked.kinds] };
    if (hasCriteria(this.asked)) void this.load();
    if (this.asked.under) void this.loadUnder(this.asked.under);
  }

  private async loadUnder(id: string): Promise<void> {
    try {
      this.underNode = (await api<NodeRead>('GET', `/nodes/${id}`)).data;
      this.changed();
    } catch {
      // The search itself says what is wrong (404 for a node you may not read).
    }
  }

  /** Search everywhere again, keeping the words and filters. */
  everywhere(): void {
    this.form = { ...this.form, under: '' };
    this.submit();
  }

  get hasCriteria(): boolean {
    return hasCriteria(this.asked);
  }

  set(field: 'q' | HeaderFilter, value: string): void {
    this.form[field] = value;
    this.changed();
  }

  /** Show only these kinds (none: all); applies at once. */
  toggleKind(kind: SearchKind): void {
    const kinds = this.form.kinds.includes(kind) ? this.form.kinds.filter((k) => k !== kind) : [...this.form.kinds, kind];
    this.form = { ...this.form, kinds };
    this.submit();
  }

  submit(): void {
    navigate(searchPath(this.form));
  }

  protected async fetchPage(cursor: string | null): Promise<Page<SearchHit>> {
    return (await api<Page<SearchHit>>('GET', '/search', { query: { ...searchParams(this.asked), limit: PAGE_SIZE, cursor } })).data;
  }
}
