// The API's guarantees seen from the browser: a dropped response retried with the same
// key, a 412 that reloads and keeps what was typed, purge with a confirmation, and a
// PGN import split into studies of at most 64 chapters.
import { expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { apiAs, BASE_URL, newPage, registerAndLogin } from './harness';

const row = (page: Page, name: string) => page.locator('.row', { has: page.locator('.row-name', { hasText: new RegExp(`^${name.replace(/[()]/g, '\\$&')}$`) }) });

test('a create whose response is lost on the way is retried with the same key: one folder', async () => {
  const page = await newPage();
  const owner = await registerAndLogin(page);
  const api = apiAs(owner);
  const workspace = await api.post('/nodes', { kind: 'workspace', name: 'Flaky wifi' });
  const sent: { key: string; replayed?: string }[] = [];
  let dropped = false;
  await page.route('**/nodes', async (route) => {
    const request = route.request();
    if (request.method() !== 'POST') return route.continue();
    const response = await route.fetch();
    sent.push({ key: request.headers()['idempotency-key'], replayed: response.headers()['idempotent-replayed'] });
    if (!dropped) {
      // The server did the work; the browser never hears back.
      dropped = true;
      return route.abort('connectionreset');
    }
    return route.fulfill({ response });
  });
  await page.goto(`${BASE_URL}/n/${workspace.id}`);
  await page.click('button.new-folder');
  await page.fill('.modal input[name=name]', 'Retried');
  await page.click('.modal button.create-submit');
  await row(page, 'Retried').waitFor();
  expect(sent).toHaveLength(2);
  expect(sent[1].key).toBe(sent[0].key);
  expect(sent[1].replayed).toBe('true');
  const children = (await api.get(`/nodes/${workspace.id}/children`)).items;
  expect(children.map((n: { name: string }) => n.name)).toEqual(['Retried']);
});

test('a rename over someone else’s change gets 412: the list reloads, the typed name stays', async () => {
  const page = await newPage();
  const owner = await registerAndLogin(page);
  const api = apiAs(owner);
  const workspace = await api.post('/nodes', { kind: 'workspace', name: 'Shared prep' });
  const folder = await api.post('/nodes', { kind: 'folder', name: 'Draft', parent_id: workspace.id });
  await page.goto(`${BASE_URL}/n/${workspace.id}`);
  await row(page, 'Draft').locator('.row-menu').click();
  await page.getByRole('menuitem', { name: 'Rename…' }).click();
  await page.fill('.modal input[name=name]', 'Mine');
  // Meanwhile a colleague renames it.
  await api.patch(`/nodes/${folder.id}`, { name: 'Theirs' }, folder.version);
  await page.click('.modal button[type=submit]');
  await page.locator('.toast-error', { hasText: 'changed this meanwhile' }).waitFor();
  await row(page, 'Theirs').waitFor();
  await page.locator('.modal .form-error', { hasText: 'Someone changed “Theirs” meanwhile' }).waitFor();
  expect(await page.inputValue('.modal input[name=name]')).toBe('Mine');
  // A second submit applies it, knowingly, over the fresh version.
  await page.click('.modal button[type=submit]');
  await row(page, 'Mine').waitFor();
  expect((await api.get(`/nodes/${folder.id}`)).name).toBe('Mine');
});

test('purge from the trash page asks first, then deletes for good', async () => {
  const page = await newPage();
  const owner = await registerAndLogin(page);
  const api = apiAs(owner);
  const workspace = await api.post('/nodes', { kind: 'workspace', name: 'Cleanup' });
  const folder = await api.post('/nodes', { kind: 'folder', name: 'Old lines', parent_id: workspace.id });
  await api.post('/nodes', { kind: 'folder', name: 'Inside', parent_id: folder.id });
  await api.delete(`/nodes/${folder.id}`, folder.version);
  await page.goto(`${BASE_URL}/trash`);
  await row(page, 'Old lines').locator('button.purge').click();
  await page.locator('.modal', { hasText: 'and the 1 items in it' }).waitFor();
  await page.click('.modal button:has-text("Cancel")');
  expect((await api.get('/trash')).items).toHaveLength(1);
  await row(page, 'Old lines').locator('button.purge').click();
  await page.click('.modal button.confirm-ok');
  await row(page, 'Old lines').waitFor({ state: 'detached' });
  expect((await api.get('/trash')).items).toEqual([]);
  await page.reload();
  await page.locator('.empty', { hasText: 'The trash is empty.' }).waitFor();
});

test('a PGN file of 65 games is imported as two studies, and the page says so', async () => {
  const page = await newPage();
  const owner = await registerAndLogin(page);
  const api = apiAs(owner);
  const workspace = await api.post('/nodes', { kind: 'workspace', name: 'Imports' });
  const games = Array.from({ length: 65 }, (_, i) => `[Event "Club"]\n[Round "${i + 1}"]\n[White "A"]\n[Black "B"]\n[Result "*"]\n\n1. e4 e5 2. Nf3 *\n`).join('\n');
  await page.goto(`${BASE_URL}/n/${workspace.id}`);
  await page.click('button.import-pgn');
  await page.locator('.modal', { hasText: 'at most 64 chapters' }).waitFor();
  await page.setInputFiles('.modal input[name=pgn_file]', { name: 'club.pgn', mimeType: 'application/x-chess-pgn', buffer: Buffer.from(games) });
  await expect.poll(() => page.inputValue('.modal input[name=name]'), { timeout: 30_000 }).toBe('club');
  await page.click('.modal button[type=submit]');
  await page.locator('.toast-success', { hasText: 'Imported 65 games into 2 studies.' }).waitFor();
  const studies = (await api.get(`/nodes/${workspace.id}/children`)).items;
  expect(studies.map((n: { kind: string }) => n.kind)).toEqual(['study', 'study']);
  await expect.poll(() => page.locator('.row[data-kind=study]').count(), { timeout: 30_000 }).toBe(2);
  // A study opens on its page.
  await page.locator('.row[data-kind=study] .row-link').first().click();
  await page.waitForURL(new RegExp(`/s/${studies[0].id}`));
});
