// The JSON shapes of the studies API (src/catachess/studies/schemas.py, move_schemas.py,
// discussions/schemas.py, events/schemas.py), as the browser receives them.

export type Role = 'owner' | 'admin' | 'editor' | 'commenter' | 'viewer';
export type Orientation = 'white' | 'black';
export type ShapeColor = 'G' | 'R' | 'Y' | 'B';

export type Shape =
  | { kind: 'arrow'; from: string; to: string; color: ShapeColor }
  | { kind: 'circle'; square: string; color: ShapeColor };

/** One move; `children[0]` continues its line, the others are variations. */
export interface MoveNode {
  id: string;
  parent: string | null;
  san: string;
  uci: string;
  fen: string;
  comment: string;
  starting_comment: string;
  nags: number[];
  shapes: Shape[];
  clock: number | null;
  children: string[];
}

export interface MoveTree {
  format: number;
  fen: string;
  chess960: boolean;
  comment: string;
  children: string[];
  nodes: Record<string, MoveNode>;
}

export interface ChapterSummary {
  id: string;
  study_id: string;
  name: string;
  /** Markdown (issue 16). */
  description: string;
  position: number;
  orientation: Orientation;
  start_fen: string;
  node_count: number;
  version: number;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface ChapterRead extends ChapterSummary {
  headers: [string, string][];
  tree: MoveTree;
}

export interface StudyRead {
  id: string;
  workspace_id: string;
  parent_id: string | null;
  kind: string;
  name: string;
  version: number;
  role: Role | null;
  chapters: ChapterSummary[];
  /** Markdown (issue 16). */
  description: string;
  star_count: number;
  starred: boolean;
}

export interface StudyImport {
  studies: StudyRead[];
  game_count: number;
  chapter_count: number;
}

export interface MoveEdit {
  chapter_id: string;
  version: number;
  move: MoveNode | null;
  move_ids: string[];
}

export interface EventRead {
  event_id: string;
  event_type: string;
  actor_id: string | null;
  target: { id: string; type: string };
  timestamp: string;
  version: number | null;
  payload: Record<string, unknown>;
  correlation_id: string;
}

export interface ActivityRead {
  id: string;
  node_id: string;
  node_kind: string;
  event_type: string;
  actor_id: string | null;
  summary: string;
  occurred_at: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export type ReactionKind = '+1' | '-1' | 'heart' | 'laugh' | 'eyes' | 'rocket' | 'confused';

export interface ReactionCount {
  kind: ReactionKind;
  count: number;
  mine: boolean;
}

export interface PostRead {
  id: string;
  thread_id: string;
  parent_post_id: string | null;
  depth: number;
  author_id: string;
  body: string;
  version: number;
  created_at: string;
  edited_at: string | null;
  reactions: ReactionCount[];
}

export interface ThreadRead {
  id: string;
  study_id: string;
  chapter_id: string | null;
  move_id: string | null;
  title: string;
  created_by: string;
  created_at: string;
  updated_at: string;
  version: number;
  resolved_at: string | null;
  pinned_at: string | null;
  post_count: number;
}

export interface ThreadDetail extends ThreadRead {
  posts: PostRead[];
}
