// The notification bell: a mention made by another user shows in the bell (polled unread
// count), the list links to the move, reading it and "Mark all read" clear the count, and
// the settings page turns a kind off.
import { expect, test } from 'vitest';
import { apiAs, BASE_URL, eventually, loginAs, newPage, newUser, shot } from './harness';

// The bell asks every 30 s: give the poll and the notification subscriber time.
const bell = <T>(read: () => Promise<T> | T) => eventually(read, { timeout: 60_000, interval: 200 });

test('a mention shows in the other user’s bell; it links to the move, is read there, and all can be marked read', async () => {
  const coach = await newUser(undefined, 'Coach');
  const pupil = await newUser(undefined, 'Magnus');
  const api = apiAs(coach);
  const workspace = await api.post('/nodes', { kind: 'workspace', name: 'Lessons' });
  const study = (await api.post('/studies', { name: 'Rook endings', parent_id: workspace.id, pgn: '1. e4 e5 2. Nf3 Nc6 *\n' })).studies[0];
  const chapter = await api.get(`/studies/${study.id}/chapters/${study.chapters[0].id}`);
  const e5 = chapter.tree.nodes[chapter.tree.children[0]].children[0];
  await api.post(`/nodes/${study.id}/shares`, { email: pupil.email, role: 'commenter' });

  const page = await newPage();
  await loginAs(page, pupil);
  await page.goto(`${BASE_URL}/`);
  // The share itself is the first notification.
  await bell(() => page.locator('.bell-count').textContent()).toBe('1');
  await api.post('/discussions', { study_id: study.id, chapter_id: chapter.id, move_id: e5, title: 'Why e5?', body: '@Magnus what about 1... c5 here?' });
  await bell(() => page.locator('.bell-count').textContent()).toBe('2');

  await page.click('.bell-button');
  const mention = page.locator('.notification[data-kind="mention"]');
  await mention.waitFor();
  expect(await mention.locator('.notification-summary').textContent()).toBe('Coach mentioned you in “Why e5?”');
  expect(await mention.getAttribute('class')).toContain('is-unread');
  await page.locator('.notification[data-kind="share"]').waitFor();
  await shot(page, 'bell-1280x800');
  await mention.locator('a').click();
  await bell(() => page.url()).toMatch(new RegExp(`^${BASE_URL}/s/${study.id}/${chapter.id}\\?move=${e5}&thread=[0-9a-f-]+$`));
  await page.locator('.study-page[data-loading="false"]').waitFor();
  await bell(() => page.locator('.study-page').getAttribute('data-at')).toBe(e5);
  // The discussion the mention was made in is open.
  await bell(() => page.locator('.thread h3').textContent()).toBe('Why e5?');
  await bell(() => page.locator('.bell-count').textContent()).toBe('1');

  await page.click('.bell-button');
  await page.locator('.notification.is-unread[data-kind="share"]').waitFor();
  await page.click('.bell-panel .mark-all');
  await bell(() => page.locator('.bell-count').count()).toBe(0);
  expect(await page.locator('.notification.is-unread').count()).toBe(0);
  const server = await apiAs(pupil).get('/notifications/unread-count');
  expect(server.unread_count).toBe(0);

  // Preferences: from the bell to the settings page; mentions off.
  await page.click('.bell-panel .bell-foot');
  await bell(() => page.url()).toBe(`${BASE_URL}/settings`);
  const box = page.locator('input[name="notify-mention"]');
  await bell(() => box.isChecked()).toBe(true);
  await box.uncheck();
  await bell(async () => (await apiAs(pupil).get('/me/notification-preferences')).kinds.mention).toBe(false);
  await shot(page, 'settings-1280x800');
});
