import { api } from '../../api';
import type { Page } from '../../model';
import { navigate } from '../../router';
import { PagedCtrl } from '../paged';
import { type HeaderFilter, type SearchFilters, type SearchHit, type SearchKind, filtersFromSearch, hasCriteria, searchParams, searchPath } from './query';

export const PAGE_SIZE = 20;

/** The /search page: the filters of its URL, the hits, "More results" by cursor. */
export class SearchCtrl extends PagedCtrl<SearchHit> {
  /** What the form shows (edited); `asked` is what the URL asked and the hits answer. */
  form: SearchFilters;
  readonly asked: SearchFilters;

  constructor(search: string) {
    super();
    this.asked = filtersFromSearch(search);
    this.form = { ...this.asked, kinds: [...this.asked.kinds] };
    if (hasCriteria(this.asked)) void this.load();
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
