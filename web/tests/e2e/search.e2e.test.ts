// Search in the browser: the header box (as you type, keyboard), the results page with its
// highlighted snippets (text, never markup), "Find this position", each opening the study
// at the chapter and move found.
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { apiAs, BASE_URL, eventually, loginAs, newPage, newUser, shot, type TestUser } from './harness';

/** A word nobody else's test uses (the server is shared by every test file). */
function word(): string {
  return `zw${randomUUID().replace(/[^a-f]/g, '').slice(0, 10)}`;
}

interface Tree {
  nodes: Record<string, { id: string; san: string; children: string[] }>;
  children: string[];
}

/** A workspace and a study of one PGN game; its chapter and the ids of its main line. */
async function aStudy(user: TestUser, name: string, pgn: string) {
  const api = apiAs(user);
  const workspace = await api.post('/nodes', { kind: 'workspace', name: `${name} workspace` });
  const created = await api.post('/studies', { name, parent_id: workspace.id, pgn });
  const study = created.studies[0];
  const chapter = study.chapters[0];
  const read = await api.get<{ tree: Tree }>(`/studies/${study.id}/chapters/${chapter.id}`);
  const line: { id: string; san: string }[] = [];
  for (let id = read.tree.children[0]; id; id = read.tree.nodes[id].children[0]) line.push(read.tree.nodes[id]);
  return { workspace, study, chapter, line };
}

async function ready(page: Page): Promise<void> {
  await page.locator('.study-page[data-loading="false"]').waitFor();
  await page.locator('.cg-wrap piece').first().waitFor();
}

