// Live studies end to end (issue 13), in real Chromium against a real server: two people
// on one study; what one does appears on the other's page within seconds without a
// reload, the other keeps their place and their half-typed comment, both see each other
// in the presence list, and losing access is said clearly.

import type { Page } from 'playwright-core';
import { beforeAll, expect, test } from 'vitest';
import { apiAs, BASE_URL, eventually, loginAs, newPage, newUser, shot, type TestUser } from './harness';
import { play, step } from './studyPage';

const PGN = '[Event "Live"]\n[White "A"]\n[Black "B"]\n\n1. e4 e5 2. Nf3 Nc6 3. Bb5 a6 *\n';
// Live means seconds, not a reload: generous only for the machine's load.
const soon = <T>(read: () => Promise<T> | T, timeout = 10_000) => eventually(read, { timeout, interval: 50 });

let owner: TestUser;
let editor: TestUser;
let studyId: string;
let chapterId: string;

const studyPage = (page: Page) => page.locator('.study-page');
const moveIn = (page: Page, san: string) => page.locator('.moves .move', { has: page.locator('.san', { hasText: new RegExp(`^${san}$`) }) });
const viewer = (page: Page, user: TestUser) => page.locator(`.presence .viewer[data-user="${user.id}"]`);

async function open(user: TestUser): Promise<Page> {
  const page = await newPage();
  await loginAs(page, user);
  await page.goto(`${BASE_URL}/s/${studyId}/${chapterId}`);
  await page.locator('.study-page[data-loading="false"]').waitFor();
  await page.locator('.cg-wrap piece').first().waitFor();
  await page.locator('.live-bar[data-live="live"]').waitFor();
  return page;
}

beforeAll(async () => {
  owner = await newUser(undefined, 'Olga Owner');
  editor = await newUser(undefined, 'Eddie Editor');
  const api = apiAs(owner);
  const workspace = await api.post('/nodes', { kind: 'workspace', name: 'Live' });
  const created = await api.post('/studies', { name: 'Ruy Lopez, live', parent_id: workspace.id, pgn: PGN });
  studyId = created.studies[0].id;
  chapterId = created.studies[0].chapters[0].id;
  await api.post(`/nodes/${studyId}/shares`, { email: editor.email, role: 'editor' });
});

test("a move played on one page appears on the other within seconds; the other keeps its place and its text", async () => {
  const first = await open(owner);
  const second = await open(editor);
  // Presence: each page lists the other person (and itself).
  await viewer(first, editor).waitFor({ timeout: 10_000 });
  await viewer(second, owner).waitFor({ timeout: 10_000 });
  expect(await viewer(second, owner).getAttribute('title')).toContain('Olga Owner');

  // The second page stands on 2.Nf3 with a comment half typed.
  await step(second, 'ArrowRight', 3);
  const place = await studyPage(second).getAttribute('data-at');
  await second.click('.board-controls .comment-button');
  await second.fill('.comment-editor textarea', 'half-typed: the Berlin');
  const versionBefore = Number(await studyPage(second).getAttribute('data-version'));

  await step(first, 'End', 1);
  expect((await play(first, 'b5', 'a4')).status()).toBe(201);
  const sent = Date.now();
  await moveIn(second, 'Ba4').waitFor({ timeout: 5_000 });
  const delay = Date.now() - sent;
  expect(delay).toBeLessThan(5_000);
  await soon(() => second.locator('.live-notice').textContent()).toContain('Olga Owner added the move Ba4');
  expect(Number(await studyPage(second).getAttribute('data-version'))).toBe(versionBefore + 1);
  expect(await studyPage(second).getAttribute('data-at')).toBe(place);
  expect(await second.inputValue('.comment-editor textarea')).toBe('half-typed: the Berlin');
  // The author's own page shows its move once.
  expect(await moveIn(first, 'Ba4').count()).toBe(1);
  await shot(second, 'live-two-pages');

  // A chapter renamed and one added on the first page appear in the second's list.
  await apiAs(owner).post(`/studies/${studyId}/chapters`, { fen: '8/8/8/8/8/8/8/K6k w - - 0 1', name: 'Endgame drill' });
  await soon(() => second.locator('.chapters li.chapter').count()).toBe(2);

  // The first page closes: it leaves the second's presence list at once (its goodbye).
  await first.close({ runBeforeUnload: true });
  await soon(() => viewer(second, owner).count()).toBe(0);
});

test('a member whose access is revoked is told so on the open page', async () => {
  const guest = await newUser(undefined, 'Gina Guest');
  await apiAs(owner).post(`/nodes/${studyId}/shares`, { email: guest.email, role: 'viewer' });
  const page = await open(guest);
  await apiAs(owner).delete(`/nodes/${studyId}/shares/${guest.id}`);
  await page.locator('.flash.error', { hasText: 'Your access to this study was removed' }).waitFor({ timeout: 10_000 });
  await soon(() => page.locator('.live-bar').getAttribute('data-live')).toBe('ended');
});
