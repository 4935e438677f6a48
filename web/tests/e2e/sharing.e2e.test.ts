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
  for (const control of ['button.new-folder', 'button.new-study', 'button.import-pgn', 'button.share-node', '.row-menu']) {
    expect(await page.locator(control).count(), control).toBe(0);
  }
  expect(await page.locator(`.row[data-node-id="${folder.id}"]`).getAttribute('draggable')).toBe('false');
  // A right click offers nothing either.
  await page.locator(`.row[data-node-id="${folder.id}"]`).click({ button: 'right' });
  expect(await page.locator('.menu').count()).toBe(0);
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
