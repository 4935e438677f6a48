// The study page end to end, in real Chromium against a real server and PostgreSQL:
// import the Kasparov–Deep Blue 1997 match, step with the keyboard (FEN checked against
// python-chess), play by dragging, draw an arrow, comment and NAG then export, a viewer
// without edit controls, two editors racing on one chapter (412), a dropped response.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, expect, test } from 'vitest';
import { apiAs, BASE_URL, loginAs, newPage, newUser, shot, type TestUser } from './harness';
import { at, drag, eventually, fen, moveIn, openStudy, ready, step, studyPage } from './studyPage';

const DATA = resolve(import.meta.dirname, 'data');
const PGN_FILE = join(DATA, 'kasparov-deep-blue-1997.pgn');
const PYTHON = resolve(import.meta.dirname, '../../../.venv/bin/python');

/** python-chess's FEN after `plies` main-line moves of game `game` (1-based) of the file. */
function pythonChessFen(game: number, plies: number): string {
  const script = `
import sys, chess.pgn
with open(sys.argv[1]) as f:
    for _ in range(int(sys.argv[2])):
        g = chess.pgn.read_game(f)
b = g.board()
for m in list(g.mainline_moves())[: int(sys.argv[3])]:
    b.push(m)
print(b.fen())
`;
  return execFileSync(PYTHON, ['-c', script, PGN_FILE, String(game), String(plies)], { encoding: 'utf8' }).trim();
}

interface Chapter {
  id: string;
  name: string;
  position: number;
  version: number;
  node_count: number;
  tree: { children: string[]; nodes: Record<string, { id: string; san: string; children: string[]; comment: string; nags: number[]; shapes: unknown[] }> };
}

let owner: TestUser;
let studyId: string;
let game6: string;

/** Click a download button and read the file the browser saved. */
async function downloaded(page: Page, button: string): Promise<string> {
  const download = page.waitForEvent('download');
  await page.click(`[data-export="${button}"]`);
  const target = join(mkdtempSync(join(tmpdir(), 'cc-pgn-')), 'export.pgn');
  await (await download).saveAs(target);
  return readFileSync(target, 'utf8');
}

async function chapter(user: TestUser, id: string): Promise<Chapter> {
  return apiAs(user).get<Chapter>(`/studies/${studyId}/chapters/${id}`);
}

beforeAll(async () => {
  // Register -> workspace -> an empty study, then the match is imported through the page.
  owner = await newUser(undefined, 'Owner');
  const api = apiAs(owner);
  const workspace = await api.post('/nodes', { kind: 'workspace', name: 'Matches' });
  const created = await api.post('/studies', { name: 'Kasparov - Deep Blue 1997', parent_id: workspace.id });
  studyId = created.studies[0].id;
});

