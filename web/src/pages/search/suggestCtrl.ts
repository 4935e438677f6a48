import { api } from '../../api';
import { Controller } from '../../ctrl';
import type { Page } from '../../model';
import { navigate } from '../../router';
import { errorMessage } from '../../ui';
import { type SearchHit, type SearchKind, emptyFilters, groupByKind, hitHref, searchPath } from './query';

/** Wait this long after the last keystroke before asking (search as you type). */
export const DEBOUNCE_MS = 200;
export const MIN_CHARS = 2;
export const SUGGESTIONS = 10;

/** The header's search box: suggestions as you type, arrows to choose, Enter to open. */
export class SuggestCtrl extends Controller {
  text = '';
  open = false;
  groups: [SearchKind, SearchHit[]][] = [];
  /** Index in `hits` (kind order) of the highlighted suggestion; -1: the full search. */
  active = -1;
  loading = false;
  error: string | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Only the answer to the latest request counts (an older one may arrive last). */
  private asked = 0;

  get hits(): SearchHit[] {
    return this.groups.flatMap(([, hits]) => hits);
  }

  input(text: string): void {
    this.text = text;
    this.open = true;
    this.active = -1;
    clearTimeout(this.timer);
    const q = text.trim();
    if (q.length < MIN_CHARS) {
      this.asked++;
      this.groups = [];
      this.loading = false;
      this.error = null;
    } else {
      this.loading = true;
      this.timer = setTimeout(() => void this.fetch(q), DEBOUNCE_MS);
    }
    this.changed();
  }

  private async fetch(q: string): Promise<void> {
    const asked = ++this.asked;
    try {
      const { data } = await api<Page<SearchHit>>('GET', '/search', { query: { q, prefix: true, limit: SUGGESTIONS } });
      if (asked !== this.asked) return;
      this.groups = groupByKind(data.items);
      this.error = null;
    } catch (error) {
      if (asked !== this.asked) return;
      this.groups = [];
      this.error = errorMessage(error);
    }
    this.loading = false;
    this.changed();
  }

  /** Arrow keys: through the suggestions, then back to the full search (-1). */
  move(delta: 1 | -1): void {
    const count = this.hits.length;
    this.open = true;
    if (count === 0) return;
    const next = this.active + delta;
    this.active = next < -1 ? count - 1 : next >= count ? -1 : next;
    this.changed();
  }

  /** Enter: the highlighted suggestion, else the results page of the words. */
  choose(): void {
    const hit = this.hits[this.active];
    const q = this.text.trim();
    if (!hit && !q) return;
    navigate(hit ? hitHref(hit) : searchPath({ ...emptyFilters(), q }));
    this.close(true);
  }

  close(clear = false): void {
    clearTimeout(this.timer);
    this.open = false;
    this.active = -1;
    if (clear) {
      this.asked++;
      this.text = '';
      this.groups = [];
      this.loading = false;
    }
    this.changed();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.asked++;
  }
}
