// What the history adds around the board and move list: Ctrl+Z / Ctrl+Shift+Z, the banner
// of a past version shown read-only (with the diff marked in the move list), the "play the
// new move" prompt of replace mode, the undo conflict, and the kept/cut answer of a replace.

import './history.css';

import { useEffect, useLayoutEffect } from 'preact/hooks';
import { Button, Modal } from '../../ui';
import type { StudyCtrl } from '../ctrl';
import { moveNumber } from '../tree/tree';
import type { MoveTree } from '../tree/types';
import { markMoves } from './diff';
import { when } from './HistoryPanel';
import type { DiffMove } from './types';

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

/** Ctrl+Z undo, Ctrl+Shift+Z (or Ctrl+Y) redo, Esc leaves replace mode or a past version. */
function useHistoryKeys(ctrl: StudyCtrl): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typing(e.target) || document.querySelector('.modal-backdrop')) return;
      const history = ctrl.history;
      if (e.key === 'Escape' && (history.replacing || history.preview) && !ctrl.menu) {
        if (history.replacing) history.cancelReplace();
        else history.close();
        return;
      }
      if (!(e.ctrlKey || e.metaKey) || e.altKey || !ctrl.isEditor) return;
      const key = e.key.toLowerCase();
      if (key === 'z' && !e.shiftKey) {
        e.preventDefault();
        void history.undo();
      } else if ((key === 'z' && e.shiftKey) || key === 'y') {
        e.preventDefault();
        void history.redo();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [ctrl]);
}

export function moveLabel(tree: MoveTree, id: string): string {
  const node = tree.nodes[id];
  if (!node) return 'a move';
  const { number, white } = moveNumber(tree, id);
  return `${number}${white ? '.' : '...'} ${node.san}`;
}

function Moves({ moves, empty }: { moves: DiffMove[]; empty: string }) {
  if (!moves.length) return <p class="muted">{empty}</p>;
  return (
    <ul class="move-labels">
      {moves.map((m) => (
        <li key={m.id}>{m.label}</li>
      ))}
    </ul>
  );
}

function Replaced({ ctrl }: { ctrl: StudyCtrl }) {
  const result = ctrl.history.replaced;
  if (!result) return null;
  const close = () => ctrl.history.closeReplaced();
  return (
    <Modal
      title={`Replaced ${result.replaced} with ${result.move.san}`}
      onClose={close}
      footer={
        <>
          <Button
            class="undo-replace"
            onClick={() => {
              close();
              void ctrl.history.undo();
            }}
          >
            Undo the replace
          </Button>
          <Button kind="primary" class="replace-ok" onClick={close} autofocus>
            OK
          </Button>
        </>
      }
    >
      <div class="replace-result">
        <h3>
          Kept {result.kept.length} move{result.kept.length === 1 ? '' : 's'}
        </h3>
        <Moves moves={result.kept} empty="No move after it could be kept." />
        <h3 class={result.cut.length ? 'cut' : ''}>
          Cut {result.cut.length} move{result.cut.length === 1 ? '' : 's'} (no longer legal)
        </h3>
        <Moves moves={result.cut} empty="Nothing was cut." />
      </div>
    </Modal>
  );
}

export function HistoryLayer({ ctrl }: { ctrl: StudyCtrl }) {
  const history = ctrl.history;
  const preview = history.preview;
  useHistoryKeys(ctrl);
  useLayoutEffect(() => {
    markMoves(document.querySelector<HTMLElement>('.study-page .moves-box'), preview?.marks ?? null);
  });
  const tree = ctrl.tree;
  return (
    <>
      {preview && (
        <div class="history-banner preview-banner" role="status" data-preview={preview.version}>
          <p>
            <strong>Version {preview.version}</strong>
            {preview.entry && (
              <>
                {' '}
                · {history.authorName(preview.entry)} · {when(preview.entry.created_at)}: {preview.entry.summary}
              </>
            )}
            . Read-only.
          </p>
          {preview.words.length > 0 ? (
            <p class="muted">
              Since then: marked moves are <span class="legend gone">gone</span> or <span class="legend changed">changed</span>. Restoring it{' '}
              {preview.words.join('; ')}.
            </p>
          ) : (
            <p class="muted">The chapter is the same now.</p>
          )}
          <div class="buttons">
            {ctrl.isEditor && (
              <button type="button" class="restore-version" onClick={() => void history.restore(preview.version)}>
                Restore this version
              </button>
            )}
            <button type="button" class="back-to-current" onClick={() => history.close()}>
              Back to the current version
            </button>
          </div>
        </div>
      )}
      {history.replacing && tree && history.replacing in tree.nodes && (
        <div class="history-banner replace-banner" role="status">
          <p>
            Replacing <strong>{moveLabel(tree, history.replacing)}</strong>: play the new move on the board. The moves after it are replayed
            where still legal; you will see what was kept and what was cut.
          </p>
          <button type="button" onClick={() => history.cancelReplace()}>
            Cancel (Esc)
          </button>
        </div>
      )}
      {history.conflict && (
        <div class="history-banner conflict-banner" role="alert">
          <p>
            <strong>Nothing undone.</strong> {history.conflict.who} changed this chapter
            {history.conflict.when && ` on ${when(history.conflict.when)}`}
            {history.conflict.version !== null && ` (version ${history.conflict.version})`} after your last change. Undo only takes back your own
            last change; restore a version from the history instead.
          </p>
          <div class="buttons">
            <button type="button" class="open-history" onClick={() => history.openPanel()}>
              Open the history
            </button>
            <button type="button" onClick={() => history.dismissConflict()}>
              Dismiss
            </button>
          </div>
        </div>
      )}
      <Replaced ctrl={ctrl} />
    </>
  );
}
