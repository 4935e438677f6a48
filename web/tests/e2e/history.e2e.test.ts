// The chapter's history on the study page (issue 14), in real Chromium against a real
// server: five edits, three undone with Ctrl+Z, the first version restored from the
// history panel, reload → the tree is what python-chess reads from that version's PGN;
// Ctrl+Z of someone else's change is refused with who and when; a move replaced from the
// move menu lists what was kept and what was cut; a deleted chapter comes back.

import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { apiAs, BASE_URL, loginAs, newPage, newUser, shot, type TestUser } from './harness';
import { drag, eventually, fen, moveIn, openStudy, ready } from './studyPage';

const PYTHON = resolve(import.meta.dirname, '../../../.venv/bin/python');

interface Tree {
  children: string[];
  nodes: Record<string, { id: string; san: string; children: string[]; parent: string | null }>;
}

/** Every line of a tree as SAN sequences from the start, main line first (a stable shape to compare). */
function lines(tree: Tree): string[] {
  const out: string[] = [];
  const walk = (ids: string[], prefix: string[]) => {
    for (const id of ids) {
      const node = tree.nodes[id];
      const line = [...prefix, node.san];
      if (node.children.length === 0) out.push(line.join(' '));
      walk(node.children, line);
    }
  };
  walk(tree.children, []);
  return out;
}

/** The same shape, read by python-chess from PGN text. */
function pythonChessLines(pgn: string): string[] {
  const script = `
import io, sys, chess.pgn
game = chess.pgn.read_game(io.StringIO(sys.stdin.read()))
def walk(node, prefix):
    for child in node.variations:
        line = prefix + [child.san()]
        if not child.variations:
            print(" ".join(line))
        walk(child, line)
walk(game, [])
`;
  return execFileSync(PYTHON, ['-c', script], { input: pgn, encoding: 'utf8' }).trim().split('\n').filter(Boolean);
}

async function studyWith(user: TestUser, name: string, pgn: string): Promise<{ id: string; chapterId: string }> {
  const api = apiAs(user);
  const workspace = await api.post('/nodes', { kind: 'workspace', name: `${name} workspace` });
  const created = await api.post('/studies', { name, parent_id: workspace.id, pgn });
  return { id: created.studies[0].id, chapterId: created.studies[0].chapters[0].id };
}

async function tree(user: TestUser, id: string, chapterId: string): Promise<Tree & { version: number }> {
  const chapter = await apiAs(user).get(`/studies/${id}/chapters/${chapterId}`);
  return { ...chapter.tree, version: chapter.version };
}

async function openHistory(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'History' }).click();
  await page.locator('.history .version').first().waitFor();
}

const version = (page: Page) => page.locator('.study-page').getAttribute('data-version');

