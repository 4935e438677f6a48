// Visibility in the browser: an anonymous visitor reads a public study (no edit control)
// and gets "not found" for a private one; the public listing needs no account.
import { randomUUID } from 'node:crypto';
import { expect, test } from 'vitest';
import { apiAs, BASE_URL, eventually, newPage, newUser, shot, type TestUser } from './harness';

async function setVisibility(user: TestUser, nodeId: string, visibility: string): Promise<void> {
  const response = await fetch(`${BASE_URL}/nodes/${nodeId}/visibility`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${user.token}`, 'Content-Type': 'application/json', 'Idempotency-Key': randomUUID() },
    body: JSON.stringify({ visibility }),
  });
  if (!response.ok) throw new Error(`visibility: ${response.status} ${await response.text()}`);
}

async function twoStudies(owner: TestUser) {
  const api = apiAs(owner);
  const workspace = await api.post('/nodes', { kind: 'workspace', name: 'Private workspace name' });
  const shown = (await api.post('/studies', { name: `Open lesson ${randomUUID().slice(0, 6)}`, parent_id: workspace.id, pgn: '1. e4 {Open to all} e5 2. Nf3 *\n' })).studies[0];
  const hidden = (await api.post('/studies', { name: 'Secret preparation', parent_id: workspace.id, pgn: '1. d4 d5 *\n' })).studies[0];
  return { workspace, shown, hidden };
}

test('an anonymous visitor reads a public study without edit controls, and a private one is not found', async () => {
  const owner = await newUser(undefined, 'Publisher');
  const { shown, hidden } = await twoStudies(owner);
  await setVisibility(owner, shown.id, 'public');
  const page = await newPage();
  await page.goto(`${BASE_URL}/s/${shown.id}`);
  await page.locator('.study-page[data-loading="false"]').waitFor();
  await page.locator('.cg-wrap piece').first().waitFor();
  expect(page.url()).toBe(`${BASE_URL}/s/${shown.id}`);
  expect(await page.locator('.study-head h1').textContent()).toBe(shown.name);
  expect(await page.locator('.study-page').getAttribute('data-role')).toBe('viewer');
  // Read-only: no edit class, no comment or move-menu buttons, no chapter editing.
  expect(await page.locator('.study-page.can-edit').count()).toBe(0);
  expect(await page.locator('.comment-button, .menu-button, .find-position').count()).toBe(0);
  await page.keyboard.press('ArrowRight');
  await eventually(() => page.locator('.moves .move.active .san').textContent()).toBe('e4');
  // The header: the private workspace above is not named; a way to log in.
  expect(await page.locator('header .crumbs').textContent()).not.toContain('Private workspace name');
  await page.locator('header a', { hasText: 'Log in' }).waitFor();
  await shot(page, 'anonymous-study-1280x800');

  await page.goto(`${BASE_URL}/s/${hidden.id}`);
  await page.locator('.load-error').waitFor();
  expect(await page.locator('.study-page').textContent()).toContain('Not found');
  expect(await page.locator('.cg-wrap').count()).toBe(0);
  expect(page.url()).toBe(`${BASE_URL}/s/${hidden.id}`);
});

test('the public listing needs no account and lists public studies, never unlisted ones', async () => {
  const owner = await newUser(undefined, 'Lister');
  const { shown, hidden } = await twoStudies(owner);
  await setVisibility(owner, shown.id, 'public');
  await setVisibility(owner, hidden.id, 'unlisted');
  const page = await newPage();
  await page.goto(`${BASE_URL}/login`);
  await page.click('.auth-card a[href="/public"]');
  await eventually(() => page.url()).toBe(`${BASE_URL}/public`);
  await page.locator(`.public-study[data-node-id="${shown.id}"]`).waitFor();
  expect(await page.locator(`.public-study[data-node-id="${hidden.id}"]`).count()).toBe(0);
  await shot(page, 'public-1280x800');
  await page.click('a[href="/public?order=stars"]');
  await eventually(() => page.url()).toBe(`${BASE_URL}/public?order=stars`);
  await page.locator(`.public-study[data-node-id="${shown.id}"]`).waitFor();
  await page.locator(`.public-study[data-node-id="${shown.id}"] a`).click();
  await eventually(() => page.url()).toBe(`${BASE_URL}/s/${shown.id}`);
  await page.locator('.study-page[data-loading="false"]').waitFor();
  // The unlisted study opens by its URL, without an account.
  await page.goto(`${BASE_URL}/s/${hidden.id}`);
  await eventually(() => page.locator('.study-head h1').textContent()).toBe('Secret preparation');
  await page.locator('.cg-wrap piece').first().waitFor();
});

test('an anonymous visitor browses a public folder read-only and opens a study in it', async () => {
  const owner = await newUser(undefined, 'Curator');
  const api = apiAs(owner);
  const workspace = await api.post('/nodes', { kind: 'workspace', name: 'Private club workspace' });
  const folder = await api.post('/nodes', { kind: 'folder', name: 'Free lessons', parent_id: workspace.id });
  const study = (await api.post('/studies', { name: 'Opposition', parent_id: folder.id, pgn: '1. e4 e5 *\n' })).studies[0];
  await setVisibility(owner, folder.id, 'public');
  const page = await newPage();
  await page.goto(`${BASE_URL}/n/${folder.id}`);
  await page.locator(`.row[data-node-id="${study.id}"]`).waitFor();
  expect(page.url()).toBe(`${BASE_URL}/n/${folder.id}`);
  expect(await page.locator('.page-head h1').textContent()).toContain('Free lessons');
  expect(await page.locator('.new-folder, .new-study, .import-pgn, .share-node, .row-menu, .edit-description, .search-here').count()).toBe(0);
  expect(await page.locator('header .crumbs').textContent()).not.toContain('Private club workspace');
  await page.locator(`.row[data-node-id="${study.id}"] a`).click();
  await eventually(() => page.url()).toBe(`${BASE_URL}/s/${study.id}`);
  await eventually(() => page.locator('.study-head h1').textContent()).toBe('Opposition');
});
