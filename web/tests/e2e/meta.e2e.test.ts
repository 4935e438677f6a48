// Issue 16 on the study page, in real Chromium against a real server: descriptions in
// Markdown rendered inert (a <script> stays text), a tag edited and found in the exported
// PGN (and a bad tag refused with the API's words), the star, a reader cloning a study
// into their own workspace, chapters moved to another study.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { apiAs, loginAs, newPage, newUser, shot, type TestUser } from './harness';
import { eventually, openStudy } from './studyPage';

const GAME = '[Event "Casual"]\n[Site "?"]\n[Date "2026.11.30"]\n[Round "?"]\n[White "Anand"]\n[Black "Topalov"]\n[Result "*"]\n\n1. e4 e5 2. Nf3 Nc6 *\n';

async function studyWith(user: TestUser, name: string, pgn: string): Promise<{ id: string; chapterId: string; workspaceId: string }> {
  const api = apiAs(user);
  const workspace = await api.post('/nodes', { kind: 'workspace', name: `${name} workspace` });
  const created = await api.post('/studies', { name, parent_id: workspace.id, pgn });
  return { id: created.studies[0].id, chapterId: created.studies[0].chapters[0].id, workspaceId: workspace.id };
}

async function tab(page: Page, name: string): Promise<void> {
  await page.getByRole('tab', { name }).click();
}

async function download(page: Page, click: () => Promise<void>): Promise<string> {
  const file = page.waitForEvent('download');
  await click();
  const target = join(mkdtempSync(join(tmpdir(), 'cc-pgn-')), 'export.pgn');
  await (await file).saveAs(target);
  return readFileSync(target, 'utf8');
}

