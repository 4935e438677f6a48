import { expect, test } from 'vitest';
import { ago, notificationHref, type NotificationRead } from '../../src/pages/notifications/notifications';

const notification = (link: NotificationRead['link'], node_id: string | null = null): NotificationRead => ({
  id: 'n1',
  kind: 'mention',
  summary: 's',
  actor_id: null,
  node_id,
  workspace_id: null,
  link,
  event_id: 'e1',
  created_at: '2026-11-30T06:00:00Z',
  read_at: null,
});

test('a notification opens the study at its chapter and move, or the node shared', () => {
  expect(notificationHref(notification({ study_id: 's1', chapter_id: 'c1', move_id: 'm1', thread_id: 't1' }))).toBe('/s/s1/c1?move=m1&thread=t1');
  expect(notificationHref(notification({ study_id: 's1', chapter_id: null, move_id: null }))).toBe('/s/s1');
  expect(notificationHref(notification({ study_id: 's1', chapter_id: null, move_id: null, thread_id: 't2' }))).toBe('/s/s1?thread=t2');
  expect(notificationHref(notification({ node_id: 'f1', role: 'viewer' }))).toBe('/n/f1');
  expect(notificationHref(notification({}, 'f2'))).toBe('/n/f2');
});

test('times in the bell are short', () => {
  const now = Date.parse('2026-11-30T06:00:00Z');
  expect(ago('2026-11-30T05:59:30Z', now)).toBe('just now');
  expect(ago('2026-11-30T05:45:00Z', now)).toBe('15 min ago');
  expect(ago('2026-11-30T03:00:00Z', now)).toBe('3 h ago');
});
