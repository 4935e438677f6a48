// The study's buttons in the page header: star (with the count), clone, copy/move chapters,
// export with options; and the dialogs they open.

import './meta.css';

import { useState } from 'preact/hooks';
import type { StudyCtrl } from '../ctrl';
import { CloneDialog, CopyChaptersDialog, ExportDialog } from './dialogs';

type Dialog = 'clone' | 'copy' | 'export' | null;

const STAR = 'M12 3.5l2.6 5.3 5.9.9-4.3 4.1 1 5.8-5.2-2.7-5.2 2.7 1-5.8-4.3-4.1 5.9-.9z';

export function StudyActions({ ctrl }: { ctrl: StudyCtrl }) {
  const [dialog, setDialog] = useState<Dialog>(null);
  const study = ctrl.study;
  if (!study) return null;
  const close = () => setDialog(null);
  const signedIn = ctrl.me !== null;
  return (
    <span class="study-actions">
      {signedIn && (
        <button
          type="button"
          class={`star-button${study.starred ? ' on' : ''}`}
          aria-pressed={study.starred}
          title={study.starred ? 'Remove your star' : 'Star this study'}
          onClick={() => void ctrl.meta.toggleStar()}
        >
          <svg viewBox="0 0 24 24" aria-hidden="true">
            <path d={STAR} />
          </svg>
          <span class="star-count">{study.star_count}</span>
        </button>
      )}
      {signedIn && (
        <button type="button" class="clone-button" title="Copy this study into a folder of yours" onClick={() => setDialog('clone')}>
          Clone
        </button>
      )}
      {signedIn && study.chapters.length > 0 && (
        <button type="button" class="copy-button" title="Copy or move chapters to another study" onClick={() => setDialog('copy')}>
          Copy chapters
        </button>
      )}
      <button type="button" class="export-button" title="Download PGN with options" onClick={() => setDialog('export')}>
        Export
      </button>
      {dialog === 'clone' && <CloneDialog ctrl={ctrl} close={close} />}
      {dialog === 'copy' && <CopyChaptersDialog ctrl={ctrl} close={close} />}
      {dialog === 'export' && <ExportDialog ctrl={ctrl} close={close} />}
    </span>
  );
}