test('five edits, three undone with Ctrl+Z, the first version restored from the panel: after a reload the tree is python-chess’s reading of version 1', async () => {
  const owner = await newUser(undefined, 'Ana');
  const { id, chapterId } = await studyWith(owner, 'Undo and restore', '1. e4 e5 2. Nf3 *\n');
  const page = await newPage();
  await loginAs(page, owner);
  await openStudy(page, `/s/${id}/${chapterId}`);
  await page.keyboard.press('End');

  // Five edits: four moves dragged on the board and a variation.
  const plays: [string, string, string][] = [
    ['b8', 'c6', 'Nc6'],
    ['f1', 'b5', 'Bb5'],
    ['a7', 'a6', 'a6'],
    ['b5', 'a4', 'Ba4'],
  ];
  for (const [from, to, san] of plays) {
    const added = page.waitForResponse((r) => r.url().endsWith('/moves') && r.request().method() === 'POST');
    await drag(page, from, to);
    expect((await added).status()).toBe(201);
    await moveIn(page, san).waitFor();
  }
  await page.keyboard.press('ArrowLeft');
  const variation = page.waitForResponse((r) => r.url().endsWith('/moves') && r.request().method() === 'POST');
  await drag(page, 'b5', 'c6');
  expect((await variation).status()).toBe(201);
  await moveIn(page, 'Bxc6').waitFor();
  await eventually(() => version(page)).toBe('6');

  // Ctrl+Z three times: the variation, Ba4 and a6 go, one version each.
  for (const [gone, v] of [['Bxc6', '7'], ['Ba4', '8'], ['a6', '9']] as const) {
    const undone = page.waitForResponse((r) => r.url().endsWith('/undo'));
    await page.keyboard.press('Control+z');
    expect((await undone).status()).toBe(200);
    await eventually(() => moveIn(page, gone).count()).toBe(0);
    await eventually(() => version(page)).toBe(v);
  }
  expect(lines(await tree(owner, id, chapterId))).toEqual(['e4 e5 Nf3 Nc6 Bb5']);

  // The history panel: version 1 on the board, read-only, with what changed since.
  await openHistory(page);
  await eventually(() => page.locator('.history .version').count()).toBe(9);
  await expect(page.locator('.history .version[data-version="9"] .version-summary').textContent()).resolves.toMatch(/undid|undo/i);
  // Version 6 had the three moves undone since: they are marked as gone in its move list.
  await page.locator('.history .version[data-version="6"] .version-open').click();
  await page.locator('.preview-banner[data-preview="6"]').waitFor();
  await eventually(() => page.locator('.moves .move.diff-gone .san').allTextContents()).toEqual(['a6', 'Ba4', 'Bxc6']);
  expect(await page.locator('.preview-banner').textContent()).toContain('brings back 3 moves (3... a6)');
  await shot(page, 'history-diff-1280x800');
  await page.locator('.history .version[data-version="1"] .version-open').click();
  await page.locator('.preview-banner[data-preview="1"]').waitFor();
  await eventually(() => page.locator('.moves .move:not(.empty) .san').allTextContents()).toEqual(['e4', 'e5', 'Nf3']);
  expect(await page.locator('.preview-banner').textContent()).toContain('removes 2 moves (2... Nc6)');
  expect(await page.locator('.study-page').getAttribute('class')).not.toContain('can-edit');
  await page.keyboard.press('End');
  await eventually(() => fen(page)).toBe('rnbqkbnr/pppp1ppp/8/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R b KQkq - 1 2');
  await shot(page, 'history-preview-1280x800');

  await page.locator('.preview-banner .restore-version').click();
  await page.click('.confirm-ok');
  await eventually(() => version(page)).toBe('10');
  await page.locator('.preview-banner').waitFor({ state: 'detached' });

  await page.reload();
  await ready(page);
  await eventually(() => page.locator('.moves .move:not(.empty) .san').allTextContents()).toEqual(['e4', 'e5', 'Nf3']);
  const first = await fetch(`${BASE_URL}/studies/${id}/chapters/${chapterId}/versions/1?format=pgn`, {
    headers: { Authorization: `Bearer ${owner.token}` },
  }).then((r) => r.text());
  const now = await tree(owner, id, chapterId);
  expect(now.version).toBe(10);
  expect(lines(now)).toEqual(pythonChessLines(first));
  await page.keyboard.press('End');
  await eventually(() => fen(page)).toBe('rnbqkbnr/pppp1ppp/8/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R b KQkq - 1 2');
});

