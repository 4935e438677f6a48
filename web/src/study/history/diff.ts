// What the board and move list show of a diff between a past version (shown) and the
// chapter as it is now: pure functions of the API's diff (GET …/diff?from=past&to=now).

import type { ChapterDiff, DiffMove } from './types';

/** How a move of the past version differs from now: gone since, or changed since. */
export type Mark = 'gone' | 'changed';

/** Move ids of the past version to mark in its move list. */
export function diffMarks(diff: ChapterDiff): Map<string, Mark> {
  const marks = new Map<string, Mark>();
  const changed = [...diff.comments, ...diff.starting_comments, ...diff.nags, ...diff.shapes, ...diff.clocks];
  for (const change of changed) if (change.move_id) marks.set(change.move_id, 'changed');
  for (const replaced of diff.moves_replaced) if (typeof replaced.id === 'string') marks.set(replaced.id, 'changed');
  for (const move of diff.moves_removed) marks.set(move.id, 'gone');
  return marks;
}

/** The first moves of the lines in `moves` (a line's later moves only repeat it). */
function lineStarts(moves: DiffMove[], parents: Map<string, string | null>): DiffMove[] {
  const ids = new Set(moves.map((m) => m.id));
  return moves.filter((m) => !ids.has(parents.get(m.id) ?? ''));
}

function listed(moves: DiffMove[], parents: Map<string, string | null>): string {
  const starts = lineStarts(moves, parents);
  const shown = starts.slice(0, 4).map((m) => m.label);
  const more = starts.length > 4 ? ` and ${starts.length - 4} more lines` : '';
  const count = moves.length === 1 ? '1 move' : `${moves.length} moves`;
  return `${count} (${shown.join(', ')}${more})`;
}

/**
 * What restoring the past version would change, in words, one line per kind of change
 * (empty when the past version equals the chapter now).
 */
export function restoreWords(diff: ChapterDiff): string[] {
  const parents = new Map<string, string | null>();
  for (const m of [...diff.moves_added, ...diff.moves_removed]) parents.set(m.id, m.parent ?? null);
  const lines: string[] = [];
  if (diff.moves_removed.length) lines.push(`brings back ${listed(diff.moves_removed, parents)}`);
  if (diff.moves_added.length) lines.push(`removes ${listed(diff.moves_added, parents)} added since`);
  if (diff.moves_replaced.length) lines.push(`puts back ${diff.moves_replaced.length} replaced move(s)`);
  const annotations = diff.comments.length + diff.starting_comments.length;
  if (annotations) lines.push(`changes ${annotations} comment(s) back`);
  if (diff.nags.length) lines.push(`changes the glyphs of ${diff.nags.length} move(s) back`);
  if (diff.shapes.length) lines.push(`changes the arrows and circles of ${diff.shapes.length} move(s) back`);
  if (diff.clocks.length) lines.push(`changes ${diff.clocks.length} clock(s) back`);
  if (diff.promoted.length) lines.push('puts the variations back in their old order');
  const chapter = diff.chapter as Record<string, { before: unknown; after: unknown } | undefined>;
  if (chapter.name) lines.push(`renames the chapter back to “${String(chapter.name.before)}”`);
  if (chapter.orientation) lines.push(`turns the board back to ${String(chapter.orientation.before)}`);
  if (chapter.headers) lines.push('puts the PGN tags back as they were');
  if (chapter.start_fen) lines.push('puts back the old start position');
  return lines;
}

/** Mark the moves of `marks` in the rendered move list (classes diff-gone / diff-changed). */
export function markMoves(list: HTMLElement | null, marks: Map<string, Mark> | null): void {
  if (!list) return;
  for (const el of list.querySelectorAll('.move.diff-gone, .move.diff-changed')) el.classList.remove('diff-gone', 'diff-changed');
  if (!marks) return;
  for (const [id, mark] of marks) list.querySelector(`[data-id="${CSS.escape(id)}"]`)?.classList.add(`diff-${mark}`);
}
