// NAG numbers and their glyphs, grouped as Lichess groups them: a move has at most one
// move glyph and one position glyph; observations may add up.

export interface Glyph {
  nag: number;
  symbol: string;
  name: string;
}

export const MOVE_GLYPHS: Glyph[] = [
  { nag: 1, symbol: '!', name: 'Good move' },
  { nag: 2, symbol: '?', name: 'Mistake' },
  { nag: 3, symbol: '!!', name: 'Brilliant move' },
  { nag: 4, symbol: '??', name: 'Blunder' },
  { nag: 5, symbol: '!?', name: 'Interesting move' },
  { nag: 6, symbol: '?!', name: 'Dubious move' },
  { nag: 7, symbol: '□', name: 'Only move' },
];

export const POSITION_GLYPHS: Glyph[] = [
  { nag: 10, symbol: '=', name: 'Equal position' },
  { nag: 13, symbol: '∞', name: 'Unclear position' },
  { nag: 14, symbol: '⩲', name: 'White is slightly better' },
  { nag: 15, symbol: '⩱', name: 'Black is slightly better' },
  { nag: 16, symbol: '±', name: 'White is better' },
  { nag: 17, symbol: '∓', name: 'Black is better' },
  { nag: 18, symbol: '+−', name: 'White is winning' },
  { nag: 19, symbol: '−+', name: 'Black is winning' },
];

export const OBSERVATION_GLYPHS: Glyph[] = [
  { nag: 22, symbol: '⨀', name: 'Zugzwang' },
  { nag: 32, symbol: '⟳', name: 'Development' },
  { nag: 36, symbol: '→', name: 'Initiative' },
  { nag: 40, symbol: '↑', name: 'Attack' },
  { nag: 132, symbol: '⇆', name: 'Counterplay' },
  { nag: 138, symbol: '⊕', name: 'Time trouble' },
  { nag: 146, symbol: 'N', name: 'Novelty' },
];

const BY_NAG = new Map<number, Glyph>(
  [...MOVE_GLYPHS, ...POSITION_GLYPHS, ...OBSERVATION_GLYPHS].map((g) => [g.nag, g]),
);

/** The glyph of a NAG, or `$n` for one without a symbol (PGN's own notation). */
export function glyphOf(nag: number): string {
  return BY_NAG.get(nag)?.symbol ?? `$${nag}`;
}

/** Toggle a NAG as Lichess does: one move glyph and one position glyph at most. */
export function toggleNag(nags: number[], nag: number): number[] {
  if (nags.includes(nag)) return nags.filter((n) => n !== nag);
  const group = [MOVE_GLYPHS, POSITION_GLYPHS].find((g) => g.some((x) => x.nag === nag));
  const kept = group ? nags.filter((n) => !group.some((x) => x.nag === n)) : nags;
  return [...kept, nag].sort((a, b) => a - b);
}

/** [%clk] seconds as the clock shows them: 1:02:03, or 2:03 under an hour. */
export function formatClock(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
