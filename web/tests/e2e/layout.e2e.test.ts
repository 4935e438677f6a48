// The workspace page at a desktop and a phone size; the screenshots are kept in
// web/test-results/ (looked at by a person, checked here for overflow).
import { expect, test } from 'vitest';
import { apiAs, BASE_URL, loginAs, newPage, newUser, shot } from './harness';

for (const [width, height] of [
  [1280, 800],
  [390, 844],
] as const) {
  test(`the workspace page fits ${width}x${height}`, async () => {
    const page = await newPage({ viewport: { width, height } });
    const user = await newUser(undefined, 'Judit Polgar');
    await loginAs(page, user);
    const api = apiAs(user);
    const workspace = await api.post('/nodes', { kind: 'workspace', name: 'Club repertoire: openings and model games' });
    const folder = await api.post('/nodes', { kind: 'folder', name: 'White: 1.e4 main lines', parent_id: workspace.id });
    await api.post('/nodes', { kind: 'folder', name: 'Black: Sicilian Najdorf', parent_id: workspace.id });
    await api.post('/studies', { name: 'Model games', parent_id: workspace.id });
    await api.post('/studies', { name: 'Opening traps to remember', parent_id: folder.id });
    await page.goto(`${BASE_URL}/n/${workspace.id}`);
    await page.locator('.row').nth(2).waitFor();
    await shot(page, `workspace-${width}x${height}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.goto(`${BASE_URL}/`);
    await page.locator('.card').first().waitFor();
    await shot(page, `workspaces-${width}x${height}`);
  });
}
