// The tree pages end to end: register, workspaces, folders, rename, move (drag and dialog),
// trash and restore; one folder for a double click.
import { expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { apiAs, BASE_URL, newPage, PASSWORD, registerAndLogin, shot, uniqueEmail } from './harness';

const row = (page: Page, name: string) => page.locator('.row', { has: page.locator('.row-name', { hasText: new RegExp(`^${name}$`) }) });

async function createFolder(page: Page, name: string): Promise<void> {
  await page.click('button.new-folder');
  await page.fill('.modal input[name=name]', name);
  await page.click('.modal button.create-submit');
  await row(page, name).waitFor();
}

async function rowAction(page: Page, name: string, action: string): Promise<void> {
  await row(page, name).locator('.row-menu').click();
  await page.getByRole('menuitem', { name: action }).click();
}

test('register, create a workspace and a folder, rename, move by dialog and by drag, trash, restore', async () => {
  const page = await newPage();
  const email = uniqueEmail('owner');
  await page.goto(`${BASE_URL}/`);
  await page.waitForURL(/\/login/);
  await page.click('text=Create an account');
  await page.fill('input[name=email]', email);
  await page.fill('input[name=display_name]', 'Magnus');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(`${BASE_URL}/`);
  await page.getByRole('heading', { name: 'My workspaces' }).waitFor();

  await page.fill('input[name=workspace_name]', 'Openings');
  await page.click('text=Create workspace');
  await page.waitForURL(/\/n\//);
  await page.getByRole('heading', { name: 'Openings' }).waitFor();
  const workspaceId = page.url().split('/n/')[1];

  await createFolder(page, 'Sicilian');
  await createFolder(page, 'Archive');
  await createFolder(page, 'Najdorf');

  await rowAction(page, 'Najdorf', 'Rename…');
  await page.fill('.modal input[name=name]', 'Najdorf 6.Bg5');
  await page.click('.modal button[type=submit]');
  await row(page, 'Najdorf 6.Bg5').waitFor();

  // Move by the dialog: into Sicilian.
  await rowAction(page, 'Najdorf 6.Bg5', 'Move to…');
  await page.click('.modal .move-folder:has-text("Sicilian")');
  await page.click('.modal button.move-here');
  await row(page, 'Najdorf 6.Bg5').waitFor({ state: 'detached' });

  // Move by drag: Archive onto Sicilian.
  await row(page, 'Archive').dragTo(row(page, 'Sicilian'));
  await row(page, 'Archive').waitFor({ state: 'detached' });

  const user = await loginToken(page);
  const sicilian = (await user.get(`/nodes/${workspaceId}/children`)).items.find((n: { name: string }) => n.name === 'Sicilian');
  const inside = (await user.get(`/nodes/${sicilian.id}/children`)).items.map((n: { name: string }) => n.name);
  expect(inside.sort()).toEqual(['Archive', 'Najdorf 6.Bg5']);

  // Trash Sicilian (with both inside), then restore it from the trash page.
  await rowAction(page, 'Sicilian', 'Move to trash');
  await page.click('.modal button.confirm-ok');
  await row(page, 'Sicilian').waitFor({ state: 'detached' });
  expect((await user.get(`/nodes/${workspaceId}/children`)).items).toEqual([]);

  await page.click('header a[title=Trash]');
  await page.waitForURL(`${BASE_URL}/trash`);
  await row(page, 'Sicilian').locator('button.restore').click();
  await row(page, 'Sicilian').waitFor({ state: 'detached' });
  await page.locator('.toast-success', { hasText: 'Restored' }).waitFor();
  const restored = (await user.get(`/nodes/${workspaceId}/children`)).items.map((n: { name: string }) => n.name);
  expect(restored).toEqual(['Sicilian']);

  await page.goto(`${BASE_URL}/n/${workspaceId}`);
  await row(page, 'Sicilian').click();
  await page.waitForURL(`${BASE_URL}/n/${sicilian.id}`);
  await row(page, 'Archive').waitFor();
  await shot(page, 'folder-1280x800');

  // Drag onto a breadcrumb: Archive goes back up to the workspace.
  await row(page, 'Archive').dragTo(page.locator(`header .crumb[data-node-id="${workspaceId}"]`));
  await row(page, 'Archive').waitFor({ state: 'detached' });
  const top = (await user.get(`/nodes/${workspaceId}/children`)).items.map((n: { name: string }) => n.name);
  expect(top).toEqual(['Archive', 'Sicilian']);
});

test('a double click on Create in the New folder dialog creates exactly one folder', async () => {
  const page = await newPage();
  const owner = await registerAndLogin(page);
  const api = apiAs(owner);
  const workspace = await api.post('/nodes', { kind: 'workspace', name: 'Endgames' });
  const keys: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().endsWith('/nodes')) keys.push(request.headers()['idempotency-key']);
  });
  await page.goto(`${BASE_URL}/n/${workspace.id}`);
  await page.click('button.new-folder');
  await page.fill('.modal input[name=name]', 'Rook endings');
  await page.dblclick('.modal button.create-submit');
  await row(page, 'Rook endings').waitFor();
  await expect.poll(() => keys.length).toBe(2);
  // Both clicks were sent, with one key: the server did it once.
  expect(new Set(keys).size).toBe(1);
  const children = (await api.get(`/nodes/${workspace.id}/children`)).items;
  expect(children.map((n: { name: string }) => n.name)).toEqual(['Rook endings']);
  expect(await page.locator('.row').count()).toBe(1);
});

