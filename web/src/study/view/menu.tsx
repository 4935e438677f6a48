// The context menu of a move (right click in the move list, or the ⋮ button) and the
// comment editor. Editing entries exist only for editors.

import { useEffect, useRef } from 'preact/hooks';
import type { StudyCtrl } from '../ctrl';
import { MOVE_GLYPHS, OBSERVATION_GLYPHS, POSITION_GLYPHS, type Glyph } from '../tree/nag';
import { isMainline, parentOf } from '../tree/tree';

function GlyphRow({ ctrl, at, glyphs }: { ctrl: StudyCtrl; at: string; glyphs: Glyph[] }) {
  const nags = ctrl.tree!.nodes[at].nags;
  return (
    <div class="glyph-row">
      {glyphs.map((g) => (
        <button
          type="button"
          key={g.nag}
          title={g.name}
          class={nags.includes(g.nag) ? 'glyph on' : 'glyph'}
          data-nag={g.nag}
          onClick={() => {
            ctrl.closeMenu();
            void ctrl.setNags(at, g.nag);
          }}
        >
          {g.symbol}
        </button>
      ))}
    </div>
  );
}

export function MoveMenu({ ctrl }: { ctrl: StudyCtrl }) {
  const menu = ctrl.menu;
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!menu) return;
    const close = (event: Event) => {
      if (ref.current && !ref.current.contains(event.target as Node)) ctrl.closeMenu();
    };
    const escape = (event: KeyboardEvent) => event.key === 'Escape' && ctrl.closeMenu();
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', escape);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', escape);
    };
  }, [menu]);
  const tree = ctrl.tree;
  if (!menu || !tree || !(menu.at in tree.nodes)) return null;
  const at = menu.at;
  const node = tree.nodes[at];
  const main = isMainline(tree, at);
  const act = (run: () => unknown) => () => {
    ctrl.closeMenu();
    void run();
  };
  const x = Math.min(menu.x, window.innerWidth - 270);
  const y = Math.min(menu.y, window.innerHeight - 420);
  return (
    <div class="move-menu" ref={ref} style={{ left: `${Math.max(4, x)}px`, top: `${Math.max(4, y)}px` }} role="menu">
      <div class="move-menu-title">{node.san}</div>
      {ctrl.canEdit && (
        <>
          <button type="button" role="menuitem" onClick={act(() => ctrl.openComment(at))}>
            Comment…
          </button>
          <GlyphRow ctrl={ctrl} at={at} glyphs={MOVE_GLYPHS} />
          <GlyphRow ctrl={ctrl} at={at} glyphs={POSITION_GLYPHS} />
          <GlyphRow ctrl={ctrl} at={at} glyphs={OBSERVATION_GLYPHS} />
          {!main && (
            <>
              <button type="button" role="menuitem" onClick={act(() => ctrl.promote(at, 'mainline'))}>
                Make main line
              </button>
              <button type="button" role="menuitem" onClick={act(() => ctrl.promote(at, 'up'))}>
                Promote variation
              </button>
            </>
          )}
          <button type="button" role="menuitem" class="replace-move" onClick={act(() => ctrl.history.startReplace(at))}>
            Replace move…
          </button>
          <button type="button" role="menuitem" onClick={act(() => ctrl.toChapter(at))}>
            Copy line into a new chapter
          </button>
          {parentOf(tree, at) !== null && (
            <button
              type="button"
              role="menuitem"
              onClick={act(() => confirm('Cut every move before this one? The chapter will start here.') && ctrl.cutBefore(at))}
            >
              Cut the chapter before this move
            </button>
          )}
          <button
            type="button"
            role="menuitem"
            class="danger"
            onClick={act(() => confirm(`Delete ${node.san} and every move after it?`) && ctrl.deleteFrom(at))}
          >
            Delete from here
          </button>
        </>
      )}
      <button type="button" role="menuitem" onClick={act(() => ctrl.download('clip', 'full'))}>
        Download PGN from here
      </button>
      {ctrl.canDiscuss && (
        <button type="button" role="menuitem" onClick={act(() => ctrl.setTab('discussion'))}>
          Discuss this move
        </button>
      )}
    </div>
  );
}

export function CommentEditor({ ctrl }: { ctrl: StudyCtrl }) {
  const editor = ctrl.comment;
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => ref.current?.focus(), [editor?.at]);
  if (!editor) return null;
  const tree = ctrl.tree;
  const label = editor.at === null ? 'before the first move' : `after ${tree?.nodes[editor.at]?.san ?? 'a deleted move'}`;
  return (
    <form
      class="comment-editor"
      onSubmit={(e) => {
        e.preventDefault();
        void ctrl.saveComment();
      }}
    >
      <label>
        Comment {label}
        <textarea
          ref={ref}
          rows={3}
          value={editor.text}
          onInput={(e) => (editor.text = (e.target as HTMLTextAreaElement).value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void ctrl.saveComment();
          }}
        />
      </label>
      {editor.error && (
        <p class="form-error" role="alert">
          {editor.error}
        </p>
      )}
      <div class="buttons">
        <button type="submit" disabled={editor.saving}>
          {editor.saving ? 'Saving…' : 'Save comment'}
        </button>
        <button
          type="button"
          onClick={() => {
            ctrl.comment = null;
            ctrl.redraw();
          }}
        >
          Cancel
        </button>
      </div>
    </form>
  );
}
