// The search, positions, public and settings pages, the suggestions, the bell and the share
// dialog at a phone's size: screenshots kept in web/test-results/ (looked at by a person),
// and no horizontal overflow.
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { apiAs, BASE_URL, loginAs, newPage, newUser, shot } from './harness';

const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

test('the finding pages fit a 390x844 phone', async () => {
  const user = await newUser(undefined, 'Hikaru');
  const api = apiAs(user);
  const w = `ph${randomUUID().replace(/[^a-f]/g, '').slice(0, 8)}`;
  const workspace = await api.post('/nodes', { kind: 'workspace', name: 'Blitz preparation and long classical files' });
  const study = (
    await api.post('/studies', {
      name: 'Najdorf English attack',
      parent_id: workspace.id,
      pgn: `[White "Nakamura, Hikaru"]\n[Black "Caruana, Fabiano"]\n[ECO "B90"]\n\n1. e4 c5 2. Nf3 d6 3. d4 cxd4 4. Nxd4 Nf6 5. Nc3 a6 6. Be3 {${w}: the English attack, with f3, Qd2 and g4 next} e5 *\n`,
    })
  ).studies[0];
  const page = await newPage({ viewport: { width: 390, height: 844 } });
  await loginAs(page, user);

  await page.goto(`${BASE_URL}/search?q=${w}`);
  await page.locator('.hit').first().waitFor();
  await shot(page, 'search-results-390x844');
  expect(await overflow(page)).toBeLessThanOrEqual(0);

  await page.fill('input[name=header-search]', w.slice(0, 5));
  await page.locator('.suggestion').first().waitFor();
  await shot(page, 'search-suggestions-390x844');
  expect(await overflow(page)).toBeLessThanOrEqual(0);
  await page.keyboard.press('Escape');

  const chapter = await api.get(`/studies/${study.id}/chapters/${study.chapters[0].id}`);
  const first = chapter.tree.children[0];
  const fen = chapter.tree.nodes[chapter.tree.nodes[first].children[0]].fen;
  await page.goto(`${BASE_URL}/search/positions?fen=${encodeURIComponent(fen)}`);
  await page.locator('.hit').first().waitFor();
  await shot(page, 'positions-390x844');
  expect(await overflow(page)).toBeLessThanOrEqual(0);

  await page.goto(`${BASE_URL}/public`);
  await page.locator('.public-page h1').waitFor();
  await shot(page, 'public-390x844');
  expect(await overflow(page)).toBeLessThanOrEqual(0);

  await page.click('.bell-button');
  await page.locator('.bell-panel').waitFor();
  await shot(page, 'bell-390x844');
  expect(await overflow(page)).toBeLessThanOrEqual(0);

  await page.goto(`${BASE_URL}/settings`);
  await page.locator('input[name=notify-mention]').waitFor();
  await shot(page, 'settings-390x844');
  expect(await overflow(page)).toBeLessThanOrEqual(0);

  await page.goto(`${BASE_URL}/n/${workspace.id}`);
  await page.locator(`.row[data-node-id="${study.id}"] .row-menu`).click();
  await page.click('.menu button:has-text("Share…")');
  await page.locator('.modal input[name=visibility][value=unlisted]').check();
  await page.locator('.modal input[name=visibility_url]').waitFor();
  await shot(page, 'share-visibility-390x844');
  expect(await overflow(page)).toBeLessThanOrEqual(0);
});
