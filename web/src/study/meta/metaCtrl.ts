// What issue 16 adds to the study page: descriptions (Markdown, If-Match), the chapter's
// PGN tags, the star, clone, copy/move chapters to another study, and PGN export options.
// Each call is one user action (its Idempotency-Key made here, once); errors come back as
// the API's problem detail for the form that asked.

import { Submission } from '../../actions';
import { ApiError, api, apiText, newAction, type Query, type UserAction } from '../../api';
import type { StudyCtrl } from '../ctrl';
import { problemText } from '../ctrl';
import type { ChapterSummary, StudyImport } from '../tree/types';

/** A tag change as PATCH …/chapters/{id} `headers` takes it: a value, or null to remove. */
export type HeaderChanges = Record<string, string | null>;

/** Tags the chapter itself decides (its start position): shown, never edited. */
export const MANAGED_TAGS = new Set(['FEN', 'SetUp', 'Variant']);

/** One row of the tag editor. */
export interface TagRow {
  tag: string;
  value: string;
}

/**
 * The `headers` body that turns `before` into `rows`: changed and new tags with their
 * value, removed ones null, managed ones left out. Empty: nothing to save.
 */
export function headerChanges(before: [string, string][], rows: TagRow[]): HeaderChanges {
  const old = new Map(before);
  const changes: HeaderChanges = {};
  const kept = new Set<string>();
  for (const { tag, value } of rows) {
    const name = tag.trim();
    if (!name || MANAGED_TAGS.has(name)) continue;
    kept.add(name);
    if (old.get(name) !== value) changes[name] = value;
  }
  for (const [name] of before) if (!kept.has(name) && !MANAGED_TAGS.has(name)) changes[name] = null;
  return changes;
}

export interface ExportOptions {
  scope: 'study' | 'chapter' | 'clip';
  mode: 'full' | 'no_comments' | 'mainline';
  /** Lichess-style switches, sent only when the server offers them (see `switches`). */
  switches: Record<string, boolean | string>;
}

/**
 * One switch of `GET …/pgn` as the server's OpenAPI describes it. A `nullable` one left
 * out takes the export mode's value; the dialog then offers "as the mode" beside its values.
 */
export interface ExportSwitch {
  name: string;
  kind: 'boolean' | 'choice';
  choices: string[];
  fallback: boolean | string | null;
  nullable: boolean;
  description: string;
}

export interface CopyAnswer {
  text: string;
  links: { label: string; href: string }[];
}

/** The words and links for a copy/clone answer: where the chapters went, split or not. */
export function copyAnswer(result: StudyImport, verb: string): CopyAnswer {
  const [first, ...others] = result.studies;
  let text = `${verb} ${result.chapter_count} chapter${result.chapter_count === 1 ? '' : 's'} into “${first?.name ?? '?'}”.`;
  if (others.length) {
    const continued = others.reduce((n, s) => n + s.chapters.length, 0);
    text += ` A study holds at most 64 chapters, so ${continued} continued in ${others.length} further ${others.length === 1 ? 'study' : 'studies'}.`;
  }
  return { text, links: result.studies.map((s) => ({ label: `${s.name} (${s.chapters.length} chapters)`, href: `/s/${s.id}` })) };
}

export class MetaCtrl {
  switches: ExportSwitch[] | null = null;

  constructor(private readonly ctrl: StudyCtrl) {}

  // ---- star ----

  async toggleStar(): Promise<void> {
    const study = this.ctrl.study;
    if (!study) return;
    try {
      const { data } = await api<{ star_count: number; starred: boolean }>(study.starred ? 'DELETE' : 'PUT', `/studies/${study.id}/star`, {
        action: newAction(),
      });
      study.star_count = data.star_count;
      study.starred = data.starred;
    } catch (error) {
      this.ctrl.tell(problemText(error), 'error');
    }
    this.ctrl.redraw();
  }

  // ---- descriptions (Markdown) ----

  /** Save the study's description with If-Match; on 412 the study is read again. */
  async saveStudyDescription(text: string, submission: Submission): Promise<string | null> {
    const study = this.ctrl.study;
    if (!study) return 'no study';
    try {
      const { data } = await api<{ description: string; version: number }>('PATCH', `/nodes/${study.id}`, {
        action: submission.action,
        ifMatch: study.version,
        body: { description: text },
      });
      submission.settled();
      study.description = data.description;
      study.version = data.version;
      this.ctrl.redraw();
      return null;
    } catch (error) {
      submission.settled(error);
      if (error instanceof ApiError && error.status === 412) {
        await this.ctrl.loadStudy().catch(() => undefined);
        this.ctrl.redraw();
        return 'Someone changed the study meanwhile: its description is shown as it is now; your text is kept here, save again to replace it.';
      }
      return problemText(error);
    }
  }

  /** Save the open chapter's description with If-Match on the chapter's version. */
  async saveChapterDescription(text: string, submission: Submission): Promise<string | null> {
    return this.patchChapter({ description: text }, submission);
  }

  /** Save tag changes (one version step); the API's 422 names the tag it refused. */
  async saveHeaders(changes: HeaderChanges, submission: Submission): Promise<string | null> {
    return this.patchChapter({ headers: changes }, submission);
  }

