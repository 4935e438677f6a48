// The chapter's history on the study page (issue 14): the versions, a past version shown
// read-only on the board with the diff against now, restore, undo/redo of your own changes
// (Ctrl+Z / Ctrl+Shift+Z), the study's history with deleted chapters brought back, and
// "replace move" (the user plays the new move on the board; what was kept and cut is shown).
//
// State lives here; StudyCtrl shows `preview` instead of the chapter's tree while a version
// is open, and hands a move played in replace mode to `takeReplacement`.

import { ApiError, api, newAction } from '../../api';
import { confirmDialog } from '../../ui';
import type { StudyCtrl } from '../ctrl';
import { problemText } from '../ctrl';
import { parentOf } from '../tree/tree';
import type { Page } from '../tree/types';
import { diffMarks, type Mark, restoreWords } from './diff';
import type {
  ChapterDiff,
  ChapterVersion,
  DeletedChapterRestored,
  HistoryEntry,
  MoveReplaced,
  Restored,
  StudyHistoryEntry,
  Undone,
} from './types';

/** A 409 of undo: someone else changed the chapter after your last change. */
export interface UndoConflict {
  who: string;
  when: string;
  version: number | null;
  detail: string;
}

/** One undo of this session that Ctrl+Shift+Z may take back (a restore of `version`). */
interface RedoStep {
  chapterId: string;
  version: number;
  /** The chapter's version right after the undo: a redo is offered only from there. */
  after: number;
}

export interface Preview {
  version: number;
  entry: HistoryEntry | null;
  chapter: ChapterVersion;
  diff: ChapterDiff | null;
  marks: Map<string, Mark> | null;
  words: string[];
}

const PAGE = 30;

export class HistoryCtrl {
  entries: HistoryEntry[] = [];
  next: string | null = null;
  studyEntries: StudyHistoryEntry[] = [];
  studyNext: string | null = null;
  loadedFor: { chapterId: string; version: number } | null = null;
  loading = false;
  error: string | null = null;
  /** The version shown on the board (read-only), or null. */
  preview: Preview | null = null;
  opening: number | null = null;
  conflict: UndoConflict | null = null;
  /** The move being replaced: the user plays its replacement on the board. */
  replacing: string | null = null;
  replaced: MoveReplaced | null = null;
  private redoSteps: RedoStep[] = [];

  constructor(private readonly ctrl: StudyCtrl) {}

  private get base(): string {
    return this.ctrl.chapterPath;
  }

  get canRedo(): boolean {
    const top = this.redoSteps[this.redoSteps.length - 1];
    const chapter = this.ctrl.chapter;
    return !!top && !!chapter && top.chapterId === chapter.id && top.after === chapter.version;
  }

  // ---- lists ----

  /** The chapter's versions (newest first) and the study's history. */
  async load(more = false): Promise<void> {
    const chapter = this.ctrl.chapter;
    if (!chapter) return;
    this.loading = true;
    this.error = null;
    this.ctrl.redraw();
    const wanted = { chapterId: chapter.id, version: chapter.version };
    try {
      const [versions, study] = await Promise.all([
        api<Page<HistoryEntry>>('GET', `${this.base}/history`, { query: { limit: PAGE, cursor: more ? this.next : undefined } }),
        more ? null : api<Page<StudyHistoryEntry>>('GET', `/studies/${this.ctrl.studyId}/history`, { query: { limit: PAGE } }),
      ]);
      if (this.ctrl.chapter?.id !== wanted.chapterId) return;
      this.entries = more ? [...this.entries, ...versions.data.items] : versions.data.items;
      this.next = versions.data.next_cursor;
      if (study) {
        this.studyEntries = study.data.items;
        this.studyNext = study.data.next_cursor;
      }
      this.loadedFor = wanted;
    } catch (error) {
      this.error = problemText(error);
    } finally {
      this.loading = false;
      this.ctrl.redraw();
    }
  }

  async loadMoreStudy(): Promise<void> {
    if (!this.studyNext) return;
    try {
      const { data } = await api<Page<StudyHistoryEntry>>('GET', `/studies/${this.ctrl.studyId}/history`, {
        query: { limit: PAGE, cursor: this.studyNext },
      });
      this.studyEntries = [...this.studyEntries, ...data.items];
      this.studyNext = data.next_cursor;
    } catch (error) {
      this.ctrl.tell(problemText(error), 'error');
    }
    this.ctrl.redraw();
  }

  /** The list is stale when the chapter changed since it was read. */
  get stale(): boolean {
    const chapter = this.ctrl.chapter;
    return !!chapter && (this.loadedFor?.chapterId !== chapter.id || this.loadedFor.version !== chapter.version);
  }

