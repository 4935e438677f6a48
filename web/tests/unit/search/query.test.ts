import { expect, test } from 'vitest';
import { withQuery } from '../../../src/api';
import { parseRoute } from '../../../src/router';
import {
  emptyFilters,
  filtersFromSearch,
  groupByKind,
  hasCriteria,
  hitHref,
  moveLabel,
  numberedLine,
  type SearchHit,
  searchParams,
  searchPath,
  snippetParts,
} from '../../../src/pages/search/query';

function hit(extra: Partial<SearchHit>): SearchHit {
  return {
    kind: 'comment',
    score: 0.5,
    snippet: '',
    highlights: [],
    snippet_html: '',
    breadcrumb: [],
    node: { id: 's1', name: 'Study', kind: 'study' },
    chapter: { id: 'c1', name: 'Game 1', kind: 'chapter' },
    move: { id: 'm7', san: 'Nf3', ply: 3 },
    thread_id: null,
    post_id: null,
    ...extra,
  };
}

test('a snippet with markup in it stays text: only the highlights are marked', () => {
  const snippet = '<img src=x onerror=alert(1)> the berlin endgame <b>';
  const start = snippet.indexOf('berlin');
  const parts = snippetParts(snippet, [[start, start + 6]]);
  expect(parts).toEqual([
    { text: '<img src=x onerror=alert(1)> the ', mark: false },
    { text: 'berlin', mark: true },
    { text: ' endgame <b>', mark: false },
  ]);
  expect(parts.map((p) => p.text).join('')).toBe(snippet);
});

test('snippet offsets count characters as Python does, not UTF-16 units', () => {
  // "♞" is one unit, "𝄞" two in JavaScript; the server counts both as one character.
  const snippet = '𝄞 ♞ Réti opening';
  const parts = snippetParts(snippet, [[4, 8]]);
  expect(parts.find((p) => p.mark)?.text).toBe('Réti');
});

test('out-of-range, empty, unsorted and overlapping highlights are clipped, not thrown', () => {
  expect(snippetParts('abcdef', [[4, 99], [-3, 2], [3, 3], [1, 3]])).toEqual([
    { text: 'abc', mark: true },
    { text: 'd', mark: false },
    { text: 'ef', mark: true },
  ]);
  expect(snippetParts('plain', [])).toEqual([{ text: 'plain', mark: false }]);
  expect(snippetParts('', [[0, 3]])).toEqual([]);
});

test('filters round-trip through the page URL and become the API query', () => {
  const filters = { ...emptyFilters(), q: ' berlin -marshall ', kinds: ['comment', 'post'] as const, player: 'Ding', eco: 'C6', date_from: '2023-01-01' };
  const path = searchPath({ ...filters, kinds: [...filters.kinds] });
  expect(path).toBe('/search?q=berlin+-marshall&kind=comment&kind=post&player=Ding&eco=C6&date_from=2023-01-01');
  const route = parseRoute('/search', path.slice('/search'.length));
  expect(route.name).toBe('search');
  const back = filtersFromSearch(route.name === 'search' ? route.search : '');
  expect(back).toEqual({ ...emptyFilters(), q: 'berlin -marshall', kinds: ['comment', 'post'], player: 'Ding', eco: 'C6', date_from: '2023-01-01' });
  expect(withQuery('/search', { ...searchParams(back), limit: 20 })).toBe('/search?q=berlin+-marshall&kind=comment&kind=post&player=Ding&eco=C6&date_from=2023-01-01&limit=20');
});

test('a subtree search keeps its node in the URL and the query', () => {
  const filters = { ...emptyFilters(), q: 'rook', under: 'f1' };
  expect(searchPath(filters)).toBe('/search?q=rook&under=f1');
  expect(filtersFromSearch('q=rook&under=f1').under).toBe('f1');
  expect(searchParams(filters)).toEqual({ q: 'rook', under: 'f1' });
});

test('unknown kinds in a URL are dropped; blank filters are not sent', () => {
  const filters = filtersFromSearch('q=x&kind=node&kind=secret&kind=node&white=%20%20');
  expect(filters.kinds).toEqual(['node']);
  expect(searchParams(filters)).toEqual({ q: 'x', kind: ['node'] });
});

test('the API is asked only with words or a header filter', () => {
  expect(hasCriteria(emptyFilters())).toBe(false);
  expect(hasCriteria({ ...emptyFilters(), q: '   ' })).toBe(false);
  expect(hasCriteria({ ...emptyFilters(), kinds: ['comment'] })).toBe(false);
  expect(hasCriteria({ ...emptyFilters(), result: '1-0' })).toBe(true);
});

test('a hit opens the study at its chapter and move', () => {
  expect(hitHref(hit({}))).toBe('/s/s1/c1?move=m7');
  // The comment before the first move: the chapter's start.
  expect(hitHref(hit({ move: { id: '', san: null, ply: 0 } }))).toBe('/s/s1/c1');
  expect(hitHref(hit({ kind: 'chapter', move: null }))).toBe('/s/s1/c1');
  expect(hitHref(hit({ kind: 'post', chapter: null, move: null }))).toBe('/s/s1');
  // A post opens its discussion, on the move when the thread is on one.
  expect(hitHref(hit({ kind: 'post', thread_id: 't1', post_id: 'p1' }))).toBe('/s/s1/c1?move=m7&thread=t1');
  expect(hitHref(hit({ kind: 'post', chapter: null, move: null, thread_id: 't1' }))).toBe('/s/s1?thread=t1');
  expect(hitHref(hit({ kind: 'node', node: { id: 'f1', name: 'Folder', kind: 'folder' }, chapter: null, move: null }))).toBe('/n/f1');
  expect(hitHref(hit({ kind: 'node', chapter: null, move: null }))).toBe('/s/s1');
});

test('moves are numbered from their ply', () => {
  expect(moveLabel(1, 'e4')).toBe('1. e4');
  expect(moveLabel(2, 'e5')).toBe('1… e5');
  expect(moveLabel(23, 'Nf3')).toBe('12. Nf3');
  expect(moveLabel(null, 'Nf3')).toBe('Nf3');
  expect(moveLabel(3, null)).toBe('');
});

test('suggestions are grouped by kind, ranked within a kind', () => {
  const hits = [hit({ kind: 'post', score: 3 }), hit({ kind: 'node', score: 2 }), hit({ kind: 'post', score: 1 })];
  expect(groupByKind(hits).map(([kind, items]) => [kind, items.map((h) => h.score)])).toEqual([
    ['node', [2]],
    ['post', [3, 1]],
  ]);
});

test('a line is numbered as in a PGN, from whichever side starts it', () => {
  expect(numberedLine(['d4', 'd5', 'Nf3'], 1)).toBe('1. d4 d5 2. Nf3');
  expect(numberedLine(['d5', 'Nf3'], 2)).toBe('1… d5 2. Nf3');
  expect(numberedLine([], 5)).toBe('');
});