test('import the match from a PGN file, open game 6, step to ply 20: the FEN is python-chess’s', async () => {
  const page = await newPage();
  await loginAs(page, owner);
  await openStudy(page, `/s/${studyId}`);
  await page.click('.chapters button.add');
  await page.setInputFiles('.add-chapter input[type=file]', PGN_FILE);
  await eventually(() => page.inputValue('.add-chapter textarea[name=pgn]')).toContain('Deep Blue');
  await page.click('.add-chapter button[type=submit]');
  await eventually(() => page.locator('.chapters li.chapter').count()).toBe(6);
  await page.locator('.flash', { hasText: 'Imported: 6 chapter(s).' }).waitFor();

  const game6Item = page.locator('.chapters li.chapter').nth(5);
  game6 = (await game6Item.getAttribute('data-chapter'))!;
  await game6Item.locator('.chapter-select').click();
  await eventually(() => page.url()).toBe(`${BASE_URL}/s/${studyId}/${game6}`);
  await eventually(() => page.locator('.study-head .chapter-title').textContent()).toBe('Deep Blue (Computer) - Garry Kasparov');
  // The browser's Back and Forward go between the chapters opened.
  await page.goBack();
  await eventually(() => page.locator('.study-head .chapter-title').textContent()).toBe('Garry Kasparov - Deep Blue (Computer)');
  await page.goForward();
  await eventually(() => page.locator('.study-head .chapter-title').textContent()).toBe('Deep Blue (Computer) - Garry Kasparov');
  await eventually(() => fen(page)).toBe(pythonChessFen(6, 0)); // game 6's tree, at its start

  await step(page, 'ArrowRight', 20);
  await eventually(() => fen(page)).toBe(pythonChessFen(6, 20));
  await eventually(() => page.locator('.moves .move.active .san').textContent()).toBe('Kd8');
  await step(page, 'ArrowLeft', 2);
  await eventually(() => fen(page)).toBe(pythonChessFen(6, 18));
  await page.keyboard.press('End');
  await eventually(() => fen(page)).toBe(pythonChessFen(6, 37));
  await page.keyboard.press('Home');
  await eventually(() => fen(page)).toBe(pythonChessFen(6, 0));
  await page.keyboard.press('f');
  await eventually(() => page.locator('.cg-wrap').getAttribute('class')).toContain('orientation-black');
  await page.keyboard.press('f');
});

test('a move dragged on the board joins the move list as a variation and survives a reload', async () => {
  const page = await newPage();
  await loginAs(page, owner);
  await openStudy(page, `/s/${studyId}/${game6}`);
  await step(page, 'ArrowRight', 20);
  const added = page.waitForResponse((r) => r.url().endsWith('/moves') && r.request().method() === 'POST');
  await drag(page, 'h2', 'h3');
  expect((await added).status()).toBe(201);
  await moveIn(page, 'h3').waitFor();
  const id = await at(page);
  expect(id).toBeTruthy();
  await eventually(() => page.locator('.moves .move.active .san').textContent()).toBe('h3');
  // A variation: the game's 11. Bf4 stays the main line.
  expect(await page.locator('.moves .interrupt .line .move .san', { hasText: /^h3$/ }).count()).toBe(1);

  await page.reload();
  await ready(page);
  await moveIn(page, 'h3').waitFor();
  const stored = await chapter(owner, game6);
  expect(Object.values(stored.tree.nodes).filter((n) => n.san === 'h3')).toHaveLength(1);
});

test('an arrow drawn with a right-click drag is saved to the move and survives a reload', async () => {
  const page = await newPage();
  await loginAs(page, owner);
  await openStudy(page, `/s/${studyId}/${game6}`);
  await step(page, 'ArrowRight', 20);
  const moveId = await at(page);
  const saved = page.waitForResponse((r) => r.url().endsWith('/shapes') && r.request().method() === 'PUT');
  await drag(page, 'd4', 'd5', 'right');
  expect((await saved).status()).toBe(200);
  await page.goto(`${BASE_URL}/s/${studyId}/${game6}?move=${moveId}`);
  await ready(page);
  await eventually(() => at(page)).toBe(moveId);
  await page.locator('.cg-wrap svg.cg-shapes line').first().waitFor({ state: 'attached' });
  const stored = await chapter(owner, game6);
  expect(stored.tree.nodes[moveId!].shapes).toEqual([{ kind: 'arrow', from: 'd4', to: 'd5', color: 'G' }]);
});

