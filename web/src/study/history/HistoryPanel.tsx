// The "History" tab: the chapter's versions (who, when, what in words; click one to see it
// on the board), "Restore this version", and the study's history with deleted chapters.

import { useEffect } from 'preact/hooks';
import type { StudyCtrl } from '../ctrl';
import type { HistoryEntry, StudyHistoryEntry } from './types';

export function when(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}

function Version({ ctrl, entry, current }: { ctrl: StudyCtrl; entry: HistoryEntry; current: boolean }) {
  const history = ctrl.history;
  const shown = history.preview?.version === entry.version;
  const opening = history.opening === entry.version;
  return (
    <li class={`version${shown ? ' shown' : ''}${current ? ' current' : ''}`} data-version={entry.version}>
      <button type="button" class="version-open" title={current ? 'The chapter as it is now' : 'Show this version on the board'} onClick={() => void history.show(entry.version)}>
        <span class="version-no">v{entry.version}</span>
        <span class="version-summary">{entry.summary}</span>
        <span class="version-meta">
          {history.authorName(entry)} · {when(entry.created_at)}
          {current && ' · current'}
          {opening && ' · opening…'}
        </span>
      </button>
      {shown && ctrl.isEditor && (
        <button type="button" class="restore-version" onClick={() => void history.restore(entry.version)}>
          Restore this version
        </button>
      )}
    </li>
  );
}

function StudyLine({ ctrl, entry }: { ctrl: StudyCtrl; entry: StudyHistoryEntry }) {
  return (
    <li class="study-version" data-chapter={entry.chapter_id}>
      <span class="version-summary">{entry.summary}</span>
      <span class="version-meta">
        {ctrl.history.authorName(entry)} · {when(entry.created_at)}
      </span>
      {entry.restorable && ctrl.isEditor && (
        <button type="button" class="restore-chapter" onClick={() => void ctrl.history.restoreChapter(entry)}>
          Restore chapter
        </button>
      )}
    </li>
  );
}

export function HistoryPanel({ ctrl }: { ctrl: StudyCtrl }) {
  const history = ctrl.history;
  const chapter = ctrl.chapter;
  // Read again whenever the chapter changed (an edit, an undo, another chapter).
  useEffect(() => {
    if (history.stale && !history.loading) void history.load();
  }, [chapter?.id, chapter?.version]);
  if (!chapter) return <p class="muted">No chapter.</p>;
  return (
    <div class="history">
      <div class="history-head">
        <h3>This chapter</h3>
        {ctrl.isEditor && (
          <span class="buttons">
            <button type="button" class="undo" title="Undo your last change (Ctrl+Z)" onClick={() => void history.undo()}>
              Undo
            </button>
            <button type="button" class="redo" title="Redo (Ctrl+Shift+Z)" disabled={!history.canRedo} onClick={() => void history.redo()}>
              Redo
            </button>
          </span>
        )}
      </div>
      {history.error && (
        <p class="form-error" role="alert">
          {history.error}
        </p>
      )}
      <ol class="versions">
        {history.entries.map((entry) => (
          <Version key={entry.version} ctrl={ctrl} entry={entry} current={entry.version === chapter.version} />
        ))}
        {history.entries.length === 0 && !history.loading && <li class="muted">No versions recorded yet.</li>}
      </ol>
      {history.next && (
        <button type="button" class="link" onClick={() => void history.load(true)}>
          Older versions…
        </button>
      )}
      {history.loading && <p class="muted">Loading…</p>}
      <h3>The study</h3>
      <ol class="study-versions">
        {history.studyEntries.map((entry) => (
          <StudyLine key={`${entry.chapter_id}-${entry.version}`} ctrl={ctrl} entry={entry} />
        ))}
        {history.studyEntries.length === 0 && !history.loading && <li class="muted">Nothing yet.</li>}
      </ol>
      {history.studyNext && (
        <button type="button" class="link" onClick={() => void history.loadMoreStudy()}>
          Older…
        </button>
      )}
    </div>
  );
}
