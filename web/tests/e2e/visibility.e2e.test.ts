// The share dialog's visibility selector and the node browser's description, in the browser.
import { expect, test } from 'vitest';
import { apiAs, BASE_URL, eventually, loginAs, newPage, newUser, shot } from './harness';

test('the visibility selector makes a study public: it shows on /public and opens for an anonymous visitor', async () => {
  const owner = await newUser(undefined, 'Owner');
  const api = apiAs(owner);
  const workspace = await api.post('/nodes', { kind: 'workspace', name: 'Club' });
  const name = `Ruy Lopez lesson ${Date.now().toString(36)}`;
  const study = (await api.post('/studies', { name, parent_id: workspace.id, pgn: '1. e4 e5 2. Nf3 Nc6 3. Bb5 *\n' })).studies[0];
  const page = await newPage();
  await loginAs(page, owner);
  await page.goto(`${BASE_URL}/n/${workspace.id}`);
  const row = page.locator(`.row[data-node-id="${study.id}"]`);
  await row.locator('.row-menu').click();
  await page.click('.menu button:has-text("Share…")');
  const dialog = page.locator('.modal');
  await dialog.locator('input[name=visibility][value=private]').waitFor();
  expect(await dialog.locator('input[name=visibility][value=private]').isChecked()).toBe(true);
  expect(await dialog.locator('input[name=visibility_url]').count()).toBe(0);

  await dialog.locator('input[name=visibility][value=unlisted]').check();
  await eventually(() => dialog.locator('input[name=visibility_url]').inputValue()).toBe(`${BASE_URL}/s/${study.id}`);
  await shot(page, 'share-visibility-1280x800');
  // Unlisted: readable by its address, listed nowhere.
  expect((await (await fetch(`${BASE_URL}/public/studies?limit=100`)).json()).items.map((s: { id: string }) => s.id)).not.toContain(study.id);

  await dialog.locator('input[name=visibility][value=public]').check();
  await eventually(async () => (await api.get(`/nodes/${study.id}`)).visibility).toBe('public');
  await page.click('.modal-close');
  await eventually(() => row.locator('.badge.visibility-public').count()).toBe(1);

  const visitor = await newPage();
  await visitor.goto(`${BASE_URL}/public`);
  await visitor.locator(`.public-study[data-node-id="${study.id}"]`).click();
  await eventually(() => visitor.url()).toBe(`${BASE_URL}/s/${study.id}`);
  await eventually(() => visitor.locator('.study-head h1').textContent()).toBe(name);
  expect(await visitor.locator('.study-page').getAttribute('data-role')).toBe('viewer');
});

test('a stale version is refused (412), shown, the node re-read, and the next choice applies', async () => {
  const owner = await newUser(undefined, 'Owner');
  const admin = await newUser(undefined, 'Admin');
  const api = apiAs(owner);
  const workspace = await api.post('/nodes', { kind: 'workspace', name: 'Shared club' });
  const folder = await api.post('/nodes', { kind: 'folder', name: 'Openings', parent_id: workspace.id });
  await api.post(`/nodes/${workspace.id}/shares`, { email: admin.email, role: 'admin' });
  const page = await newPage();
  await loginAs(page, admin);
  await page.goto(`${BASE_URL}/n/${workspace.id}`);
  const row = page.locator(`.row[data-node-id="${folder.id}"]`);
  await row.locator('.row-menu').click();
  await page.click('.menu button:has-text("Share…")');
  const dialog = page.locator('.modal');
  await dialog.locator('input[name=visibility][value=private]').waitFor();
  // Meanwhile the owner makes the folder unlisted: the dialog's version is stale.
  const response = await fetch(`${BASE_URL}/nodes/${folder.id}/visibility`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${owner.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ visibility: 'unlisted' }),
  });
  expect(response.status).toBe(200);
  // click, not check: the refused choice does not stay checked (the dialog shows the node
  // as re-read), and check() fails when the 412 came back before it looked.
  await dialog.locator('input[name=visibility][value=public]').click();
  await dialog.locator('.form-error', { hasText: 'changed it meanwhile' }).waitFor();
  await eventually(() => dialog.locator('input[name=visibility][value=unlisted]').isChecked()).toBe(true);
  await dialog.locator('input[name=visibility][value=public]').click();
  await eventually(async () => (await api.get(`/nodes/${folder.id}`)).visibility).toBe('public');
  await eventually(() => dialog.locator('input[name=visibility][value=public]').isChecked()).toBe(true);
  await eventually(() => dialog.locator('.visibility-note').textContent()).toContain('covers everything in it');
});