test('a comment and a NAG from the move menu are in the exported PGN', async () => {
  const page = await newPage();
  await loginAs(page, owner);
  await openStudy(page, `/s/${studyId}/${game6}`);
  await step(page, 'ArrowRight', 7);
  const san = (await page.locator('.moves .move.active .san').textContent())!;
  await page.locator('.moves .move.active').click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Comment…' }).click();
  await page.fill('.comment-editor textarea', 'Deep Blue sacrifices here');
  const commented = page.waitForResponse((r) => r.url().endsWith('/comment'));
  await page.click('.comment-editor button[type=submit]');
  expect((await commented).status()).toBe(200);
  await page.locator('.moves .comment', { hasText: 'Deep Blue sacrifices here' }).waitFor();

  await page.locator('.moves .move.active').click({ button: 'right' });
  const nagged = page.waitForResponse((r) => r.url().endsWith('/nags'));
  await page.click('.move-menu .glyph[data-nag="3"]');
  expect((await nagged).status()).toBe(200);
  await page.locator('.moves .move.active .glyphs', { hasText: '!!' }).waitFor();

  await page.click('.tabs button:has-text("PGN")');
  const pgn = await downloaded(page, 'chapter-full');
  expect(pgn).toContain('{ Deep Blue sacrifices here }');
  expect(pgn).toMatch(new RegExp(`${san.replace(/[+]/g, '\\+')}(!!| \\$3)`));
  expect(pgn).toContain('( 11. h3 )');
  const bare = await downloaded(page, 'chapter-no_comments');
  expect(bare).not.toContain('Deep Blue sacrifices here');
  expect(bare).toContain('( 11. h3 )');
  const mainline = await downloaded(page, 'chapter-mainline');
  expect(mainline).toContain('Deep Blue sacrifices here');
  expect(mainline).not.toContain('h3');
  const study = await downloaded(page, 'study-full');
  expect(study.match(/\[Event /g)).toHaveLength(6);
  await shot(page, 'study-1280x800');
});

test('a comment that cannot be saved stays in its editor with the server’s reason', async () => {
  const page = await newPage();
  await loginAs(page, owner);
  await openStudy(page, `/s/${studyId}/${game6}`);
  await step(page, 'ArrowRight', 3);
  await page.click('.board-controls .comment-button');
  const text = 'x'.repeat(20_001);
  await page.fill('.comment-editor textarea', text);
  await page.click('.comment-editor button[type=submit]');
  await page.locator('.comment-editor .form-error', { hasText: 'max_comment_length' }).waitFor();
  expect(await page.inputValue('.comment-editor textarea')).toBe(text);
});

test('a viewer sees the study without edit controls and cannot drag a move into the tree', async () => {
  const viewer = await newUser(undefined, 'Viewer');
  await apiAs(owner).post(`/nodes/${studyId}/shares`, { email: viewer.email, role: 'viewer' });
  const page = await newPage();
  await loginAs(page, viewer);
  await openStudy(page, `/s/${studyId}/${game6}`);
  expect(await studyPage(page).getAttribute('data-role')).toBe('viewer');
  for (const control of ['.chapters button.add', '.board-controls .comment-button', '.chapter-tools', '.new-thread']) {
    expect(await page.locator(control).count(), control).toBe(0);
  }
  await step(page, 'ArrowRight', 20);
  const before = (await chapter(owner, game6)).version;
  const writes: string[] = [];
  // Presence heartbeats are no writes to the study (docs/live.md).
  page.on('request', (r) => r.method() !== 'GET' && !r.url().includes('/presence/') && writes.push(`${r.method()} ${r.url()}`));
  await drag(page, 'a2', 'a4');
  await page.locator('.moves .move.active').click({ button: 'right' });
  expect(await page.getByRole('menuitem', { name: 'Comment…' }).count()).toBe(0);
  await page.keyboard.press('Escape');
  expect(writes).toEqual([]);
  await eventually(() => fen(page)).toBe(pythonChessFen(6, 20));
  expect((await chapter(owner, game6)).version).toBe(before);
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, 'study-390x844-viewer');
});

