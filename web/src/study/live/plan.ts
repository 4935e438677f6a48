// What an open study page does about one event of its stream (pure, unit-tested).
// The page refetches what an event touched rather than patching its copy: a refetch is
// idempotent, so an event seen twice, or an event of the page's own write, costs a read
// and never applies a change twice. The chapter the user is on is not even refetched
// when it already has the event's version (the page's own edits set that version), nor
// the study's chapter list after a tree edit its line already shows (the page's own
// tree edits note their version there too).

import type { EventRead } from '../tree/types';

export interface PageView {
  studyId: string;
  chapterId: string | null;
  /** The open chapter's version (what the page shows). */
  chapterVersion: number | null;
  /** The open chapter's version in the study's chapter list (If-Match of a rename). */
  listedVersion: number | null;
  /** The open discussion thread. */
  threadId: string | null;
}

export interface Plan {
  /** Refetch the open chapter (the user's place is kept). */
  chapter: boolean;
  /** Refetch the study: name, role, chapter list (names, order, versions). */
  study: boolean;
  /** Refetch the discussion list, activity and chapter history. */
  side: boolean;
  /** Refetch the open thread. */
  thread: boolean;
  /** The move the change is about, to highlight and to follow. */
  moveId: string | null;
  /** The chapter the change is about. */
  chapterId: string | null;
  /** The open chapter was deleted. */
  chapterGone: boolean;
}

const NOTHING: Plan = { chapter: false, study: false, side: false, thread: false, moveId: null, chapterId: null, chapterGone: false };

// Edits of a chapter's move tree, made by the page's tree editor (ctrl.editTree,
// ctrl.saveComment, which note the new version in the chapter list too) or by others:
// the chapter's line in the list changes by its version only.
const TREE_EDITS = new Set([
  'chapter.move_added',
  'chapter.moves_deleted',
  'chapter.variation_promoted',
  'chapter.nags_set',
  'chapter.shapes_set',
  'chapter.cut',
  'chapter.comment_set',
]);

function text(value: unknown): string | null {
  return typeof value === 'string' && value ? value : null;
}

export function planFor(event: EventRead, view: PageView): Plan {
  const type = event.event_type;
  const p = event.payload ?? {};
  const plan: Plan = { ...NOTHING };
  if (event.target.type === 'chapter' || type.startsWith('chapter.')) {
    const chapterId = event.target.type === 'chapter' ? event.target.id : text(p.chapter_id);
    plan.chapterId = chapterId;
    plan.moveId = text(p.move_id);
    // Versions, names and order of the list change with every chapter edit.
    plan.study = true;
    if (chapterId !== null && chapterId === view.chapterId) {
      if (type === 'chapter.deleted') plan.chapterGone = true;
      else plan.chapter = view.chapterVersion === null || event.version === null || event.version > view.chapterVersion;
      // A tree edit the chapter and its line in the list both hold already (the page's
      // own, typically): nothing to read. The list's version counts, not the chapter's:
      // a re-read of the chapter alone may have brought someone else's edit first.
      const listed = view.listedVersion !== null && event.version !== null && event.version <= view.listedVersion;
      if (!plan.chapter && !plan.chapterGone && listed && TREE_EDITS.has(type)) plan.study = false;
    }
    plan.side = plan.chapter;
    return plan;
  }
  if (type.startsWith('study.') || type.startsWith('node.') || type.startsWith('acl.')) {
    plan.study = !(type === 'study.starred' || type === 'study.unstarred');
    plan.chapterId = text(p.chapter_id);
    return plan;
  }
  if (type.startsWith('discussion.')) {
    plan.side = true;
    const threadId = event.target.type === 'thread' || event.target.type === 'discussion' ? event.target.id : text(p.thread_id);
    plan.thread = view.threadId !== null && (threadId === view.threadId || text(p.thread_id) === view.threadId);
    plan.chapterId = text(p.chapter_id);
    plan.moveId = text(p.move_id);
    return plan;
  }
  if (type === 'activity.recorded') plan.side = true;
  return plan;
}

/** Several plans as one (events that arrive together are handled with one refetch each). */
export function merge(a: Plan, b: Plan): Plan {
  return {
    chapter: a.chapter || b.chapter,
    study: a.study || b.study,
    side: a.side || b.side,
    thread: a.thread || b.thread,
    moveId: b.moveId ?? a.moveId,
    chapterId: b.chapterId ?? a.chapterId,
    chapterGone: a.chapterGone || b.chapterGone,
  };
}

/** A plan that asks for nothing (an event the page does not show). */
export function isEmpty(plan: Plan): boolean {
  return !(plan.chapter || plan.study || plan.side || plan.thread || plan.chapterGone);
}
