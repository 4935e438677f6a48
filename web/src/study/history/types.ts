// The JSON shapes of the history API (src/catachess/history/schemas.py).

import type { ChapterSummary, MoveTree, Orientation } from '../tree/types';

export interface Author {
  id: string;
  display_name: string | null;
}

export interface HistoryEntry {
  version: number;
  chapter_id: string;
  kind: string;
  author: Author | null;
  created_at: string;
  summary: string;
  correlation_id: string | null;
  details: Record<string, unknown>;
}

export interface StudyHistoryEntry extends HistoryEntry {
  restorable: boolean;
}

export interface ChapterVersion {
  id: string;
  study_id: string;
  version: number;
  kind: string;
  author_id: string | null;
  created_at: string;
  name: string;
  orientation: Orientation;
  start_fen: string;
  node_count: number;
  headers: [string, string][];
  tree: MoveTree;
}

/** A move named in a diff: its id in the chapter and its label ("12... Nxe4"). */
export interface DiffMove {
  id: string;
  san: string;
  label: string;
  /** In diffs: the move before it (null: the first move). */
  parent?: string | null;
}

/** A change on one move (comment, NAGs, shapes, clock). */
export interface DiffChange {
  move_id: string | null;
  label: string;
  before: unknown;
  after: unknown;
}

export interface ChapterDiff {
  from_version: number;
  to_version: number;
  moves_added: DiffMove[];
  moves_removed: DiffMove[];
  moves_replaced: Record<string, unknown>[];
  promoted: Record<string, unknown>[];
  comments: DiffChange[];
  starting_comments: DiffChange[];
  nags: DiffChange[];
  shapes: DiffChange[];
  clocks: DiffChange[];
  chapter: Record<string, unknown>;
}

export interface Restored {
  chapter: ChapterSummary;
  restored_version: number;
}

export interface Undone {
  chapter: ChapterSummary;
  undone_version: number;
  restored_version: number;
}

export interface MoveReplaced {
  chapter_id: string;
  version: number;
  move: { id: string; san: string };
  replaced: string;
  kept: DiffMove[];
  cut: DiffMove[];
}

export interface DeletedChapterRestored {
  chapter: ChapterSummary;
  thread_count: number;
}