  /** How the panel names an author: you, or their display name. */
  authorName(entry: HistoryEntry): string {
    if (!entry.author) return 'the system';
    if (entry.author.id === this.ctrl.me) return 'you';
    return entry.author.display_name || 'another user';
  }

  // ---- a past version on the board ----

  /** Show version `n` read-only on the board and move list, with what changed since. */
  async show(version: number): Promise<void> {
    const chapter = this.ctrl.chapter;
    if (!chapter) return;
    if (version === chapter.version && !this.preview) return;
    if (version === chapter.version) {
      this.close();
      return;
    }
    this.opening = version;
    this.ctrl.redraw();
    try {
      const [past, diff] = await Promise.all([
        api<ChapterVersion>('GET', `${this.base}/versions/${version}`),
        api<ChapterDiff>('GET', `${this.base}/diff`, { query: { from: version, to: chapter.version } }).catch(() => null),
      ]);
      if (this.ctrl.chapter?.id !== chapter.id || this.opening !== version) return;
      const d = diff?.data ?? null;
      this.preview = {
        version,
        entry: this.entries.find((e) => e.version === version) ?? null,
        chapter: past.data,
        diff: d,
        marks: d ? diffMarks(d) : null,
        words: d ? restoreWords(d) : [],
      };
      this.ctrl.setPreview(past.data.tree);
    } catch (error) {
      this.ctrl.tell(problemText(error), 'error');
    } finally {
      if (this.opening === version) this.opening = null;
      this.ctrl.redraw();
    }
  }

  /** Back to the chapter as it is now. */
  close(): void {
    if (!this.preview) return;
    this.preview = null;
    this.ctrl.setPreview(null);
  }

  /** The chapter was (re)loaded or switched: a shown version no longer applies. */
  dropPreview(): void {
    this.preview = null;
    this.replacing = null;
  }

  /** "Restore this version": a new version equal to n (If-Match on the current one). */
  async restore(version: number): Promise<void> {
    const chapter = this.ctrl.chapter;
    if (!chapter) return;
    const words = this.preview?.version === version ? this.preview.words : [];
    const ok = await confirmDialog({
      title: `Restore version ${version}?`,
      message:
        `The chapter becomes what it was at version ${version}, as a new version (${chapter.version + 1}); ` +
        `nothing of its history is lost.${words.length ? ` This ${words.join('; ')}.` : ''}`,
      confirmLabel: 'Restore',
    });
    if (!ok) return;
    await this.write(async (action) => {
      const { data } = await api<Restored>('POST', `${this.base}/versions/${version}/restore`, { action, ifMatch: chapter.version });
      this.redoSteps = [];
      return `Restored version ${data.restored_version} as version ${data.chapter.version}.`;
    });
  }

  /** Undo your own last change of this chapter (POST …/undo). */
  async undo(): Promise<void> {
    const chapter = this.ctrl.chapter;
    if (!chapter || !this.ctrl.isEditor) return;
    this.close();
    this.conflict = null;
    // No If-Match: the server checks under the study's lock that nobody changed the chapter
    // after your change, and answers 409 naming who did (more than a bare 412 would say).
    await this.write(async (action) => {
      const { data } = await api<Undone>('POST', `${this.base}/undo`, { action });
      this.redoSteps.push({ chapterId: chapter.id, version: data.undone_version, after: data.chapter.version });
      return `Undone: version ${data.undone_version} (Ctrl+Shift+Z redoes it).`;
    });
  }

  /** Redo the last undo of this session: restore the version it took back. */
  async redo(): Promise<void> {
    const step = this.redoSteps[this.redoSteps.length - 1];
    if (!step || !this.canRedo) {
      this.ctrl.tell('Nothing to redo.');
      return;
    }
    await this.write(async (action) => {
      await api<Restored>('POST', `${this.base}/versions/${step.version}/restore`, { action, ifMatch: step.after });
      this.redoSteps.pop();
      return `Redone: version ${step.version} is back.`;
    });
  }

  /** A history write: one action; then the chapter, the study and this list are read again. */
  private async write(run: (action: ReturnType<typeof newAction>) => Promise<string>): Promise<void> {
    const chapter = this.ctrl.chapter!;
    this.ctrl.busy++;
    this.ctrl.redraw();
    try {
      const message = await run(newAction());
      this.preview = null;
      await this.reload(chapter.id);
      this.ctrl.tell(message);
    } catch (error) {
      if (error instanceof ApiError && error.status === 409 && error.code === 'changed_by_someone_else') {
        // Show what they did: the page may not have their change yet.
        this.conflict = conflictOf(error);
        await this.reload(chapter.id);
      } else if (error instanceof ApiError && error.status === 412) {
        await this.reload(chapter.id);
        this.ctrl.tell('The chapter was changed meanwhile and was reloaded: look at its history and try again.', 'error');
      } else {
        this.ctrl.tell(problemText(error), 'error');
      }
    } finally {
      this.ctrl.busy--;
      this.ctrl.redraw();
    }
  }