test('Ctrl+Z undoes the last move and Ctrl+Shift+Z brings it back; after another member’s edit it says who and offers the history', async () => {
  const owner = await newUser(undefined, 'Owner');
  const other = await newUser(undefined, 'Bruno');
  const { id, chapterId } = await studyWith(owner, 'Undo race', '1. d4 d5 *\n');
  await apiAs(owner).post(`/nodes/${id}/shares`, { email: other.email, role: 'editor' });
  const page = await newPage();
  await loginAs(page, owner);
  await openStudy(page, `/s/${id}/${chapterId}`);
  await page.keyboard.press('End');
  await drag(page, 'c2', 'c4');
  await moveIn(page, 'c4').waitFor();
  await eventually(async () => lines(await tree(owner, id, chapterId))).toEqual(['d4 d5 c4']);

  await page.keyboard.press('Control+z');
  await eventually(() => moveIn(page, 'c4').count()).toBe(0);
  expect(lines(await tree(owner, id, chapterId))).toEqual(['d4 d5']);
  await eventually(() => fen(page)).toBe('rnbqkbnr/ppp1pppp/8/3p4/3P4/8/PPP1PPPP/RNBQKBNR w KQkq - 0 2');

  await page.keyboard.press('Control+Shift+Z');
  await moveIn(page, 'c4').waitFor();
  expect(lines(await tree(owner, id, chapterId))).toEqual(['d4 d5 c4']);

  // Bruno adds a move: the owner's Ctrl+Z must not take back Bruno's change.
  const current = await tree(owner, id, chapterId);
  const c4 = Object.values(current.nodes).find((n) => n.san === 'c4')!;
  const added = await fetch(`${BASE_URL}/studies/${id}/chapters/${chapterId}/moves`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${other.token}`, 'Content-Type': 'application/json', 'If-Match': `"${current.version}"`, 'Idempotency-Key': crypto.randomUUID() },
    body: JSON.stringify({ after: c4.id, move: 'e6' }),
  });
  expect(added.status).toBe(201);
  const refused = page.waitForResponse((r) => r.url().endsWith('/undo'));
  await page.locator('.board-controls .undo-button').click();
  expect((await refused).status()).toBe(409);
  const banner = page.locator('.conflict-banner');
  await banner.waitFor();
  expect(await banner.textContent()).toContain('Bruno changed this chapter');
  expect(lines(await tree(owner, id, chapterId))).toEqual(['d4 d5 c4 e6']);
  await shot(page, 'history-undo-conflict-1280x800');
  await banner.locator('.open-history').click();
  await page.locator('.history .version').first().waitFor();
  await eventually(() => page.locator('.history .version').first().textContent()).toContain('Bruno');
});

test('replace a move from the move menu: the new move is played on the board and the answer lists what was kept and what was cut', async () => {
  const owner = await newUser(undefined, 'Owner');
  const { id, chapterId } = await studyWith(owner, 'Replace', '1. e4 e5 2. Nf3 Nc6 3. Bb5 a6 4. Ba4 Nf6 *\n');
  const page = await newPage();
  await loginAs(page, owner);
  await openStudy(page, `/s/${id}/${chapterId}`);
  await moveIn(page, 'e4').click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Replace move…' }).click();
  await page.locator('.replace-banner').waitFor();
  expect(await page.locator('.replace-banner').textContent()).toContain('1. e4');
  await eventually(() => fen(page)).toBe('rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1');

  const replaced = page.waitForResponse((r) => r.url().endsWith('/replace'));
  await drag(page, 'd2', 'd4');
  expect((await replaced).status()).toBe(200);
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  expect(await dialog.locator('h2').textContent()).toBe('Replaced 1. e4 with d4');
  const kept = await dialog.locator('.replace-result ul').first().locator('li').allTextContents();
  const cut = await dialog.locator('.replace-result ul').nth(1).locator('li').allTextContents();
  expect(kept).toEqual(['1... e5', '2. Nf3', '2... Nc6']);
  expect(cut).toEqual(['3. Bb5', '3... a6', '4. Ba4', '4... Nf6']);
  await shot(page, 'history-replace-1280x800');
  await dialog.locator('.replace-ok').click();
  await eventually(() => page.locator('.moves .move:not(.empty) .san').allTextContents()).toEqual(['d4', 'e5', 'Nf3', 'Nc6']);
  expect(lines(await tree(owner, id, chapterId))).toEqual(['d4 e5 Nf3 Nc6']);
});

test('a deleted chapter is listed in the study’s history and comes back with “Restore chapter” (390x844)', async () => {
  const owner = await newUser(undefined, 'Owner');
  const { id, chapterId } = await studyWith(owner, 'Two chapters', '[Event "One"]\n\n1. e4 *\n\n[Event "Two"]\n\n1. c4 *\n');
  const study = await apiAs(owner).get(`/studies/${id}`);
  const second = study.chapters[1];
  await apiAs(owner).delete(`/studies/${id}/chapters/${second.id}`, second.version);
  // On a phone: the panel sits below the board.
  const page = await newPage({ viewport: { width: 390, height: 844 } });
  await loginAs(page, owner);
  await openStudy(page, `/s/${id}/${chapterId}`);
  expect(await page.locator('.chapters li.chapter').count()).toBe(1);
  await openHistory(page);
  const line = page.locator(`.study-version[data-chapter="${second.id}"]`, { has: page.locator('.restore-chapter') });
  await line.waitFor();
  await line.scrollIntoViewIfNeeded();
  await shot(page, 'history-390x844');
  await line.locator('.restore-chapter').click();
  await eventually(() => page.locator('.chapters li.chapter').count()).toBe(2);
  await eventually(() => page.locator('.study-head .chapter-title').textContent()).toBe(second.name);
  await eventually(() => page.locator('.moves .move:not(.empty) .san').allTextContents()).toEqual(['c4']);
});
