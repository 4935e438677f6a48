// The study page (issue 10): chapters, board, move tree, discussion, activity, export.
// State and actions live in StudyCtrl (ctrl.ts); this file and view/ render it.

import 'chessground/assets/chessground.base.css';
import 'chessground/assets/chessground.brown.css';
import 'chessground/assets/chessground.cburnett.css';
import './study.css';

import { Component, type ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useNodeCrumbs } from '../layout/crumbs';
import { navigate, paths } from '../router';
import { useSession } from '../session';
import { StudyCtrl } from './ctrl';
import { useLive } from './live/hook';
import { LiveBar } from './live/view';
import { HistoryLayer } from './history/HistoryLayer';
import { StudyActions } from './meta/StudyActions';
import { Board, PromotionDialog } from './view/board';
import { Chapters } from './view/chapters';
import { CommentEditor, MoveMenu } from './view/menu';
import { MoveList, highlight } from './view/moves';
import { Side } from './view/side';

export interface StudyPageProps {
  studyId: string;
  chapterId?: string;
  moveId?: string;
  /** A discussion to open once the chapter is shown (links from search and the bell). */
  threadId?: string;
}

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

/** ← → step, Home/End, ↑ ↓ switch variation, f flip (not while typing). */
function useKeyboard(ctrl: StudyCtrl): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      const run: Record<string, () => void> = {
        ArrowRight: () => ctrl.next(),
        ArrowLeft: () => ctrl.prev(),
        Home: () => ctrl.first(),
        End: () => ctrl.last(),
        ArrowUp: () => ctrl.variation(-1),
        ArrowDown: () => ctrl.variation(1),
        f: () => ctrl.flip(),
      };
      const action = run[e.key];
      if (!action) return;
      e.preventDefault();
      action();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [ctrl]);
}

const ICONS = {
  first: 'M6 5h2v14H6zM9.5 12 18 5v14z',
  prev: 'M7 12 17 5v14z',
  next: 'M17 12 7 5v14z',
  last: 'M16 5h2v14h-2zM14.5 12 6 5v14z',
  flip: 'M7 3 3 7h3v10h2V7h3zm10 18 4-4h-3V7h-2v10h-3z',
  comment: 'M4 4h16v12H8l-4 4z',
  menu: 'M10 4h4v4h-4zm0 6h4v4h-4zm0 6h4v4h-4z',
  undo: 'M12.5 8c-2.65 0-5.05 1-6.9 2.6L2 7v9h9l-3.62-3.62A7.9 7.9 0 0 1 12.5 9.5c3.54 0 6.55 2.31 7.6 5.5l2.37-.78C21.08 11.03 17.15 8 12.5 8z',
  find: 'M10 3a7 7 0 1 0 4.2 12.6l5.1 5.1 1.4-1.4-5.1-5.1A7 7 0 0 0 10 3zm0 2a5 5 0 1 1 0 10 5 5 0 0 1 0-10z',
};

function Icon({ name }: { name: keyof typeof ICONS }) {
  return (
    <svg viewBox="0 0 24 24" aria-hidden="true">
      <path d={ICONS[name]} />
    </svg>
  );
}

function Controls({ ctrl }: { ctrl: StudyCtrl }) {
  const at = ctrl.at;
  return (
    <div class="board-controls">
      <button type="button" title="First move (Home)" onClick={() => ctrl.first()}>
        <Icon name="first" />
      </button>
      <button type="button" title="Previous move (←)" onClick={() => ctrl.prev()}>
        <Icon name="prev" />
      </button>
      <button type="button" title="Next move (→)" onClick={() => ctrl.next()}>
        <Icon name="next" />
      </button>
      <button type="button" title="Last move (End)" onClick={() => ctrl.last()}>
        <Icon name="last" />
      </button>
      <button type="button" title="Flip the board (f)" class="flip" onClick={() => ctrl.flip()}>
        <Icon name="flip" />
      </button>
      {ctrl.canEdit && (
        <button type="button" title="Comment on this position" class="comment-button" onClick={() => ctrl.openComment(at)}>
          <Icon name="comment" />
        </button>
      )}
      {ctrl.canEdit && at !== null && (
        <button
          type="button"
          title="Move menu"
          class="menu-button"
          onClick={(e) => {
            const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
            ctrl.openMenu(at, r.left, r.bottom);
          }}
        >
          <Icon name="menu" />
        </button>
      )}
      {ctrl.isEditor && (
        <button type="button" title="Undo your last change (Ctrl+Z)" class="undo-button" onClick={() => void ctrl.history.undo()}>
          <Icon name="undo" />
        </button>
      )}
      {ctrl.me && (
        <button type="button" title="Find this position in other studies" class="find-position" onClick={() => navigate(paths.positions(ctrl.fen(), `${ctrl.chapter?.id}/${at ?? ''}`))}>
          <Icon name="find" />
        </button>
      )}
      {ctrl.busy > 0 && <span class="saving">saving…</span>}
    </div>
  );
}

/** Renders its children again only when one of `deps` changed (stepping leaves them). */
class Pure extends Component<{ deps: unknown[]; children: () => ComponentChildren }> {
  shouldComponentUpdate(next: { deps: unknown[] }): boolean {
    return next.deps.some((dep, i) => dep !== this.props.deps[i]);
  }