test('a description in Markdown with a <script> renders as formatted text and runs nothing; it is saved with If-Match', async () => {
  const owner = await newUser(undefined, 'Owner');
  const { id, chapterId } = await studyWith(owner, 'Described', GAME);
  const page = await newPage();
  await loginAs(page, owner);
  await openStudy(page, `/s/${id}/${chapterId}`);
  await tab(page, 'About');
  const typed = '# Plan\n\n**Attack** the king <script>window.__pwned = 1</script>\n\n<img src=x onerror="window.__pwned = 2">\n\n[bad](javascript:window.__pwned=3) and [good](https://example.org)';
  const patch = page.waitForRequest((r) => r.method() === 'PATCH' && r.url().endsWith(`/nodes/${id}`));
  await page.locator('.study-description .edit-description').click();
  await page.fill('.study-description-editor textarea', typed);
  await page.click('.study-description-editor button[type=submit]');
  expect((await patch).headers()['if-match']).toBe('"1"');
  const shown = page.locator('.study-description .markdown');
  await shown.waitFor();
  expect(await shown.locator('h1').textContent()).toBe('Plan');
  expect(await shown.locator('strong').textContent()).toBe('Attack');
  expect(await shown.textContent()).toContain('<script>window.__pwned = 1</script>');
  expect(await shown.locator('script, img, [onerror]').count()).toBe(0);
  expect(await shown.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(['https://example.org']);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect((await apiAs(owner).get(`/nodes/${id}`)).description).toBe(typed);

  // The chapter's own description, and both survive a reload.
  await page.locator('.chapter-description .edit-description').click();
  await page.fill('.chapter-description-editor textarea', 'Anand’s *favourite* line');
  await page.click('.chapter-description-editor button[type=submit]');
  await eventually(() => page.locator('.chapter-description .markdown em').textContent()).toBe('favourite');
  await page.reload();
  await page.locator('.study-page[data-loading="false"]').waitFor();
  await tab(page, 'About');
  expect(await page.locator('.study-description .markdown h1').textContent()).toBe('Plan');
  expect(await page.locator('.chapter-description .markdown em').textContent()).toBe('favourite');
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await shot(page, 'study-about-1280x800');
});

test('a tag edited in the tag editor is in the exported PGN; a bad date is refused with the API’s reason and the edit kept', async () => {
  const owner = await newUser(undefined, 'Owner');
  const { id, chapterId } = await studyWith(owner, 'Tagged', GAME);
  const page = await newPage();
  await loginAs(page, owner);
  await openStudy(page, `/s/${id}/${chapterId}`);
  await tab(page, 'About');
  await page.locator('.edit-tags').click();
  await page.fill('.tag-editor tr[data-tag="White"] input[name=value]', 'Carlsen');
  await page.click('.tag-editor .add-tag');
  await page.locator('.tag-editor input[name=tag]').last().fill('Annotator');
  await page.locator('.tag-editor input[name=value]').last().fill('Ana');
  await page.fill('.tag-editor tr[data-tag="Date"] input[name=value]', 'yesterday');
  await page.click('.tag-editor button[type=submit]');
  const error = page.locator('.tag-editor .form-error');
  await error.waitFor();
  expect(await error.textContent()).toMatch(/Date/);
  expect(await page.inputValue('.tag-editor tr[data-tag="White"] input[name=value]')).toBe('Carlsen');

  await page.fill('.tag-editor tr[data-tag="Date"] input[name=value]', '2026.12.01');
  await page.click('.tag-editor button[type=submit]');
  await page.locator('.tag-editor').waitFor({ state: 'detached' });
  await eventually(() => page.locator('.tags tr[data-tag="White"] td').textContent()).toBe('Carlsen');
  expect(await page.locator('.tags tr[data-tag="Annotator"] td').textContent()).toBe('Ana');

  await page.click('.study-actions .export-button');
  // The options are the ones the server's OpenAPI declares for the export (at least comments).
  await page.locator('.export-dialog [name=comments]').waitFor();
  await page.locator('.export-dialog input[name=scope]').nth(1).check();
  await shot(page, 'study-export-1280x800');
  const pgn = await download(page, () => page.click('.export-download'));
  expect(pgn).toContain('[White "Carlsen"]');
  expect(pgn).toContain('[Annotator "Ana"]');
  expect(pgn).toContain('[Date "2026.12.01"]');
  expect(pgn).toContain('1. e4 e5 2. Nf3 Nc6');

  // An export switch the server declares: headers=roster keeps the Seven Tag Roster only.
  await page.locator('.export-dialog select[name=headers]').selectOption('roster');
  const roster = await download(page, () => page.click('.export-download'));
  expect(roster).toContain('[White "Carlsen"]');
  expect(roster).not.toContain('[Annotator');
});

test('the star: on, counted, kept over a reload, and off again (390x844)', async () => {
  const owner = await newUser(undefined, 'Owner');
  const fan = await newUser(undefined, 'Fan');
  const { id } = await studyWith(owner, 'Starred', GAME);
  await apiAs(owner).post(`/nodes/${id}/shares`, { email: fan.email, role: 'viewer' });
  const page = await newPage({ viewport: { width: 390, height: 844 } });
  await loginAs(page, fan);
  await openStudy(page, `/s/${id}`);
  const star = page.locator('.study-actions .star-button');
  expect(await star.getAttribute('aria-pressed')).toBe('false');
  const before = Number(await star.locator('.star-count').textContent());
  await star.click();
  await eventually(() => star.getAttribute('aria-pressed')).toBe('true');
  expect(Number(await star.locator('.star-count').textContent())).toBe(before + 1);
  await tab(page, 'About');
  await shot(page, 'study-meta-390x844');
  await page.reload();
  await page.locator('.study-page[data-loading="false"]').waitFor();
  expect(await star.getAttribute('aria-pressed')).toBe('true');
  expect((await apiAs(fan).get('/users/me/starred')).items.map((s: { id: string }) => s.id)).toEqual([id]);
  await star.click();
  await eventually(() => star.getAttribute('aria-pressed')).toBe('false');
  expect(Number(await star.locator('.star-count').textContent())).toBe(before);
});

test('a viewer clones the study into their own workspace and lands on the copy', async () => {
  const owner = await newUser(undefined, 'Owner');
  const reader = await newUser(undefined, 'Reader');
  const { id } = await studyWith(owner, 'Openings', `${GAME}\n[Event "Two"]\n\n1. d4 d5 *\n`);
  await apiAs(owner).post(`/nodes/${id}/shares`, { email: reader.email, role: 'viewer' });
  const mine = await apiAs(reader).post('/nodes', { kind: 'workspace', name: 'My repertoire' });
  const page = await newPage();
  await loginAs(page, reader);
  await openStudy(page, `/s/${id}`);
  // A viewer reads the history but is offered no undo, restore or chapter restore.
  await tab(page, 'History');
  await page.locator('.history .version').first().waitFor();
  expect(await page.locator('.history .undo, .history .restore-version, .history .restore-chapter, .board-controls .undo-button').count()).toBe(0);
  await page.click('.study-actions .clone-button');
  const dialog = page.getByRole('dialog');
  await dialog.locator(`.move-folder[data-node="${mine.id}"]`).click();
  await dialog.locator('input[name=clone-name]').fill('Openings (mine)');
  await shot(page, 'study-clone-1280x800');
  await dialog.locator('.clone-here').click();
  await eventually(() => page.locator('.study-head h1').textContent()).toBe('Openings (mine)');
  await page.locator('.study-page[data-loading="false"]').waitFor();
  expect(await page.locator('.study-head .role').textContent()).toBe('owner');
  expect(await page.locator('.chapters li.chapter').count()).toBe(2);
  const children = await apiAs(reader).get(`/nodes/${mine.id}/children`);
  expect(children.items.map((n: { name: string }) => n.name)).toEqual(['Openings (mine)']);
  expect(page.url()).toContain(`/s/${children.items[0].id}`);
});

test('chapters moved to another study: the answer says where they went and they leave this study', async () => {
  const owner = await newUser(undefined, 'Owner');
  const { id, workspaceId } = await studyWith(owner, 'Source', `${GAME}\n[Event "Two"]\n\n1. d4 *\n\n[Event "Three"]\n\n1. c4 *\n`);
  const target = (await apiAs(owner).post('/studies', { name: 'Target', parent_id: workspaceId })).studies[0];
  const page = await newPage();
  await loginAs(page, owner);
  await openStudy(page, `/s/${id}`);
  await page.click('.study-actions .copy-button');
  const dialog = page.getByRole('dialog');
  await dialog.locator('input[name=chapter]').nth(2).check();
  await dialog.locator(`.move-folder[data-node="${workspaceId}"]`).click();
  await dialog.locator(`.pick-study[data-study="${target.id}"]`).click();
  await dialog.locator('input[name=move]').check();
  await dialog.locator('.copy-here').click();
  await eventually(() => dialog.locator('.copy-answer p').textContent()).toBe('Moved 2 chapters into “Target”.');
  await dialog.locator('.copy-done').click();
  await eventually(() => page.locator('.chapters li.chapter').count()).toBe(1);
  const moved = await apiAs(owner).get(`/studies/${target.id}`);
  expect(moved.chapters.map((c: { name: string }) => c.name)).toHaveLength(2);
});
