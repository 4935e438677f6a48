// Search, without the DOM: the API's shapes, filters <-> URL <-> API query, where a hit
// opens, and the highlighted snippet as text parts (never HTML: see snippetParts).
import type { Query } from '../../api';
import { nodePath, paths } from '../../router';

export type SearchKind = 'node' | 'chapter' | 'comment' | 'post';
export const KINDS: [SearchKind, string][] = [
  ['node', 'Studies and folders'],
  ['chapter', 'Games and chapters'],
  ['comment', 'Move comments'],
  ['post', 'Discussions'],
];

export interface Place {
  id: string;
  name: string;
  kind: string;
}

export interface SearchHit {
  kind: SearchKind;
  score: number;
  snippet: string;
  /** [start, end) offsets in `snippet`, counted in characters (code points, as Python). */
  highlights: [number, number][];
  snippet_html: string;
  breadcrumb: Place[];
  node: Place;
  chapter: Place | null;
  move: { id: string; san: string | null; ply: number | null } | null;
  thread_id: string | null;
  post_id: string | null;
}

export interface PositionHit {
  study: Place;
  chapter: Place;
  move_id: string | null;
  ply: number;
  san: string | null;
  line: string[];
  fen: string;
  breadcrumb: Place[];
}

/** The header filters of GET /search, in the order the form shows them. */
export const HEADER_FILTERS = ['player', 'white', 'black', 'eco', 'result', 'date_from', 'date_to'] as const;
export type HeaderFilter = (typeof HEADER_FILTERS)[number];

export interface SearchFilters extends Record<HeaderFilter, string> {
  q: string;
  kinds: SearchKind[];
  /** Only this folder's (or workspace's, or study's) subtree; '' for everywhere. */
  under: string;
}

export function emptyFilters(): SearchFilters {
  return { q: '', kinds: [], under: '', player: '', white: '', black: '', eco: '', result: '', date_from: '', date_to: '' };
}

const isKind = (value: string): value is SearchKind => KINDS.some(([kind]) => kind === value);

/** The filters a /search URL's query string carries (unknown kinds dropped). */
export function filtersFromSearch(search: string): SearchFilters {
  const params = new URLSearchParams(search);
  const filters = emptyFilters();
  filters.q = params.get('q') ?? '';
  filters.kinds = [...new Set(params.getAll('kind').filter(isKind))];
  filters.under = params.get('under') ?? '';
  for (const name of HEADER_FILTERS) filters[name] = params.get(name) ?? '';
  return filters;
}

/** The parameters both the page URL and GET /search take: trimmed, empty ones left out. */
export function searchParams(filters: SearchFilters): Query {
  const query: Query = {};
  const q = filters.q.trim();
  if (q) query.q = q;
  if (filters.kinds.length) query.kind = [...filters.kinds];
  if (filters.under) query.under = filters.under;
  for (const name of HEADER_FILTERS) {
    const value = filters[name].trim();
    if (value) query[name] = value;
  }
  return query;
}

/** The /search page of these filters. */
export function searchPath(filters: SearchFilters): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(searchParams(filters))) {
    if (Array.isArray(value)) for (const item of value) params.append(name, item);
    else params.set(name, String(value));
  }
  return paths.search(params.toString());
}

/** The API answers 422 without a word or a header filter: do not ask it then. */
export function hasCriteria(filters: SearchFilters): boolean {
  return !!filters.q.trim() || HEADER_FILTERS.some((name) => filters[name].trim());
}

/** Where a hit opens: the node, the study at the chapter, at the move commented on, with
 * a post's discussion open. */
export function hitHref(hit: SearchHit): string {
  if (hit.kind === 'node') return nodePath(hit.node);
  const chapterId = hit.chapter?.id;
  // move.id "" is the comment before the first move: the chapter's start.
  return paths.study(hit.node.id, chapterId, hit.move?.id || undefined, hit.thread_id ?? undefined);
}

/** "12. Nf3" or "12… Nf6" after `ply` half-moves from the start of the game. */
export function moveLabel(ply: number | null | undefined, san: string | null | undefined): string {
  if (!san) return '';
  if (!ply || ply < 1) return san;
  const number = Math.ceil(ply / 2);
  return ply % 2 === 1 ? `${number}. ${san}` : `${number}… ${san}`;
}

/** "1. d4 d5 2. Nf3": the SAN of a line whose first move is played at ply `firstPly`. */
export function numberedLine(sans: string[], firstPly: number): string {
  return sans
    .map((san, i) => {
      const ply = firstPly + i;
      if (ply % 2 === 1) return moveLabel(ply, san);
      return i === 0 ? moveLabel(ply, san) : san;
    })
    .join(' ');
}

/** What a hit is, in a few words: the node's name, the chapter, the move. */
export function hitTitle(hit: SearchHit): string {
  const parts = [hit.node.name];
  if (hit.chapter) parts.push(hit.chapter.name);
  if (hit.move) parts.push(hit.move.id ? moveLabel(hit.move.ply, hit.move.san) : 'before the first move');
  return parts.join(' › ');
}

/** The folders above a hit, without the node itself (the title names it). */
export function hitPlace(hit: SearchHit): string {
  return hit.breadcrumb
    .filter((place) => place.id !== hit.node.id)
    .map((place) => place.name)
    .join(' / ');
}

export interface SnippetPart {
  text: string;
  mark: boolean;
}

/**
 * The snippet as plain-text parts, the matched words marked. The view renders each part
 * as text (a <mark> element for matches), so nothing in a comment can become markup;
 * the API's `snippet_html` is never injected. Offsets count characters (code points, as
 * Python does), not UTF-16 units; out-of-range or overlapping ranges are clipped.
 */
export function snippetParts(snippet: string, highlights: readonly (readonly [number, number])[]): SnippetPart[] {
  const chars = Array.from(snippet);
  const ranges = highlights
    .map(([start, end]) => [Math.max(0, Math.floor(start)), Math.min(chars.length, Math.floor(end))] as const)
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  const parts: SnippetPart[] = [];
  const push = (text: string, mark: boolean) => {
    if (!text) return;
    const last = parts[parts.length - 1];
    if (last && last.mark === mark) last.text += text;
    else parts.push({ text, mark });
  };
  let at = 0;
  for (const [start, end] of ranges) {
    if (end <= at) continue;
    push(chars.slice(at, Math.max(at, start)).join(''), false);
    push(chars.slice(Math.max(at, start), end).join(''), true);
    at = end;
  }
  push(chars.slice(at).join(''), false);
  return parts;
}

/** Hits in kind order (as the header's suggestions group them), ranked within a kind. */
export function groupByKind(hits: SearchHit[]): [SearchKind, SearchHit[]][] {
  return KINDS.map(([kind]) => [kind, hits.filter((hit) => hit.kind === kind)] as [SearchKind, SearchHit[]]).filter(([, items]) => items.length > 0);
}