  render() {
    return this.props.children();
  }
}

function FlashBar({ ctrl }: { ctrl: StudyCtrl }) {
  const flash = ctrl.flash;
  if (!flash) return null;
  return (
    <div class={`flash ${flash.kind}`} role={flash.kind === 'error' ? 'alert' : 'status'}>
      <span class="flash-text">{flash.text}</span>
      {flash.links && flash.links.length > 0 && (
        <ul>
          {flash.links.map((l) => (
            <li key={l.href}>
              <a href={l.href}>{l.label}</a>
            </li>
          ))}
        </ul>
      )}
      <button type="button" class="close" title="Dismiss" onClick={() => ctrl.dismiss()}>
        ×
      </button>
    </div>
  );
}

export function StudyPage({ studyId, chapterId, moveId, threadId }: StudyPageProps) {
  const { user } = useSession();
  const [, setTick] = useState(0);
  const ctrl = useMemo(() => {
    const created = new StudyCtrl(() => setTick((t) => t + 1));
    // Start fetching during the first render, not after its paint.
    void created.open(studyId, chapterId, moveId);
    return created;
  }, []);
  ctrl.me = user?.id ?? null;
  const live = useLive(ctrl);
  const list = useRef<HTMLDivElement>(null);
  const marked = useRef(false);
  const shown = useRef<{ at: string | null; rev: number }>({ at: null, rev: -1 });

  useEffect(() => {
    if (ctrl.studyId === studyId && chapterId && ctrl.chapter?.id !== chapterId && ctrl.study) {
      void ctrl.selectChapter(chapterId, moveId);
    } else if (ctrl.studyId !== studyId) {
      void ctrl.open(studyId, chapterId, moveId);
    }
  }, [studyId, chapterId]);
  // A link to another move of the open chapter (search, notifications) goes there; the
  // page's own ?move= coming back is no such link (ctrl.followUrl).
  useEffect(() => ctrl.followUrl(chapterId, moveId), [moveId]);
  useEffect(() => {
    if (!threadId || !ctrl.chapter || ctrl.thread?.id === threadId) return;
    ctrl.setTab('discussion');
    void ctrl.openThread(threadId);
  }, [threadId, ctrl.chapter?.id]);
  useKeyboard(ctrl);
  const open = ctrl.chapter;
  useNodeCrumbs(studyId, open ? [{ label: open.name, href: paths.study(studyId, open.id) }] : []);

  useLayoutEffect(() => {
    if (!ctrl.loading && ctrl.tree && !marked.current) {
      // For bench/web_study.py: the first frame in which the chapter stands drawn.
      marked.current = true;
      requestAnimationFrame(() => performance.mark('study:interactive'));
    }
    if (shown.current.at !== ctrl.at || shown.current.rev !== ctrl.treeRev) {
      highlight(list.current, ctrl.at);
      shown.current = { at: ctrl.at, rev: ctrl.treeRev };
    }
  });

  if (ctrl.loadError) {
    return (
      <div class="study-page">
        <p class="load-error" role="alert">
          {ctrl.loadError}
        </p>
        {!user && <p class="muted">Not found, or not public: <a href={paths.login(`/s/${studyId}`)}>log in</a> if it was shared with you.</p>}
      </div>
    );
  }
  const study = ctrl.study;
  const chapter = ctrl.chapter;
  const tree = ctrl.tree;
  return (
    <div
      class={`study-page${ctrl.canEdit ? ' can-edit' : ''}`}
      data-fen={ctrl.fen()}
      data-at={ctrl.at ?? ''}
      data-version={chapter?.version ?? ''}
      data-role={study?.role ?? ''}
      data-loading={ctrl.loading ? 'true' : 'false'}
    >
      <header class="study-head">
        <h1>{study?.name ?? 'Loading…'}</h1>
        {chapter && <span class="chapter-title">{chapter.name}</span>}
        {study?.role && <span class="role">{study.role}</span>}
        <LiveBar ctrl={ctrl} live={live} />
        <StudyActions ctrl={ctrl} />
      </header>
      <aside class="study-chapters">
        <Pure deps={[study, chapter?.id, ctrl.busy > 0]}>{() => study && <Chapters ctrl={ctrl} />}</Pure>
      </aside>
      <div class="study-board">
        <div class="board-frame">
          <Board ctrl={ctrl} />
          <PromotionDialog ctrl={ctrl} />
        </div>
        <Controls ctrl={ctrl} />
      </div>
      <div class="study-side">
        <FlashBar ctrl={ctrl} />
        <HistoryLayer ctrl={ctrl} />
        <div class="moves-box" ref={list}>
          {tree ? (
            <MoveList tree={tree} rev={ctrl.treeRev} onJump={(at) => ctrl.jump(at)} onMenu={(at, x, y) => ctrl.openMenu(at, x, y)} />
          ) : (
            <p class="moves-empty">{ctrl.loading ? 'Loading…' : 'This study has no chapter yet.'}</p>
          )}
        </div>
        <CommentEditor ctrl={ctrl} />
        {study && <Side ctrl={ctrl} />}
      </div>
      <MoveMenu ctrl={ctrl} />
    </div>
  );
}
