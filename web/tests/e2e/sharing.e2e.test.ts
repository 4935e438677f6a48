// Sharing end to end: a viewer sees a shared workspace without edit controls; a share
// link made in the dialog is accepted by another account through /invite/:token.
import { expect, test } from 'vitest';
import { apiAs, BASE_URL, loginAs, newPage, newUser, registerAndLogin, shot } from './harness';

test('a viewer sees the shared workspace and no edit controls', async () => {
  const owner = await newUser();
  const viewer = await newUser();
  const api = apiAs(owner);
  const workspace = await api.post('/nodes', { kind: 'workspace', name: 'Club openings' });
  const folder = await api.post('/nodes', { kind: 'folder', name: 'Caro-Kann', parent_id: workspace.id });

  // The owner shares through the dialog.
  const ownerPage = await newPage();
  await loginAs(ownerPage, owner);
  await ownerPage.goto(`${BASE_URL}/n/${workspace.id}`);
  await ownerPage.click('button.share-node');
  await ownerPage.fill('.modal input[name=share_email]', viewer.email);
  await ownerPage.selectOption('.modal select[aria-label=Role]', 'viewer');
  await ownerPage.click('.modal .share-add button[type=submit]');
  await ownerPage.locator(`.modal .share-row[data-email="${viewer.email}"]`).waitFor();
  await shot(ownerPage, 'share-dialog-1280x800');

  const page = await newPage();
  await loginAs(page, viewer);
  await page.goto(`${BASE_URL}/`);
  const card = page.locator(`.card[data-node-id="${workspace.id}"]`);
  await card.waitFor();
  expect(await card.locator('.badge').first().textContent()).toBe('viewer');
  await card.locator('a').click();
  await page.waitForURL(`${BASE_URL}/n/${workspace.id}`);
  await page.locator(`.row[data-node-id="${folder.id}"]`).waitFor();
  expect(await page.locator('.page').getAttribute('data-role')).toBe('viewer');
  for (const control of ['button.new-folder', 'button.new-study', 'button.import-pgn', 'button.share-node', 'button.node-menu']) {
    expect(await page.locator(control).count(), control).toBe(0);
  }
  expect(await page.locator(`.row[data-node-id="${folder.id}"]`).getAttribute('draggable')).toBe('false');
  // The folder's menu, by its button or a right click, offers a copy of it (into the
  // viewer's own workspace) and nothing that would change it.
  await page.locator(`.row[data-node-id="${folder.id}"] .row-menu`).click();
  expect(await page.getByRole('menuitem').allTextContents()).toEqual(['Duplicate…']);
  await page.keyboard.press('Escape');
  await page.locator('.menu').waitFor({ state: 'detached' });
  await page.locator(`.row[data-node-id="${folder.id}"]`).click({ button: 'right' });
  expect(await page.getByRole('menuitem').allTextContents()).toEqual(['Duplicate…']);
});

test('a share link from the dialog, accepted by another account, opens the node', async () => {
  const owner = await newUser();
  const api = apiAs(owner);
  const workspace = await api.post('/nodes', { kind: 'workspace', name: 'Team prep' });
  const folder = await api.post('/nodes', { kind: 'folder', name: 'Round 5', parent_id: workspace.id });

  const ownerPage = await newPage();
  await loginAs(ownerPage, owner);
  await ownerPage.goto(`${BASE_URL}/n/${workspace.id}`);
  await ownerPage.locator(`.row[data-node-id="${folder.id}"] .row-menu`).click();
  await ownerPage.getByRole('menuitem', { name: 'Share…' }).click();
  await ownerPage.selectOption('.modal select[aria-label="Link role"]', 'commenter');
  await ownerPage.click('.modal .link-create button[type=submit]');
  const url = await ownerPage.locator('.modal input.link-url').inputValue();
  expect(url).toMatch(new RegExp(`^${BASE_URL}/invite/[\\w-]{16,}$`));

  const page = await newPage();
  const guest = await registerAndLogin(page);
  await page.goto(url);
  await page.click('button.accept-invite');
  await page.waitForURL(`${BASE_URL}/n/${folder.id}`);
  await page.getByRole('heading', { name: 'Round 5' }).waitFor();
  expect(await page.locator('.page').getAttribute('data-role')).toBe('commenter');
  const shared = await apiAs(guest).get('/workspaces');
  expect(shared.items.map((n: { id: string; role: string }) => [n.id, n.role])).toEqual([[folder.id, 'commenter']]);

  // The owner revokes it: nobody else can accept it.
  await ownerPage.locator('.modal .share-row[data-link-id] button', { hasText: 'Revoke' }).click();
  await ownerPage.click('.confirm-ok');
  await ownerPage.locator('.modal .share-row.is-revoked').waitFor();
  const late = await newPage();
  await registerAndLogin(late);
  await late.goto(url);
  await late.click('button.accept-invite');
  await late.locator('.form-error').waitFor();
});

