// Notifications without the DOM: the API's shape and where one opens.
import { paths } from '../../router';

export type NotificationKind = 'mention' | 'reply' | 'move_comment' | 'share';

export interface NotificationRead {
  id: string;
  kind: NotificationKind;
  summary: string;
  actor_id: string | null;
  node_id: string | null;
  workspace_id: string | null;
  /** study_id, chapter_id, move_id, thread_id, post_id (discussions); node_id, role (shares). */
  link: Record<string, string | null | undefined>;
  event_id: string;
  created_at: string;
  read_at: string | null;
}

export interface NotificationPage {
  items: NotificationRead[];
  next_cursor: string | null;
  unread_count: number;
}

/** The place a notification is about: the study at the chapter and move with the discussion
 * open, or the shared node. */
export function notificationHref(n: NotificationRead): string {
  const { study_id, chapter_id, move_id, node_id, thread_id } = n.link;
  if (study_id) return paths.study(study_id, chapter_id ?? undefined, move_id ?? undefined, thread_id ?? undefined);
  const node = node_id ?? n.node_id;
  // /n/<id> opens a study on its own page too.
  return node ? paths.node(node) : paths.home();
}

/** "3 min ago", "2 h ago", else the date: short enough for the bell's list. */
export function ago(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}