test('the header box finds a comment as you type; Enter opens the study at that move', async () => {
  const user = await newUser(undefined, 'Searcher');
  const w = word();
  const { study, chapter, line } = await aStudy(user, 'Italian ideas', `1. e4 e5 2. Nf3 {the ${w} plan starts here} Nc6 3. Bc4 *\n`);
  const nf3 = line[2];
  const page = await newPage();
  await loginAs(page, user);
  await page.goto(`${BASE_URL}/`);
  await page.locator('.card').first().waitFor();
  // "/" focuses the box from anywhere on the page.
  await page.keyboard.press('/');
  await eventually(() => page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('header-search');
  // The last word is a prefix while typing: four letters find the whole word.
  await page.keyboard.type(w.slice(0, 6));
  const suggestion = page.locator('.suggestion[data-kind="comment"]');
  await suggestion.first().waitFor();
  expect(await suggestion.first().locator('mark').textContent()).toBe(w);
  expect(await suggestion.first().locator('.hit-title').textContent()).toBe(`Italian ideas › ${chapter.name} › 2. Nf3`);
  await shot(page, 'search-suggestions-1280x800');
  await page.keyboard.press('ArrowDown');
  await eventually(() => suggestion.first().getAttribute('aria-selected')).toBe('true');
  await page.keyboard.press('Enter');
  await eventually(() => page.url()).toBe(`${BASE_URL}/s/${study.id}/${chapter.id}?move=${nf3.id}`);
  await ready(page);
  await eventually(() => page.locator('.study-page').getAttribute('data-at')).toBe(nf3.id);
  await eventually(() => page.locator('.moves .move.active .san').textContent()).toBe('Nf3');
});

test('the results page: highlighted snippet as text, the place, a link to the move, filters and More results', async () => {
  const user = await newUser(undefined, 'Archivist');
  const w = word();
  // A comment that looks like markup must show as the characters typed.
  const pgn = `[White "Ding, Liren"]\n[Black "Nepomniachtchi, Ian"]\n[ECO "C65"]\n[Result "1/2-1/2"]\n\n1. e4 {${w} <img src=x onerror=alert(1)> <b>bold</b>} e5 2. Nf3 Nc6 3. Bb5 {${w} again} Nf6 1/2-1/2\n`;
  const { study, chapter, line } = await aStudy(user, 'Berlin wall', pgn);
  // Enough further comments for a second page (20 per page).
  const api = apiAs(user);
  for (let i = 0; i < 21; i++) {
    await api.post('/studies', { name: `Extra ${i}`, parent_id: study.parent_id, pgn: `1. d4 {${w} extra ${i}} d5 *\n` });
  }
  const page = await newPage();
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await loginAs(page, user);
  await page.goto(`${BASE_URL}/search?q=${w}&kind=comment`);
  await page.locator('.hit').first().waitFor();
  await eventually(() => page.locator('.hit').count()).toBe(20);
  await shot(page, 'search-results-1280x800');
  await page.click('.load-more');
  await eventually(() => page.locator('.hit').count()).toBe(23);
  expect(await page.locator('.load-more').count()).toBe(0);

  // Narrowed by the game's headers: only the Berlin's two comments.
  await page.goto(`${BASE_URL}/search?q=${w}&kind=comment&player=Nepomniachtchi&eco=C6`);
  await eventually(() => page.locator('.hit').count()).toBe(2);
  expect(await page.locator('details.header-filters').getAttribute('open')).not.toBeNull();
  expect(await page.inputValue('input[name=player]')).toBe('Nepomniachtchi');
  const first = page.locator('.hit', { hasText: 'onerror' });
  const snippet = first.locator('.snippet');
  // (PostgreSQL's headline drops what its parser takes for a tag, like <b>, but keeps the rest.)
  expect(await snippet.textContent()).toContain('<img src=x onerror=alert(1)>');
  expect(await snippet.locator('img, b').count()).toBe(0);
  expect(await snippet.locator('mark').first().textContent()).toBe(w);
  expect(await first.locator('.hit-title').textContent()).toBe(`Berlin wall › ${chapter.name} › 1. e4`);
  expect(await first.locator('.hit-place').textContent()).toBe('Berlin wall workspace');
  expect(dialogs).toEqual([]);

  // A filter typed in the form, then the result opens the study at 3. Bb5.
  await page.fill('input[name=player]', '');
  await page.selectOption('select[name=result]', '1-0');
  await page.click('details.header-filters button[type=submit]');
  await eventually(() => page.url()).toContain('result=1-0');
  await page.locator('.empty', { hasText: 'Nothing found' }).waitFor();
  await page.goBack();
  await eventually(() => page.locator('.hit').count()).toBe(2);
  await page.locator('.hit', { hasText: 'again' }).locator('a').click();
  const bb5 = line[4];
  await eventually(() => page.url()).toBe(`${BASE_URL}/s/${study.id}/${chapter.id}?move=${bb5.id}`);
  await ready(page);
  await eventually(() => page.locator('.study-page').getAttribute('data-at')).toBe(bb5.id);
});

test('a study the searcher may not read never shows, not even as a count', async () => {
  const owner = await newUser(undefined, 'Hider');
  const other = await newUser(undefined, 'Seeker');
  const w = word();
  await aStudy(owner, 'Secret prep', `1. e4 {${w} secret} e5 *\n`);
  const page = await newPage();
  await loginAs(page, other);
  await page.goto(`${BASE_URL}/search?q=${w}`);
  await page.locator('.empty', { hasText: 'Nothing found' }).waitFor();
  expect(await page.locator('.hit').count()).toBe(0);
});

test('"Find this position" lists another study that reaches it by another move order', async () => {
  const user = await newUser(undefined, 'Transposer');
  const a = await aStudy(user, 'Queen pawn via Nf3', '1. Nf3 d5 2. d4 Nf6 *\n');
  const b = await aStudy(user, 'Queen pawn via d4', '1. d4 d5 2. Nf3 Nf6 *\n');
  const page = await newPage();
  await loginAs(page, user);
  // After 2. d4 in study A: the same position as after 2. Nf3 in study B.
  await page.goto(`${BASE_URL}/s/${a.study.id}/${a.chapter.id}?move=${a.line[2].id}`);
  await ready(page);
  await eventually(() => page.locator('.study-page').getAttribute('data-at')).toBe(a.line[2].id);
  await page.click('.find-position');
  await eventually(() => page.url()).toContain('/search/positions?fen=');
  const other = page.locator(`.hit[data-study-id="${b.study.id}"]`);
  await other.waitFor();
  // The place the search came from is listed too, and marked.
  const here = page.locator(`.hit[data-study-id="${a.study.id}"]`);
  expect(await here.locator('.badge.here').textContent()).toBe('you are here');
  expect(await other.locator('.badge.here').count()).toBe(0);
  expect(await other.getAttribute('data-move-id')).toBe(b.line[2].id);
  expect(await other.locator('.hit-title').textContent()).toBe(`Queen pawn via d4 › ${b.chapter.name} › after 2. Nf3`);
  expect(await other.locator('.hit-line').textContent()).toBe('1. d4 d5 2. Nf3');
  await shot(page, 'positions-1280x800');
  await other.locator('a').click();
  await eventually(() => page.url()).toBe(`${BASE_URL}/s/${b.study.id}/${b.chapter.id}?move=${b.line[2].id}`);
  await ready(page);
  await eventually(() => page.locator('.study-page').getAttribute('data-at')).toBe(b.line[2].id);
});

test('"Search in here" on a folder finds only what is under it', async () => {
  const user = await newUser(undefined, 'Organiser');
  const w = word();
  const api = apiAs(user);
  const workspace = await api.post('/nodes', { kind: 'workspace', name: 'Files' });
  const inside = await api.post('/nodes', { kind: 'folder', name: 'Endgames', parent_id: workspace.id });
  await api.post('/studies', { name: 'Inside', parent_id: inside.id, pgn: `1. e4 {${w} inside} e5 *\n` });
  await api.post('/studies', { name: 'Outside', parent_id: workspace.id, pgn: `1. d4 {${w} outside} d5 *\n` });
  const page = await newPage();
  await loginAs(page, user);
  await page.goto(`${BASE_URL}/n/${inside.id}`);
  await page.click('.search-here');
  await eventually(() => page.url()).toBe(`${BASE_URL}/search?under=${inside.id}`);
  await page.locator('.search-under', { hasText: 'Only in Endgames' }).waitFor();
  await page.fill('input[name=q]', w);
  await page.keyboard.press('Enter');
  await eventually(() => page.locator('.hit').count()).toBe(1);
  expect(await page.locator('.hit .hit-title').textContent()).toContain('Inside');
  await page.click('.search-everywhere');
  await eventually(() => page.locator('.hit').count()).toBe(2);
  expect(page.url()).toBe(`${BASE_URL}/search?q=${w}`);
});

test('a discussion post found opens the study at the move with that discussion open', async () => {
  const user = await newUser(undefined, 'Talker');
  const w = word();
  const { study, chapter, line } = await aStudy(user, 'Talks', '1. d4 Nf6 2. c4 e6 *\n');
  await apiAs(user).post('/discussions', { study_id: study.id, chapter_id: chapter.id, move_id: line[3].id, title: 'Nimzo or QGD?', body: `I prefer the ${w} setup here` });
  const page = await newPage();
  await loginAs(page, user);
  await page.goto(`${BASE_URL}/search?q=${w}&kind=post`);
  const hit = page.locator('.hit[data-kind="post"]');
  await hit.waitFor();
  expect(await hit.locator('.hit-title').textContent()).toBe(`Talks › ${chapter.name} › 2… e6`);
  await hit.locator('a').click();
  await eventually(() => page.url()).toContain(`/s/${study.id}/${chapter.id}?move=${line[3].id}&thread=`);
  await ready(page);
  await eventually(() => page.locator('.thread h3').textContent()).toBe('Nimzo or QGD?');
  await eventually(() => page.locator('.study-page').getAttribute('data-at')).toBe(line[3].id);
});