test('a visitor without a session is sent to log in, and back afterwards', async () => {
  const user = await newUser();
  const workspace = await apiAs(user).post('/nodes', { kind: 'workspace', name: 'Later' });
  const page = await newPage();
  await page.goto(`${BASE_URL}/n/${workspace.id}`);
  await page.waitForURL(/\/login\?next=/);
  await page.fill('input[name=email]', user.email);
  await page.fill('input[name=password]', user.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${BASE_URL}/n/${workspace.id}`);
  await page.getByRole('heading', { name: 'Later' }).waitFor();
  // A token the server no longer accepts ends the session: back to the log-in page.
  await page.evaluate(() => {
    const session = JSON.parse(localStorage.getItem('catachess.session') ?? '{}');
    localStorage.setItem('catachess.session', JSON.stringify({ ...session, token: 'revoked' }));
  });
  await page.reload();
  await page.waitForURL(/\/login\?next=/);
  expect(await page.evaluate(() => localStorage.getItem('catachess.session'))).toBeNull();
});

test('the share dialog changes a role, shows inherited grants, and removes a person', async () => {
  const owner = await newUser();
  const colleague = await newUser();
  const api = apiAs(owner);
  const workspace = await api.post('/nodes', { kind: 'workspace', name: 'Academy' });
  const folder = await api.post('/nodes', { kind: 'folder', name: 'Juniors', parent_id: workspace.id });
  await api.post(`/nodes/${workspace.id}/shares`, { email: colleague.email, role: 'viewer' });

  const page = await newPage();
  await loginAs(page, owner);
  await page.goto(`${BASE_URL}/n/${workspace.id}`);
  await page.locator(`.row[data-node-id="${folder.id}"] .row-menu`).click();
  await page.getByRole('menuitem', { name: 'Share…' }).click();
  // On the folder, the workspace grant shows as inherited, without controls.
  const inherited = page.locator(`.modal .share-row.is-inherited[data-email="${colleague.email}"]`);
  await inherited.waitFor();
  expect(await inherited.textContent()).toContain('inherited');
  expect(await inherited.locator('select').count()).toBe(0);
  await page.click('.modal .modal-close');

  await page.click('button.share-node');
  const mine = page.locator(`.modal .share-row:not(.is-inherited)[data-email="${colleague.email}"]`);
  await mine.locator('select').selectOption('editor');
  await page.locator('.toast-success', { hasText: 'is now editor' }).waitFor();
  const shares = (await api.get(`/nodes/${workspace.id}/shares`)).items;
  expect(shares.find((s: { email: string }) => s.email === colleague.email).role).toBe('editor');
  // The owner's own row has no controls (nobody demotes or removes themselves by accident).
  expect(await page.locator(`.modal .share-row[data-email="${owner.email}"] select`).count()).toBe(0);

  await mine.locator('button', { hasText: 'Remove' }).click();
  await page.click('.confirm-ok');
  await mine.waitFor({ state: 'detached' });
  expect((await api.get(`/nodes/${workspace.id}/shares`)).items.map((s: { email: string }) => s.email)).toEqual([owner.email]);
});

test('an invitation opened while logged out comes back to itself after logging in', async () => {
  const owner = await newUser();
  const guest = await newUser();
  const api = apiAs(owner);
  const workspace = await api.post('/nodes', { kind: 'workspace', name: 'Simul' });
  const link = await api.post(`/nodes/${workspace.id}/share-links`, { role: 'viewer' });
  const page = await newPage();
  await page.goto(`${BASE_URL}/invite/${link.token}`);
  await page.waitForURL(/\/login\?next=%2Finvite%2F/);
  await page.fill('input[name=email]', guest.email);
  await page.fill('input[name=password]', guest.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${BASE_URL}/invite/${link.token}`);
  await page.click('button.accept-invite');
  await page.waitForURL(`${BASE_URL}/n/${workspace.id}`);
  await page.getByRole('heading', { name: 'Simul' }).waitFor();
});