test('two editors on one chapter: the stale one gets 412, reloads, and both moves stay', async () => {
  const editor = await newUser(undefined, 'Editor');
  await apiAs(owner).post(`/nodes/${studyId}/shares`, { email: editor.email, role: 'editor' });
  const first = await newPage();
  await loginAs(first, owner);
  const second = await newPage();
  await loginAs(second, editor);
  // The second page must not hear of the first's move (its live stream would reload it).
  await second.route('**/stream', (route) => route.abort());
  const path = `/s/${studyId}/${game6}`;
  await openStudy(first, path);
  await openStudy(second, path);
  await step(first, 'ArrowRight', 20);
  await step(second, 'ArrowRight', 20);

  const one = first.waitForResponse((r) => r.url().endsWith('/moves'));
  await drag(first, 'd1', 'e2');
  expect((await one).status()).toBe(201);

  const statuses: number[] = [];
  second.on('response', (r) => r.url().endsWith('/moves') && statuses.push(r.status()));
  await drag(second, 'g2', 'g3');
  await second.locator('.flash', { hasText: 'Another user added the move Qe2 meanwhile' }).waitFor();
  await moveIn(second, 'g3').waitFor();
  await moveIn(second, 'Qe2').waitFor();
  expect(statuses).toEqual([412, 201]);
  expect(await second.locator('.moves .move.active .san').textContent()).toBe('g3');

  await first.reload();
  await ready(first);
  await moveIn(first, 'g3').waitFor();
  await moveIn(first, 'Qe2').waitFor();
});

test('a move whose response the network drops is stored once (the retry is replayed)', async () => {
  const page = await newPage();
  await loginAs(page, owner);
  await openStudy(page, `/s/${studyId}/${game6}`);
  await step(page, 'ArrowRight', 20);
  const before = await chapter(owner, game6);
  let dropped = 0;
  const keys: string[] = [];
  await page.route('**/moves', async (route) => {
    keys.push(route.request().headers()['idempotency-key']);
    if (route.request().method() !== 'POST' || dropped > 0) return route.continue();
    dropped++;
    await route.fetch(); // the server does the work...
    await route.abort('connectionreset'); // ...and the answer never arrives
  });
  const replayed = page.waitForResponse((r) => r.url().endsWith('/moves') && r.request().method() === 'POST');
  await drag(page, 'b2', 'b3');
  const response = await replayed;
  expect(response.status()).toBe(201);
  expect(await response.headerValue('idempotent-replayed')).toBe('true');
  await moveIn(page, 'b3').waitFor();
  expect(keys).toHaveLength(2);
  expect(keys[0]).toBe(keys[1]);
  const after = await chapter(owner, game6);
  expect(after.node_count).toBe(before.node_count + 1);
  expect(after.version).toBe(before.version + 1);
  expect(Object.values(after.tree.nodes).filter((n) => n.san === 'b3')).toHaveLength(1);
});

test('the study page at 1280x800 and 390x844', async () => {
  for (const [width, height] of [
    [1280, 800],
    [390, 844],
  ]) {
    const page = await newPage({ viewport: { width, height } });
    await loginAs(page, owner);
    await openStudy(page, `/s/${studyId}/${game6}`);
    await step(page, 'ArrowRight', 20);
    const board = (await page.locator('.cg-wrap').boundingBox())!;
    if (width === 390) {
      // Full width on a phone, the move list below the board.
      expect(board.width).toBeGreaterThan(340);
      const list = (await page.locator('.moves-box').boundingBox())!;
      expect(list.y).toBeGreaterThan(board.y + board.height);
    } else {
      const list = (await page.locator('.moves-box').boundingBox())!;
      expect(list.x).toBeGreaterThan(board.x + board.width);
      expect(board.height).toBeGreaterThan(500);
    }
    await shot(page, `study-${width}x${height}`);
  }
});