  private async reload(chapterId: string): Promise<void> {
    await Promise.all([this.ctrl.loadChapter(chapterId), this.ctrl.loadStudy()]);
    if (this.ctrl.tab === 'history') await this.load();
  }

  /** Open the history panel (from the undo conflict). */
  openPanel(): void {
    this.conflict = null;
    this.ctrl.setTab('history');
  }

  dismissConflict(): void {
    this.conflict = null;
    this.ctrl.redraw();
  }

  // ---- deleted chapters ----

  async restoreChapter(entry: StudyHistoryEntry): Promise<void> {
    const action = newAction();
    try {
      const { data } = await api<DeletedChapterRestored>('POST', `/studies/${this.ctrl.studyId}/chapters/${entry.chapter_id}/restore`, { action });
      await this.ctrl.loadStudy();
      await this.ctrl.selectChapter(data.chapter.id);
      await this.load();
      const threads = data.thread_count ? ` with ${data.thread_count} discussion(s)` : '';
      this.ctrl.tell(`Chapter “${data.chapter.name}” is back${threads}.`);
    } catch (error) {
      this.ctrl.tell(problemText(error), 'error');
    }
  }

  // ---- replace a move ----

  /** Replace mode: the board goes to the position before the move; the user plays the new one. */
  startReplace(moveId: string): void {
    const tree = this.ctrl.tree;
    if (!tree || !(moveId in tree.nodes)) return;
    this.close();
    this.replacing = moveId;
    this.replaced = null;
    this.ctrl.jump(parentOf(tree, moveId));
    this.ctrl.redraw();
  }

  cancelReplace(): void {
    if (!this.replacing) return;
    this.replacing = null;
    this.ctrl.syncBoard();
    this.ctrl.redraw();
  }

  /**
   * A move played on the board while replacing: sent as the replacement when played from
   * the position before the replaced move. True when the move was taken (not to be added).
   */
  takeReplacement(after: string | null, san: string): boolean {
    const moveId = this.replacing;
    const tree = this.ctrl.tree;
    if (!moveId || !tree) return false;
    if (!(moveId in tree.nodes)) {
      this.replacing = null;
      return false;
    }
    if (parentOf(tree, moveId) !== after) {
      this.ctrl.tell(`Play the new move from the position before ${tree.nodes[moveId].san}, or press Esc.`, 'error');
      this.ctrl.syncBoard();
      return true;
    }
    void this.replace(moveId, san);
    return true;
  }

  private async replace(moveId: string, san: string): Promise<void> {
    const chapter = this.ctrl.chapter!;
    const action = newAction();
    this.ctrl.busy++;
    this.ctrl.redraw();
    try {
      const { data } = await api<MoveReplaced>('POST', `${this.base}/moves/${moveId}/replace`, {
        action,
        ifMatch: chapter.version,
        body: { move: san },
      });
      this.replacing = null;
      this.replaced = data;
      await this.ctrl.loadChapter(chapter.id, { moveId: data.move.id });
      if (this.ctrl.tab === 'history') await this.load();
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        await this.ctrl.loadChapter(chapter.id, { moveId: parentOf(this.ctrl.tree!, moveId) ?? undefined });
        this.replacing = moveId in this.ctrl.tree!.nodes ? moveId : null;
        this.ctrl.tell('The chapter was changed meanwhile and was reloaded: play the new move again.', 'error');
      } else {
        this.ctrl.tell(problemText(error), 'error');
      }
      this.ctrl.syncBoard();
    } finally {
      this.ctrl.busy--;
      this.ctrl.redraw();
    }
  }

  closeReplaced(): void {
    this.replaced = null;
    this.ctrl.redraw();
  }
}

/** The who/when of a 409 changed_by_someone_else. */
export function conflictOf(error: ApiError): UndoConflict {
  const p = error.problem;
  const by = p.changed_by as { display_name?: string | null } | undefined;
  return {
    who: by?.display_name || 'Someone else',
    when: typeof p.changed_at === 'string' ? p.changed_at : '',
    version: typeof p.version === 'number' ? p.version : null,
    detail: error.detail,
  };
}
