import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { DEBOUNCE_MS, SuggestCtrl } from '../../../src/pages/search/suggestCtrl';

type Pending = { url: string; resolve: (r: Response) => void };
let pending: Pending[] = [];

beforeEach(() => {
  vi.useFakeTimers();
  pending = [];
  vi.stubGlobal('fetch', (url: string) => new Promise<Response>((resolve) => pending.push({ url, resolve })));
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const page = (...names: string[]) =>
  new Response(
    JSON.stringify({
      items: names.map((name) => ({ kind: 'node', score: 1, snippet: name, highlights: [], snippet_html: name, breadcrumb: [], node: { id: name, name, kind: 'study' }, chapter: null, move: null, thread_id: null, post_id: null })),
      next_cursor: null,
    }),
    { status: 200, headers: { 'Content-Type': 'application/json' } },
  );

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
  await vi.advanceTimersByTimeAsync(0);
}

test('typing asks once, after the pause, for the last text as a prefix', async () => {
  const ctrl = new SuggestCtrl();
  for (const text of ['b', 'be', 'ber', 'berl']) {
    ctrl.input(text);
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS / 2);
  }
  expect(pending).toHaveLength(0);
  await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
  expect(pending.map((p) => p.url)).toEqual(['/search?q=berl&prefix=true&limit=10']);
});

test('an older answer arriving last does not replace the newer one', async () => {
  const ctrl = new SuggestCtrl();
  ctrl.input('ber');
  await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
  ctrl.input('berlin');
  await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
  expect(pending).toHaveLength(2);
  pending[1].resolve(page('Berlin wall'));
  await settle();
  pending[0].resolve(page('Bergen', 'Berne'));
  await settle();
  expect(ctrl.hits.map((h) => h.node.name)).toEqual(['Berlin wall']);
  expect(ctrl.loading).toBe(false);
});

test('one character asks nothing; arrows go through the suggestions and back to "all results"', async () => {
  const ctrl = new SuggestCtrl();
  ctrl.input('b');
  await vi.advanceTimersByTimeAsync(DEBOUNCE_MS * 2);
  expect(pending).toHaveLength(0);
  ctrl.input('be');
  await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
  pending[0].resolve(page('one', 'two'));
  await settle();
  expect(ctrl.active).toBe(-1);
  ctrl.move(1);
  ctrl.move(1);
  expect(ctrl.active).toBe(1);
  ctrl.move(1);
  expect(ctrl.active).toBe(-1);
  ctrl.move(-1);
  expect(ctrl.active).toBe(1);
});
