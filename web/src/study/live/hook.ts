// Binds the live side (stream, presence) to the study page's lifetime.
import './live.css';

import { useEffect, useMemo } from 'preact/hooks';
import type { StudyCtrl } from '../ctrl';
import { StudyLive } from './live';

export function useLive(ctrl: StudyCtrl): StudyLive {
  const studyId = ctrl.studyId;
  // One per study the page shows (its page id, stream and presence belong to that study).
  const live = useMemo(() => new StudyLive(ctrl), [ctrl, studyId]);
  useEffect(() => {
    if (!studyId) return;
    live.start();
    return () => live.stop();
  }, [live, studyId]);
  useEffect(() => live.sync());
  return live;
}
