import { Controller } from '../ctrl';
import type { Page } from '../model';
import { errorMessage } from '../ui';

/** A list read page by page from a cursor API ("More results"): the pages' shared state. */
export abstract class PagedCtrl<T> extends Controller {
  items: T[] = [];
  nextCursor: string | null = null;
  loading = false;
  loadingMore = false;
  error: string | null = null;
  private alive = true;

  /** One page of the list: the first without a cursor. */
  protected abstract fetchPage(cursor: string | null): Promise<Page<T>>;

  dispose(): void {
    this.alive = false;
  }

  /** The first page (replacing the list), or the page at `cursor` (appended). */
  async load(cursor: string | null = null): Promise<void> {
    if (cursor) this.loadingMore = true;
    else this.loading = true;
    this.changed();
    try {
      const page = await this.fetchPage(cursor);
      if (!this.alive) return;
      this.items = cursor ? [...this.items, ...page.items] : page.items;
      this.nextCursor = page.next_cursor;
      this.error = null;
    } catch (error) {
      if (!this.alive) return;
      this.error = errorMessage(error);
    } finally {
      this.loading = false;
      this.loadingMore = false;
      this.changed();
    }
  }

  more(): Promise<void> {
    return this.nextCursor && !this.loadingMore ? this.load(this.nextCursor) : Promise.resolve();
  }
}
