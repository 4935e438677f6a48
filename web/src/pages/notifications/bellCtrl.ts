import { api, newAction } from '../../api';
import { Controller } from '../../ctrl';
import { navigate } from '../../router';
import { errorMessage, notifyError } from '../../ui';
import { type NotificationPage, type NotificationRead, notificationHref } from './notifications';

/** How often the unread count is asked while the tab is visible. */
export const POLL_MS = 30_000;
export const LIST_SIZE = 20;

/**
 * The header's bell. The unread count is polled (GET /notifications/unread-count every
 * 30 s while the tab is visible, and at once when it becomes visible again or the list is
 * opened): one indexed count per tab per 30 s, no long-lived connection per open tab, no
 * reconnect-and-resume logic, and it works through any proxy. GET /me/stream would be
 * instant; a bell can wait half a minute.
 */
export class BellCtrl extends Controller {
  unread = 0;
  open = false;
  items: NotificationRead[] = [];
  loading = false;
  error: string | null = null;
  private timer: ReturnType<typeof setInterval> | undefined;
  private alive = true;
  private readonly onVisible = () => {
    if (!document.hidden) void this.refreshCount();
  };

  constructor() {
    super();
    void this.refreshCount();
    this.timer = setInterval(() => !document.hidden && void this.refreshCount(), POLL_MS);
    document.addEventListener('visibilitychange', this.onVisible);
    window.addEventListener('focus', this.onVisible);
  }

  dispose(): void {
    this.alive = false;
    clearInterval(this.timer);
    document.removeEventListener('visibilitychange', this.onVisible);
    window.removeEventListener('focus', this.onVisible);
  }

  async refreshCount(): Promise<void> {
    try {
      const { data } = await api<{ unread_count: number }>('GET', '/notifications/unread-count');
      if (!this.alive || data.unread_count === this.unread) return;
      this.unread = data.unread_count;
      // A new one while the list is open: show it.
      if (this.open) void this.loadList();
      this.changed();
    } catch {
      // The next poll tries again; a 401 has already ended the session (api.ts).
    }
  }

  toggle(): void {
    this.open = !this.open;
    if (this.open) void this.loadList();
    this.changed();
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.changed();
  }

  async loadList(): Promise<void> {
    this.loading = true;
    this.changed();
    try {
      const { data } = await api<NotificationPage>('GET', '/notifications', { query: { limit: LIST_SIZE } });
      if (!this.alive) return;
      this.items = data.items;
      this.unread = data.unread_count;
      this.error = null;
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      this.loading = false;
      this.changed();
    }
  }

  /** Open the place it is about, marking it read on the way. */
  async follow(n: NotificationRead): Promise<void> {
    this.open = false;
    navigate(notificationHref(n));
    this.changed();
    if (n.read_at) return;
    await this.markRead({ ids: [n.id] });
  }

  /** Everything up to the newest one listed (one made since stays unread). */
  async markAllRead(): Promise<void> {
    const newest = this.items[0];
    if (newest) await this.markRead({ up_to: newest.id });
  }

  private async markRead(body: { ids: string[] } | { up_to: string }): Promise<void> {
    try {
      const { data } = await api<{ marked: string[]; unread_count: number }>('POST', '/notifications/read', { body, action: newAction() });
      if (!this.alive) return;
      const marked = new Set(data.marked);
      const now = new Date().toISOString();
      this.items = this.items.map((n) => (marked.has(n.id) && !n.read_at ? { ...n, read_at: now } : n));
      this.unread = data.unread_count;
      this.changed();
    } catch (error) {
      notifyError(error);
    }
  }
}
