// Helpers for end-to-end tests of the study page: wait for it, read its state, play on
// the board (drag by square names, for either orientation), find moves in the list.
import type { Page, Response } from 'playwright-core';
import { expect } from 'vitest';
import { BASE_URL, eventually } from './harness';

export { eventually };

export const studyPage = (page: Page) => page.locator('.study-page');
export const fen = (page: Page) => studyPage(page).getAttribute('data-fen');
export const at = (page: Page) => studyPage(page).getAttribute('data-at');

export async function ready(page: Page): Promise<void> {
  await page.locator('.study-page[data-loading="false"]').waitFor();
  await page.locator('.cg-wrap piece').first().waitFor();
}

export async function openStudy(page: Page, path: string): Promise<void> {
  await page.goto(`${BASE_URL}${path}`);
  await ready(page);
}

/** The centre of a square on the board, for the board's orientation. */
export async function square(page: Page, name: string): Promise<{ x: number; y: number }> {
  const box = (await page.locator('.cg-wrap cg-board').boundingBox())!;
  const white = (await page.locator('.cg-wrap').getAttribute('class'))!.includes('orientation-white');
  const file = name.charCodeAt(0) - 97;
  const rank = Number(name[1]) - 1;
  const col = white ? file : 7 - file;
  const row = white ? 7 - rank : rank;
  return { x: box.x + ((col + 0.5) * box.width) / 8, y: box.y + ((row + 0.5) * box.height) / 8 };
}

export async function drag(page: Page, from: string, to: string, button: 'left' | 'right' = 'left'): Promise<void> {
  const a = await square(page, from);
  const b = await square(page, to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down({ button });
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 4 });
  await page.mouse.move(b.x, b.y, { steps: 4 });
  await page.mouse.up({ button });
}

/** Drag a move on the board and wait for its POST. The drag is made again (up to three
 * times) when no POST was sent within 10 s: under load a drag that landed while the board
 * re-rendered was lost. Dragging again after a drag that did count moves nothing: the
 * piece has left `from`. */
export async function play(page: Page, from: string, to: string): Promise<Response> {
  const posted = page.waitForResponse((r) => r.url().endsWith('/moves') && r.request().method() === 'POST', {
    timeout: 60_000,
  });
  for (let attempt = 1; attempt < 3; attempt++) {
    await drag(page, from, to);
    const sent = await Promise.race([
      posted.then(() => true),
      new Promise<boolean>((done) => setTimeout(() => done(false), 10_000)),
    ]);
    if (sent) return posted;
  }
  await drag(page, from, to);
  return posted;
}

/** Press `key` `times` times, each press seen to move the board before the next is sent
 * (presses sent while a render is pending once left the board a ply off under load).
 * A press that moved nothing within 10 s is sent again, up to three times, as a user
 * would: at load 9 a press landing while the chapter was re-read did nothing. */
export async function step(page: Page, key: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const before = await at(page);
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press(key);
      try {
        await expect.poll(() => at(page), { timeout: 10_000, interval: 100 }).not.toBe(before);
        break;
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
  }
}

export const moveIn = (page: Page, san: string) =>
  page.locator('.moves .move', { has: page.locator('.san', { hasText: new RegExp(`^${san.replace(/[+]/g, '\\+')}$`) }) });