  private async patchChapter(body: Record<string, unknown>, submission: Submission): Promise<string | null> {
    const chapter = this.ctrl.chapter;
    if (!chapter) return 'no chapter';
    try {
      const { data } = await api<ChapterSummary>('PATCH', this.ctrl.chapterPath, { action: submission.action, ifMatch: chapter.version, body });
      submission.settled();
      // The answer has no tags: read the chapter again (it keeps the user's place).
      if ('headers' in body) await this.ctrl.loadChapter(chapter.id);
      else if (this.ctrl.chapter?.id === chapter.id && data.version > this.ctrl.chapter.version) {
        // Not when a read that came meanwhile already holds this change (and maybe later ones).
        this.ctrl.chapter.description = data.description;
        this.ctrl.chapter.version = data.version;
      }
      const summary = this.ctrl.study?.chapters.find((c) => c.id === chapter.id);
      if (summary) Object.assign(summary, data);
      this.ctrl.redraw();
      return null;
    } catch (error) {
      submission.settled(error);
      if (error instanceof ApiError && error.status === 412) {
        await this.ctrl.loadChapter(chapter.id).catch(() => undefined);
        return 'Someone changed the chapter meanwhile; it was reloaded. Your edit is kept here: save again to apply it.';
      }
      return problemText(error);
    }
  }

  // ---- clone, copy and move ----

  /** Clone the study into a folder or workspace; answers the new study's id. */
  async clone(parentId: string, name: string, withDiscussions: boolean, action: UserAction): Promise<StudyImport> {
    const body: Record<string, unknown> = { parent_id: parentId, with_discussions: withDiscussions };
    if (name.trim()) body.name = name.trim();
    return (await api<StudyImport>('POST', `/studies/${this.ctrl.studyId}/clone`, { action, body })).data;
  }

  /** Copy (or move) chapters of this study to the end of `targetId`. */
  async copyChapters(targetId: string, chapterIds: string[], move: boolean, withDiscussions: boolean, action: UserAction): Promise<StudyImport> {
    const result = (
      await api<StudyImport>('POST', `/studies/${targetId}/chapters/copy`, {
        action,
        body: { source_study_id: this.ctrl.studyId, chapter_ids: chapterIds, move, with_discussions: withDiscussions },
      })
    ).data;
    if (move) {
      // They left this study: show what is left (another chapter if the open one went).
      await this.ctrl.loadStudy();
      const open = this.ctrl.study!.chapters.find((c) => c.id === this.ctrl.chapter?.id);
      const next = this.ctrl.study!.chapters[0];
      if (!open && next) await this.ctrl.selectChapter(next.id);
      else if (!open) this.ctrl.chapter = null;
      this.ctrl.redraw();
    }
    return result;
  }

  // ---- export ----

  /**
   * The switches `GET /studies/{id}/pgn` accepts besides `mode`, read from the server's
   * OpenAPI once: the dialog offers exactly what this server supports.
   */
  async loadSwitches(): Promise<ExportSwitch[]> {
    if (this.switches) return this.switches;
    try {
      const { data } = await api<OpenApi>('GET', '/openapi.json');
      this.switches = switchesOf(data);
    } catch {
      this.switches = [];
    }
    return this.switches;
  }

  /** Download the PGN with `options`; the file name says what it holds. */
  async download(options: ExportOptions): Promise<void> {
    const ctrl = this.ctrl;
    if (!ctrl.chapter && options.scope !== 'study') return;
    const path = options.scope === 'study' ? `/studies/${ctrl.studyId}/pgn` : `${ctrl.chapterPath}/pgn`;
    const query: Query = { mode: options.mode, ...options.switches };
    if (options.scope === 'clip' && ctrl.at) query.from_move = ctrl.at;
    try {
      const text = await apiText(path, query);
      const base = options.scope === 'study' ? ctrl.study!.name : ctrl.chapter!.name;
      const name = `${base}${options.scope === 'clip' ? ' (clip)' : ''}${options.mode === 'full' ? '' : ` (${options.mode})`}.pgn`;
      saveFile(text, name);
    } catch (error) {
      ctrl.tell(problemText(error), 'error');
    }
  }
}

interface Schema {
  type?: string;
  enum?: string[];
  default?: unknown;
  anyOf?: Schema[];
  $ref?: string;
}

interface OpenApiParameter {
  name: string;
  in: string;
  description?: string;
  schema?: Schema;
}

interface OpenApi {
  paths?: Record<string, { get?: { parameters?: OpenApiParameter[] } }>;
  components?: { schemas?: Record<string, Schema> };
}

/** The boolean or one-of-a-list query parameters of the study PGN export, but `mode`. */
export function switchesOf(spec: OpenApi): ExportSwitch[] {
  const parameters = spec.paths?.['/studies/{study_id}/pgn']?.get?.parameters ?? [];
  const found: ExportSwitch[] = [];
  // An enum parameter is a $ref to components/schemas (pydantic's way).
  const resolve = (schema: Schema): Schema => (schema.$ref ? { ...(spec.components?.schemas?.[schema.$ref.split('/').pop()!] ?? {}), ...schema } : schema);
  for (const p of parameters) {
    if (p.in !== 'query' || p.name === 'mode' || p.name === 'from_move') continue;
    const schema = resolve(p.schema ?? {});
    const options = (schema.anyOf ?? []).map(resolve);
    const choices = schema.enum ?? options.find((s) => s.enum)?.enum ?? [];
    const type = schema.type ?? options.find((s) => s.type && s.type !== 'null')?.type;
    const nullable = options.some((s) => s.type === 'null') && (schema.default === undefined || schema.default === null);
    const description = p.description ?? '';
    if (type === 'boolean') {
      const fallback = nullable ? null : schema.default !== false;
      found.push({ name: p.name, kind: 'boolean', choices: [], fallback, nullable, description });
    } else if (choices.length) {
      const fallback = typeof schema.default === 'string' ? schema.default : nullable ? null : choices[0];
      found.push({ name: p.name, kind: 'choice', choices, fallback, nullable, description });
    }
  }
  return found;
}

/** Hand a text to the browser as a downloaded file. */
export function saveFile(text: string, name: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/x-chess-pgn' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name.replace(/[\\/:*?"<>|]/g, '_');
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