async function loginToken(page: Page) {
  const session = await page.evaluate(() => localStorage.getItem('catachess.session'));
  const parsed = JSON.parse(session ?? '{}') as { token: string; user: { id: string; email: string; display_name: string } };
  return apiAs({ ...parsed.user, password: PASSWORD, token: parsed.token });
}


test('a folder with more children than a page loads the rest on "Load more"', async () => {
  const page = await newPage();
  const owner = await registerAndLogin(page);
  const api = apiAs(owner);
  const workspace = await api.post('/nodes', { kind: 'workspace', name: 'Big' });
  const names = Array.from({ length: 55 }, (_, i) => `Game ${String(i + 1).padStart(2, '0')}`);
  for (let i = 0; i < names.length; i += 8) {
    await Promise.all(names.slice(i, i + 8).map((name) => api.post('/nodes', { kind: 'folder', name, parent_id: workspace.id })));
  }
  await page.goto(`${BASE_URL}/n/${workspace.id}`);
  await row(page, 'Game 50').waitFor();
  expect(await page.locator('.row').count()).toBe(50);
  await page.click('button.load-more');
  await row(page, 'Game 55').waitFor();
  expect(await page.locator('.row-name').allTextContents()).toEqual(names);
  expect(await page.locator('button.load-more').count()).toBe(0);
});

test('a workspace renamed and trashed from its own page; the header follows, home lists it no more', async () => {
  const page = await newPage();
  const owner = await registerAndLogin(page);
  const api = apiAs(owner);
  const workspace = await api.post('/nodes', { kind: 'workspace', name: 'Scratch' });
  await page.goto(`${BASE_URL}/n/${workspace.id}`);
  await page.click('button.node-menu');
  await page.getByRole('menuitem', { name: 'Rename…' }).click();
  await page.fill('.modal input[name=name]', 'Scratchpad');
  await page.click('.modal button[type=submit]');
  await page.getByRole('heading', { name: 'Scratchpad' }).waitFor();
  expect(await page.locator('header .crumb [aria-current=page]').textContent()).toBe('Scratchpad');
  await page.click('button.node-menu');
  await page.getByRole('menuitem', { name: 'Move to trash' }).click();
  await page.click('.modal button.confirm-ok');
  await page.waitForURL(`${BASE_URL}/`);
  await page.locator('.ws-section', { hasText: 'no workspace yet' }).waitFor();
  expect((await api.get('/trash')).items.map((e: { name: string }) => e.name)).toEqual(['Scratchpad']);
});

test('a folder duplicated from its row menu: the copy opens with its studies; never into itself', async () => {
  const page = await newPage();
  const owner = await registerAndLogin(page);
  const api = apiAs(owner);
  const workspace = await api.post('/nodes', { kind: 'workspace', name: 'Club' });
  const openings = await api.post('/nodes', { kind: 'folder', name: 'Openings', parent_id: workspace.id });
  const sicilian = await api.post('/nodes', { kind: 'folder', name: 'Sicilian', parent_id: openings.id });
  await api.post('/studies', { name: 'Najdorf', parent_id: sicilian.id, pgn: '[Event "Najdorf"]\n\n1. e4 c5 2. Nf3 d6 3. d4 cxd4 4. Nxd4 Nf6 5. Nc3 a6 *\n' });
  await api.post('/studies', { name: 'Dragon', parent_id: openings.id, pgn: '[Event "Dragon"]\n\n1. e4 c5 2. Nf3 d6 3. d4 cxd4 4. Nxd4 Nf6 5. Nc3 g6 *\n' });
  await page.goto(`${BASE_URL}/n/${workspace.id}`);

  await rowAction(page, 'Openings', 'Duplicate…');
  // The picker never offers the folder itself: a copy cannot land inside what it copies.
  await page.click('.modal .move-folder:has-text("Club")');
  await page.locator('.modal .picker .muted', { hasText: 'No folders here.' }).waitFor();
  expect(await page.locator('.modal .move-folder', { hasText: 'Openings' }).count()).toBe(0);
  await shot(page, 'duplicate-1280x800');
  // At phone width the dialog fits: its button stays on screen, nothing wider than it.
  await page.setViewportSize({ width: 390, height: 844 });
  const button = await page.locator('.modal button.duplicate-here').boundingBox();
  expect(button && button.x >= 0 && button.x + button.width <= 390).toBe(true);
  await shot(page, 'duplicate-390x844');
  await page.click('.modal button.duplicate-here');

  await page.getByRole('heading', { name: 'Openings (2)' }).waitFor();
  await page.locator('.toast-success', { hasText: '3 folders and studies below it, 2 chapters' }).waitFor();
  const copyId = page.url().split('/n/')[1];
  expect(copyId).not.toBe(openings.id);
  await row(page, 'Sicilian').waitFor();
  await row(page, 'Dragon').waitFor();
  await shot(page, 'duplicated-1280x800');
  const inside = (await api.get(`/nodes/${copyId}/children`)).items;
  const sicilianCopy = inside.find((n: { name: string }) => n.name === 'Sicilian');
  expect(sicilianCopy.id).not.toBe(sicilian.id);
  const najdorf = (await api.get(`/nodes/${sicilianCopy.id}/children`)).items;
  expect(najdorf.map((n: { name: string }) => n.name)).toEqual(['Najdorf']);
  const top = (await api.get(`/nodes/${workspace.id}/children`)).items.map((n: { name: string }) => n.name);
  expect(top.sort()).toEqual(['Openings', 'Openings (2)']);
});