test('chapters: add from a FEN and empty, rename, reorder by drag, delete; a big import continues in a new study', async () => {
  const api = apiAs(owner);
  const workspace = await api.post('/nodes', { kind: 'workspace', name: 'Chapters' });
  const created = await api.post('/studies', { name: 'Endgames', parent_id: workspace.id, pgn: '[Event "First"]\n\n1. e4 e5 *\n' });
  const id = created.studies[0].id;
  const page = await newPage();
  await loginAs(page, owner);
  await openStudy(page, `/s/${id}`);
  page.on('dialog', (dialog) => void dialog.accept());

  await page.click('.chapters button.add');
  await page.click('.add-chapter .segmented button:has-text("FEN")');
  await page.fill('.add-chapter input[name=fen]', '1K1k4/1P6/8/8/8/8/r7/2R5 w - - 0 1');
  await page.fill('.add-chapter input[name=name]', 'Rook ending');
  await page.click('.add-chapter button[type=submit]');
  await eventually(() => page.locator('.study-head .chapter-title').textContent()).toBe('Rook ending');
  await eventually(() => fen(page)).toBe('1K1k4/1P6/8/8/8/8/r7/2R5 w - - 0 1');

  await page.click('.chapters button.add');
  await page.click('.add-chapter .segmented button:has-text("Empty")');
  await page.fill('.add-chapter input[name=name]', 'Scratch');
  await page.click('.add-chapter button[type=submit]');
  await eventually(() => page.locator('.chapters .chapter-name').allTextContents()).toEqual(['First', 'Rook ending', 'Scratch']);
  await eventually(() => page.locator('.study-head .chapter-title').textContent()).toBe('Scratch');
  await eventually(() => fen(page)).toBe('rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1');

  // Rename the open chapter (Scratch), then drag it to the top, then delete "First".
  await page.click('.chapter.active .chapter-tools button[title=Rename]');
  await page.fill('.chapter-rename', 'Lucena');
  await page.keyboard.press('Enter');
  await eventually(() => page.locator('.chapters .chapter-name').allTextContents()).toEqual(['First', 'Rook ending', 'Lucena']);
  await page.locator('.chapter', { hasText: 'Lucena' }).dragTo(page.locator('.chapter', { hasText: 'First' }));
  await eventually(() => page.locator('.chapters .chapter-name').allTextContents()).toEqual(['Lucena', 'First', 'Rook ending']);
  await page.locator('.chapter', { hasText: 'First' }).locator('.chapter-select').click();
  await eventually(() => page.locator('.study-head .chapter-title').textContent()).toBe('First');
  await page.click('.chapter.active .chapter-tools button.danger');
  await eventually(() => page.locator('.chapters .chapter-name').allTextContents()).toEqual(['Lucena', 'Rook ending']);
  const stored = await api.get(`/studies/${id}`);
  expect(stored.chapters.map((c: Chapter) => [c.name, c.position])).toEqual([
    ['Lucena', 0],
    ['Rook ending', 1],
  ]);

  // 64 more games do not fit beside the 2 chapters: the rest goes to "Endgames (2)", linked.
  const games = Array.from({ length: 64 }, (_, i) => `[Event "Game ${i + 1}"]\n\n1. d4 d5 *\n`).join('\n');
  await page.click('.chapters button.add');
  await page.fill('.add-chapter textarea[name=pgn]', games);
  await page.click('.add-chapter button[type=submit]');
  const link = page.locator('.flash a', { hasText: 'Endgames (2) (2 chapters)' });
  await link.waitFor();
  expect(await page.locator('.flash').textContent()).toContain('A study holds at most 64 chapters');
  expect(await page.locator('.chapters li.chapter').count()).toBe(64);
  await link.click();
  await eventually(() => page.locator('.study-head h1').textContent()).toBe('Endgames (2)');
});

