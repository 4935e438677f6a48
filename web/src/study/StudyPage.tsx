// Placeholder: the study page (board, move tree, chapters, discussions) is built on the
// web-study branch, which replaces this file.
import { useNodeCrumbs } from '../layout/crumbs';

export interface StudyPageProps {
  studyId: string;
  chapterId?: string;
  moveId?: string;
}

export function StudyPage({ studyId }: StudyPageProps) {
  useNodeCrumbs(studyId);
  return (
    <section class="page">
      <h1>Study</h1>
      <p class="muted">The study page is coming.</p>
    </section>
  );
}