test('a study in a public folder says it is public through the folder, with its address', async () => {
  const owner = await newUser(undefined, 'Owner');
  const api = apiAs(owner);
  const workspace = await api.post('/nodes', { kind: 'workspace', name: 'Academy' });
  const folder = await api.post('/nodes', { kind: 'folder', name: 'Open courses', parent_id: workspace.id });
  const study = (await api.post('/studies', { name: 'Pawn endings', parent_id: folder.id })).studies[0];
  const page = await newPage();
  await loginAs(page, owner);
  await page.goto(`${BASE_URL}/n/${folder.id}`);
  await page.click('.share-node');
  await page.locator('.modal input[name=visibility][value=public]').check();
  await eventually(async () => (await api.get(`/nodes/${folder.id}`)).visibility).toBe('public');
  await page.click('.modal-close');
  await page.locator(`.row[data-node-id="${study.id}"] .row-menu`).click();
  await page.click('.menu button:has-text("Share…")');
  const note = page.locator('.modal .visibility-inherited');
  await note.waitFor();
  expect(await note.textContent()).toContain('Public through “Open courses” above');
  expect(await page.locator('.modal input[name=visibility][value=private]').isChecked()).toBe(true);
  expect(await page.inputValue('.modal input[name=visibility_url]')).toBe(`${BASE_URL}/s/${study.id}`);
});

test('a folder’s description is Markdown, rendered without raw HTML', async () => {
  const owner = await newUser(undefined, 'Writer');
  const viewer = await newUser(undefined, 'Reader');
  const api = apiAs(owner);
  const workspace = await api.post('/nodes', { kind: 'workspace', name: 'Notes' });
  const folder = await api.post('/nodes', { kind: 'folder', name: 'Endgames', parent_id: workspace.id });
  await api.post(`/nodes/${folder.id}/shares`, { email: viewer.email, role: 'viewer' });
  const page = await newPage();
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await loginAs(page, owner);
  await page.goto(`${BASE_URL}/n/${folder.id}`);
  await page.click('.edit-description');
  await page.fill('textarea[name=description]', '**Lucena** and _Philidor_\n\n- build a bridge\n\n<img src=x onerror="alert(1)"> [bad](javascript:alert(2)) [good](https://lichess.org)');
  await page.click('.description-form button[type=submit]');
  const rendered = page.locator('.description .markdown');
  await rendered.waitFor();
  expect(await rendered.locator('strong').textContent()).toBe('Lucena');
  expect(await rendered.locator('em').textContent()).toBe('Philidor');
  expect(await rendered.locator('li').textContent()).toBe('build a bridge');
  expect(await rendered.locator('img, script').count()).toBe(0);
  expect(await rendered.textContent()).toContain('<img src=x onerror="alert(1)">');
  expect(await rendered.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(['https://lichess.org']);
  expect((await api.get(`/nodes/${folder.id}`)).description).toContain('**Lucena**');
  await shot(page, 'description-1280x800');

  // A viewer reads it and cannot edit it.
  const reader = await newPage();
  await loginAs(reader, viewer);
  await reader.goto(`${BASE_URL}/n/${folder.id}`);
  await reader.locator('.description .markdown strong').waitFor();
  expect(await reader.locator('.edit-description').count()).toBe(0);
  expect(dialogs).toEqual([]);
});