test('move menu: promote a variation, copy a line into a new chapter, cut before a move, delete from a move', async () => {
  const api = apiAs(owner);
  const workspace = await api.post('/nodes', { kind: 'workspace', name: 'Edits' });
  const created = await api.post('/studies', { name: 'Italian', parent_id: workspace.id, pgn: '1. e4 e5 2. Nf3 (2. Bc4 Nf6) 2... Nc6 3. Bc4 *\n' });
  const id = created.studies[0].id;
  const chapterId = created.studies[0].chapters[0].id;
  const page = await newPage();
  await loginAs(page, owner);
  await openStudy(page, `/s/${id}/${chapterId}`);
  page.on('dialog', (dialog) => void dialog.accept());
  // Right-click again when the menu is not there: the move list re-renders as the page's
  // own edit comes back (the chapter re-read, the live event), and a right click that
  // lands while it does opens no menu, or one closed by the re-read (CI at 14:20).
  const menu = async (san: string, item: string) => {
    const entry = page.getByRole('menuitem', { name: item });
    for (let attempt = 1; ; attempt++) {
      await moveIn(page, san).first().click({ button: 'right' });
      try {
        await entry.waitFor({ timeout: 5_000 });
        break;
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
    await entry.click();
  };

  await menu('Nf6', 'Make main line');
  await eventually(async () => (await api.get(`/studies/${id}/chapters/${chapterId}`)).tree.nodes[(await at(page))!]?.san).toBe('Nf6');
  await eventually(() => page.locator('.moves > .move:not(.empty) .san').allTextContents()).toEqual(['e4', 'e5', 'Bc4', 'Nf6']);

  await menu('Nf3', 'Copy line into a new chapter');
  await eventually(() => page.locator('.chapters li.chapter').count()).toBe(2);
  await eventually(() => page.locator('.study-head .chapter-title').textContent()).toContain('2. Nf3');

  await openStudy(page, `/s/${id}/${chapterId}`);
  await menu('e5', 'Cut the chapter before this move');
  await eventually(() => page.locator('.moves .move:not(.empty) .san').first().textContent()).toBe('e5');
  await eventually(() => fen(page)).toBe('rnbqkbnr/pppp1ppp/8/4p3/4P3/8/PPPP1PPP/RNBQKBNR w KQkq - 0 2');

  // The first Bc4 is now the main line's 2. Bc4: it goes with Nf6 after it.
  await menu('Bc4', 'Delete from here');
  await eventually(() => page.locator('.moves .move:not(.empty) .san').allTextContents()).toEqual(['e5', 'Nf3', 'Nc6', 'Bc4']);
  expect((await api.get(`/studies/${id}/chapters/${chapterId}`)).node_count).toBe(4);
});

test('discussion: a commenter opens a thread on a move, replies and reacts; cannot edit moves', async () => {
  const commenter = await newUser(undefined, 'Coach');
  await apiAs(owner).post(`/nodes/${studyId}/shares`, { email: commenter.email, role: 'commenter' });
  const page = await newPage();
  await loginAs(page, commenter);
  await openStudy(page, `/s/${studyId}/${game6}`);
  expect(await page.locator('.board-controls .comment-button').count()).toBe(0);
  await step(page, 'ArrowRight', 19);
  await page.fill('.new-thread input[name=title]', 'Why Bg6+?');
  await page.fill('.new-thread textarea[name=body]', 'Is the bishop check sound?');
  await page.click('.new-thread button[type=submit]');
  await page.locator('.thread h3', { hasText: 'Why Bg6+?' }).waitFor();
  await page.fill('.thread > .reply-form textarea', 'Deep Blue thought so.');
  await page.click('.thread > .reply-form button[type=submit]');
  await page.locator('.post-body', { hasText: 'Deep Blue thought so.' }).waitFor();
  await page.locator('.post').first().locator('.reaction[data-kind="+1"]').click();
  await page.locator('.post').first().locator('.reaction.mine[data-kind="+1"]', { hasText: '1' }).waitFor();
  await page.click('.thread .link:has-text("all discussions")');
  await page.locator('.discussion .threads button', { hasText: 'Why Bg6+?' }).waitFor();
  const threads = await apiAs(commenter).get(`/discussions?target_id=${studyId}&chapter_id=${game6}`);
  const thread = threads.items.find((t: { title: string }) => t.title === 'Why Bg6+?');
  expect(thread.move_id).toBe(await at(page));
  expect(thread.post_count).toBe(2);
});
