// The study page's state and the actions that call the API (lila's ui/analyse ctrl.ts).
// The view is a function of this object; `redraw()` asks it to render again.
//
// Every write is one user action with one Idempotency-Key (newAction() when the user acts,
// reused by every retry of that action); every move-tree edit sends If-Match with the
// chapter version. On 412 the chapter is reloaded, the user keeps their place, and the page
// says who changed what.

import type { Api as Ground } from 'chessground/api';
import type { DrawShape } from 'chessground/draw';
import type { Key } from 'chessground/types';
import { Chess, type Position } from 'chessops/chess';
import { chessgroundDests } from 'chessops/compat';
import { parseFen } from 'chessops/fen';
import { makeSan } from 'chessops/san';
import type { Move, Role as PieceRole } from 'chessops/types';
import { parseSquare } from 'chessops/util';
import { ApiError, api, newAction, type UserAction } from '../api';
import { navigate, paths } from '../router';
import { HistoryCtrl } from './history/historyCtrl';
import { MetaCtrl } from './meta/metaCtrl';
import { toggleNag } from './tree/nag';
import {
  type At,
  addMove,
  childBySan,
  deepestExisting,
  exists,
  lineEnd,
  next,
  parentOf,
  pathTo,
  prev,
  removeMoves,
  switchVariation,
  updateMove,
} from './tree/tree';
import type {
  ActivityRead,
  ChapterRead,
  EventRead,
  MoveEdit,
  MoveTree,
  Orientation,
  Page,
  Shape,
  StudyImport,
  StudyRead,
  ThreadDetail,
  ThreadRead,
} from './tree/types';

export type Flash = { text: string; kind: 'info' | 'error'; links?: { label: string; href: string }[] };
export type Tab = 'discussion' | 'activity' | 'history' | 'about' | 'export';

export interface CommentEditor {
  at: At;
  text: string;
  saving: boolean;
  error?: string;
}

const EDIT_ROLES = new Set(['owner', 'admin', 'editor']);
const DISCUSS_ROLES = new Set(['owner', 'admin', 'editor', 'commenter']);
const BRUSH_OF: Record<string, string> = { G: 'green', R: 'red', Y: 'yellow', B: 'blue' };
const COLOR_OF: Record<string, Shape['color']> = { green: 'G', red: 'R', yellow: 'Y', blue: 'B' };

/** Stored shapes as chessground draws them. */
export function toDrawShapes(shapes: Shape[]): DrawShape[] {
  return shapes.map((s) =>
    s.kind === 'arrow'
      ? { orig: s.from as Key, dest: s.to as Key, brush: BRUSH_OF[s.color] }
      : { orig: s.square as Key, brush: BRUSH_OF[s.color] },
  );
}

/** What chessground drew, as the API stores it (unknown brushes become green). */
export function fromDrawShapes(shapes: DrawShape[]): Shape[] {
  return shapes.map((s) => {
    const color = COLOR_OF[s.brush ?? 'green'] ?? 'G';
    return s.dest && s.dest !== s.orig
      ? { kind: 'arrow', from: s.orig, to: s.dest, color }
      : { kind: 'circle', square: s.orig, color };
  });
}

/** One line saying what an event of a chapter did, for "who changed what". */
export function describeEvent(event: EventRead): string {
  const p = event.payload;
  const count = (key: string) => (Array.isArray(p[key]) ? (p[key] as unknown[]).length : 0);
  switch (event.event_type) {
    case 'chapter.move_added':
      return `added the move ${String(p.san ?? '')}`;
    case 'chapter.moves_deleted':
      return `deleted ${count('move_ids')} move(s)`;
    case 'chapter.variation_promoted':
      return p.to_mainline ? 'promoted a variation to the main line' : 'promoted a variation';
    case 'chapter.comment_set':
      return 'changed a comment';
    case 'chapter.nags_set':
      return 'changed move glyphs';
    case 'chapter.shapes_set':
      return 'changed arrows and circles';
    case 'chapter.cut':
      return 'cut the chapter';
    case 'chapter.renamed':
      return `renamed the chapter to “${String(p.new_name ?? '')}”`;
    case 'chapter.reordered':
      return 'moved the chapter';
    case 'chapter.orientation_set':
      return `turned the board to ${String(p.orientation ?? '')}`;
    case 'chapter.restored':
      return `restored version ${String(p.restored_version ?? '')}`;
    case 'chapter.undone':
      return `undid version ${String(p.undone_version ?? '')}`;
    case 'chapter.move_replaced':
      return `replaced ${String(p.old_san ?? 'a move')} with ${String(p.new_san ?? '')} (${count('cut_move_ids')} move(s) cut)`;
    case 'chapter.description_set':
      return 'changed the chapter’s description';
    case 'chapter.headers_set':
      return 'changed the PGN tags';
    default:
      return event.event_type.replace(/^chapter\./, '').replace(/_/g, ' ');
  }
}

/** The problem's detail (or title) of an API error, never a blank failure. */
export function problemText(error: unknown): string {
  if (error instanceof ApiError) return error.detail || error.title || `HTTP ${error.status}`;
  if (error instanceof Error) return `Network error: ${error.message}`;
  return String(error);
}

export class StudyCtrl {
  studyId = '';
  study: StudyRead | null = null;
  chapter: ChapterRead | null = null;
  at: At = null;
  /** Bumped whenever the tree changes, so the move list re-renders only then. */
  treeRev = 0;
  flipped = false;
  loading = true;
  loadError: string | null = null;
  flash: Flash | null = null;
  menu: { at: string; x: number; y: number } | null = null;
  comment: CommentEditor | null = null;
  promotion: { orig: Key; dest: Key } | null = null;
  tab: Tab = 'discussion';
  threads: ThreadRead[] = [];
  thread: ThreadDetail | null = null;
  activity: ActivityRead[] = [];
  chapterEvents: EventRead[] = [];
  busy = 0;
  me: string | null = null;
  ground: Ground | undefined;
  /** History panel, undo/redo, replace move (history/historyCtrl.ts). */
  readonly history: HistoryCtrl = new HistoryCtrl(this);
  /** Descriptions, tags, star, clone, copy chapters, export options (meta/metaCtrl.ts). */
  readonly meta: MetaCtrl = new MetaCtrl(this);
  /** A past version shown read-only instead of the chapter's tree (the history panel). */
  previewTree: MoveTree | null = null;

  private positions = new Map<string, Position>();
  /** The chapter the latest load asked for: an answer for another one came too late. */
  private wanted: string | null = null;
  /** This page's own tree edits in flight whose answers are applied to the local tree. */
  private applying = 0;
  private whenSettled: (() => void)[] = [];
  /**
   * The local tree lacks a change the server made at its version (a promote or cut: the
   * server lays the tree out): the next read of that version or later replaces it.
   */
  private behind = false;
  private names = new Map<string, string>();
  private urlTimer: ReturnType<typeof setTimeout> | undefined;
  /** The place this page last wrote into the address (?move=): its echo is no link. */
  private urlAt: { chapterId: string; at: At } | null = null;

  constructor(readonly redraw: () => void) {}

  get tree(): MoveTree | null {
    return this.previewTree ?? this.chapter?.tree ?? null;
  }

  /** Editing is off while a past version is shown. */
  get canEdit(): boolean {
    return !this.previewTree && this.isEditor;
  }

  get isEditor(): boolean {
    return EDIT_ROLES.has(this.study?.role ?? '');
  }

  get canDiscuss(): boolean {
    return DISCUSS_ROLES.has(this.study?.role ?? '');
  }

  get chapterPath(): string {
    return `/studies/${this.studyId}/chapters/${this.chapter?.id}`;
  }

  orientation(): Orientation {
    const base = this.chapter?.orientation ?? 'white';
    return this.flipped ? (base === 'white' ? 'black' : 'white') : base;
  }

  // ---- positions (chessops), one parsed position cached per move ----

  position(at: At): Position {
    const key = at ?? '';
    let pos = this.positions.get(key);
    if (!pos) {
      const tree = this.tree!;
      const fen = at === null ? tree.fen : tree.nodes[at].fen;
      pos = Chess.fromSetup(parseFen(fen).unwrap()).unwrap();
      this.positions.set(key, pos);
    }
    return pos;
  }

  fen(): string {
    const tree = this.tree;
    if (!tree) return '';
    return this.at === null ? tree.fen : tree.nodes[this.at].fen;
  }

  // ---- loading ----

  async open(studyId: string, chapterId?: string, moveId?: string): Promise<void> {
    this.studyId = studyId;
    this.loading = true;
    this.loadError = null;
    queueMicrotask(() => this.redraw()); // open() may run during the page's first render
    try {
      // The chapter named in the URL is fetched beside the study, not after it.
      if (chapterId) this.wanted = chapterId;
      const from = this.at;
      const early = chapterId ? this.fetchChapter(chapterId).catch(() => null) : null;
      await this.loadStudy();
      const chapters = this.study!.chapters;
      const target = chapters.find((c) => c.id === chapterId) ?? chapters[0];
      const fetched = target && target.id === chapterId ? await early : null;
      if (fetched) await this.receive(fetched, { moveId }, from);
      else if (target) await this.loadChapter(target.id, { moveId });
      else this.chapter = null;
      void this.loadSide();
    } catch (error) {
      this.loadError = problemText(error);
    } finally {
      this.loading = false;
      this.redraw();
    }
  }

  async loadStudy(): Promise<void> {
    this.study = (await api<StudyRead>('GET', `/studies/${this.studyId}`)).data;
  }

  /**
   * Load a chapter: another one is shown at `moveId` (else at its start). A read of the open
   * chapter replaces the tree only when it brings something the page does not hold, and keeps
   * the place the user has when it comes (`moveId` if they have not moved since it was asked).
   *
   * `now`: apply without waiting for this page's own edits in flight (a 412 inside an edit).
   */
  async loadChapter(chapterId: string, opts: { moveId?: string; now?: boolean } = {}): Promise<void> {
    // A read of the open chapter does not take over from a switch to another one in flight.
    if (chapterId !== this.chapter?.id || this.wanted === null) this.wanted = chapterId;
    const from = this.at;
    for (let tries = 1; ; tries++) {
      let data: ChapterRead;
      try {
        data = await this.fetchChapter(chapterId);
      } catch (error) {
        // A switch that failed: the open chapter's own reads count again.
        if (this.wanted === chapterId && this.chapter?.id !== chapterId) this.wanted = this.chapter?.id ?? null;
        throw error;
      }
      if ((await this.receive(data, opts, from)) !== 'again' || tries === 3) return;
    }
  }

  /**
   * Show what a read answered, or not. The If-Match protocol makes the page's tree at version
   * v the server's tree at v (an edit accepted with If-Match v-1 and answered v is applied
   * as the server applied it), so an answer of the open chapter no newer than the page's own
   * version carries nothing new: it neither replaces the tree nor moves the board. It may be
   * older: asked before one of this page's edits landed, answered after.
   *
   * An answer that comes while this page's own edit is in flight waits for it: applied now,
   * it would show the edit's move in the list with the board still before it, then the
   * edit's answer would move the board again (and an answer without the edit would take the
   * user's just-played move away until the next read).
   *
   * 'again': older than a tree that lacks a change the server made (`behind`): read again.
   */
  private async receive(data: ChapterRead, opts: { moveId?: string; now?: boolean }, from: At): Promise<'shown' | 'old' | 'again'> {
    if (!opts.now) while (this.applying > 0) await new Promise<void>((r) => this.whenSettled.push(r));
    // The user went to another chapter since this one was asked for.
    if (this.wanted !== data.id) return 'old';
    const chapter = this.chapter;
    if (chapter?.id !== data.id) {
      this.showChapter(data, { moveId: opts.moveId });
      return 'shown';
    }
    const moveId = opts.moveId !== undefined && this.at === from ? opts.moveId : undefined;
    if (data.version > chapter.version || (data.version === chapter.version && this.behind)) {
      if (this.previewTree && this.history.preview) {
        // A past version opened from the history panel while this was read: it stays on the
        // board, with the user's place in it; the chapter behind it is the new one.
        this.chapter = data;
        this.behind = false;
        this.redraw();
        return 'shown';
      }
      // Newer: the user's place now (not when the read was sent), or where they were sent.
      if (moveId !== undefined && moveId in data.tree.nodes) this.showChapter(data, { moveId });
      else this.showChapter(data, { keepPath: this.tree ? pathTo(this.tree, this.at) : [] });
      return 'shown';
    }
    if (data.version < chapter.version && this.behind) return 'again';
    if (moveId !== undefined) this.jump(moveId);
    return 'old';
  }

  /** One of this page's own edits (applied to the local tree from its answer) begins/ends. */
  private editing(delta: 1 | -1): void {
    this.applying += delta;
    if (this.applying > 0) return;
    const waiting = this.whenSettled;
    this.whenSettled = [];
    for (const resume of waiting) resume();
  }

  private async fetchChapter(chapterId: string): Promise<ChapterRead> {
    return (await api<ChapterRead>('GET', `/studies/${this.studyId}/chapters/${chapterId}`)).data;
  }

  private showChapter(data: ChapterRead, opts: { moveId?: string; keepPath?: string[] }): void {
    const chapterId = data.id;
    const switched = this.chapter?.id !== chapterId;
    this.chapter = data;
    this.wanted = chapterId;
    this.behind = false;
    this.previewTree = null;
    this.history.dropPreview();
    this.positions.clear();
    this.treeRev++;
    if (switched) {
      this.flipped = false;
      this.thread = null;
      this.comment = null;
    }
    const tree = data.tree;
    if (opts.keepPath) this.at = deepestExisting(tree, opts.keepPath);
    else this.at = opts.moveId && opts.moveId in tree.nodes ? opts.moveId : null;
    this.menu = null;
    this.syncBoard();
    this.redraw();
  }

  async selectChapter(chapterId: string, moveId?: string): Promise<void> {
    if (chapterId === this.chapter?.id) return;
    try {
      await this.loadChapter(chapterId, { moveId });
      this.writeUrl(true);
      void this.loadSide();
    } catch (error) {
      this.tell(problemText(error), 'error');
    }
  }

  /** The discussion threads, activity feed and chapter history (the side panels). */
  async loadSide(): Promise<void> {
    const chapterId = this.chapter?.id;
    const threads = chapterId
      ? api<Page<ThreadRead>>('GET', '/discussions', {
          query: { target_id: this.studyId, chapter_id: chapterId, limit: 100 },
        })
      : null;
    const activity = api<Page<ActivityRead>>('GET', `/nodes/${this.studyId}/activity`, { query: { limit: 20 } });
    const history = chapterId
      ? api<Page<EventRead>>('GET', '/events', { query: { target_id: chapterId, limit: 20 } })
      : null;
    const [t, a, h] = await Promise.allSettled([threads, activity, history, this.loadNames()]);
    if (t.status === 'fulfilled' && t.value) this.threads = t.value.data.items;
    if (a.status === 'fulfilled') this.activity = a.value.data.items;
    if (h.status === 'fulfilled' && h.value) this.chapterEvents = h.value.data.items;
    this.redraw();
  }

  // ---- the board ----

  setGround(ground: Ground | undefined): void {
    this.ground = ground;
    if (ground) this.syncBoard();
  }

  /** Push the current position into chessground (cheap: one cached position). */
  syncBoard(): void {
    const ground = this.ground;
    const tree = this.tree;
    if (!ground || !tree) return;
    const pos = this.position(this.at);
    const node = this.at === null ? null : tree.nodes[this.at];
    const turn = pos.turn;
    const movable = this.canEdit && !this.promotion;
    ground.set({
      fen: this.fen(),
      orientation: this.orientation(),
      turnColor: turn,
      check: pos.isCheck() ? turn : false,
      lastMove: node ? [node.uci.slice(0, 2) as Key, node.uci.slice(2, 4) as Key] : undefined,
      movable: {
        color: movable ? turn : undefined,
        dests: movable ? (chessgroundDests(pos, { chess960: tree.chess960 }) as Map<Key, Key[]>) : new Map(),
      },
      drawable: { shapes: toDrawShapes(node?.shapes ?? []) },
    });
  }

  /** chessground's movable.events.after: a legal move was dragged or clicked. */
  onBoardMove(orig: Key, dest: Key): void {
    const pos = this.position(this.at);
    const piece = pos.board.get(parseSquare(orig)!);
    const lastRank = dest[1] === '8' || dest[1] === '1';
    if (piece?.role === 'pawn' && lastRank) {
      this.promotion = { orig, dest };
      this.redraw();
      return;
    }
    void this.playMove({ from: parseSquare(orig)!, to: parseSquare(dest)! });
  }

  choosePromotion(role: PieceRole | null): void {
    const promotion = this.promotion;
    this.promotion = null;
    if (!promotion || !role) {
      this.syncBoard();
      this.redraw();
      return;
    }
    void this.playMove({ from: parseSquare(promotion.orig)!, to: parseSquare(promotion.dest)!, promotion: role });
  }

  /** Show a past version's tree read-only (null: the chapter again), keeping the place. */
  setPreview(tree: MoveTree | null): void {
    const path = this.tree ? pathTo(this.tree, this.at) : [];
    this.previewTree = tree;
    this.positions.clear();
    this.treeRev++;
    this.at = this.tree ? deepestExisting(this.tree, path) : null;
    this.menu = null;
    this.comment = null;
    this.syncBoard();
    this.redraw();
  }

  // ---- navigation (cheap: no tree re-render, one cached position) ----

  jump(at: At): void {
    const tree = this.tree;
    if (!tree || !exists(tree, at) || at === this.at) return;
    this.at = at;
    this.menu = null;
    this.promotion = null;
    this.syncBoard();
    this.writeUrl(false);
    this.redraw();
  }

  next(): void {
    const tree = this.tree;
    const n = tree && next(tree, this.at);
    if (n !== undefined && n !== null) this.jump(n);
  }

  prev(): void {
    const tree = this.tree;
    const p = tree && prev(tree, this.at);
    if (p !== undefined) this.jump(p);
  }

  first(): void {
    this.jump(null);
  }

  last(): void {
    if (this.tree) this.jump(lineEnd(this.tree, this.at));
  }

  variation(direction: 1 | -1): void {
    if (this.tree) this.jump(switchVariation(this.tree, this.at, direction));
  }

  /**
   * The address names a move of the open chapter (a link from search or the bell, back and
   * forward): go there. The page's own writes of the address come back here too, a render
   * later: one written before the user's move landed names the place they have since left
   * (CI: the board back on Nc6 with Bb5 in the list), and is no reason to take them back.
   */
  followUrl(chapterId: string | undefined, moveId: string | undefined): void {
    if (!moveId || this.chapter?.id !== chapterId || this.at === moveId) return;
    const wrote = this.urlAt;
    if (wrote && wrote.chapterId === chapterId && wrote.at === moveId) return;
    this.jump(moveId);
  }

  flip(): void {
    this.flipped = !this.flipped;
    this.ground?.set({ orientation: this.orientation() });
    this.redraw();
  }

  /** Keep ?move= in the address, at most a few times a second (browsers throttle it). */
  private writeUrl(push: boolean): void {
    clearTimeout(this.urlTimer);
    const write = () => {
      if (!this.chapter) return;
      this.urlAt = { chapterId: this.chapter.id, at: this.at };
      if (typeof history === 'undefined') return;
      navigate(paths.study(this.studyId, this.chapter.id, this.at ?? undefined), { replace: !push });
    };
    if (push) write();
    else this.urlTimer = setTimeout(write, 400);
  }

  // ---- messages ----

  tell(text: string, kind: Flash['kind'] = 'info', links?: Flash['links']): void {
    this.flash = { text, kind, links };
    this.redraw();
  }

  dismiss(): void {
    this.flash = null;
    this.redraw();
  }

  /**
   * People's names come from the study's shares, which only admins may list; everyone
   * else sees "another user" (the API has no public profile to ask).
   */
  private async loadNames(): Promise<void> {
    if (this.names.size || !(this.study?.role === 'owner' || this.study?.role === 'admin')) return;
    try {
      const { data } = await api<{ items: { user_id: string; display_name: string; email: string }[] }>(
        'GET',
        `/nodes/${this.studyId}/shares`,
      );
      for (const share of data.items) this.names.set(share.user_id, share.display_name || share.email);
    } catch {
      // Names are a nicety: without them people are "another user".
    }
  }

  /** How the panels name a person: you, their name when known, else "another user". */
  nameFor(userId: string | null): string {
    if (!userId) return 'the system';
    if (userId === this.me) return 'you';
    return this.names.get(userId) ?? 'another user';
  }

  private async nameOf(actorId: string | null): Promise<string> {
    await this.loadNames();
    if (actorId !== null && actorId === this.me) return 'You (in another tab or window)';
    const name = this.nameFor(actorId);
    return name.charAt(0).toUpperCase() + name.slice(1);
  }

  /** 412: reload the chapter keeping the user's place, and say who changed what. */
  private async reloadAfterConflict(): Promise<string> {
    const chapter = this.chapter!;
    // Inside the edit that was refused: waiting for the page's edits would wait for itself.
    await this.loadChapter(chapter.id, { now: true });
    try {
      const { data } = await api<Page<EventRead>>('GET', '/events', {
        query: { target_id: chapter.id, limit: 1 },
      });
      const latest = data.items[0];
      if (latest) return `${await this.nameOf(latest.actor_id)} ${describeEvent(latest)} meanwhile.`;
    } catch {
      // The reload is what matters; the explanation is best effort.
    }
    return 'The chapter was changed meanwhile.';
  }

  // ---- writes ----

  /** One write of one user action (the client reuses its key on its own retries). */
  private async send<T>(
    method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    action: UserAction,
    body?: unknown,
    ifMatch?: number,
  ): Promise<T> {
    return (await api<T>(method, path, { body, action, ifMatch })).data;
  }

  /** The open chapter's version after the page's own edit, in the chapter list too: the
   * list's version is the If-Match of a rename or a delete, and the live stream does not
   * re-read the list for the page's own tree edits (live/plan.ts). */
  private noteVersion(version: number): void {
    const chapter = this.chapter!;
    chapter.version = version;
    const summary = this.study?.chapters.find((c) => c.id === chapter.id);
    if (summary && summary.version < version) summary.version = version;
  }

  /**
   * A move-tree edit with If-Match. On 412 the chapter is reloaded (place kept) and, when
   * `retryStale` says the edit still makes sense, sent again as the same action.
   */
  private async editTree(
    method: 'POST' | 'PUT' | 'DELETE',
    suffix: string,
    body: unknown,
    apply: (edit: MoveEdit, fresh: boolean) => void,
    opts: { action?: UserAction; retryStale?: () => boolean } = {},
  ): Promise<boolean> {
    const action = opts.action ?? newAction();
    const chapterId = this.chapter!.id;
    this.busy++;
    this.editing(1);
    this.redraw();
    try {
      for (let stale = 0; ; stale++) {
        try {
          const edit = await this.send<MoveEdit>(method, `${this.chapterPath}${suffix}`, action, body, this.chapter!.version);
          if (this.chapter?.id !== chapterId) return true;
          // Not fresh: a read that came meanwhile (a 412 of another edit) already holds it.
          const fresh = edit.version > this.chapter.version;
          if (fresh) this.noteVersion(edit.version);
          apply(edit, fresh);
          this.chapter.node_count = Object.keys(this.chapter.tree.nodes).length;
          this.treeRev++;
          this.syncBoard();
          return true;
        } catch (error) {
          if (!(error instanceof ApiError) || error.status !== 412 || this.chapter?.id !== chapterId) throw error;
          const who = await this.reloadAfterConflict();
          if (stale === 0 && opts.retryStale?.()) {
            this.tell(`${who} Chapter reloaded; your change was applied on top of it.`);
            continue;
          }
          this.tell(`${who} The chapter was reloaded; please redo your change.`, 'error');
          return false;
        }
      }
    } catch (error) {
      this.tell(problemText(error), 'error');
      this.syncBoard();
      return false;
    } finally {
      this.busy--;
      this.editing(-1);
      this.redraw();
    }
  }

  /** Play a move after the current one: jump if it is there, else add it (POST moves). */
  async playMove(move: Move): Promise<void> {
    const tree = this.tree;
    if (!tree) return;
    const after = this.at;
    const san = makeSan(this.position(after), move);
    if (this.history.takeReplacement(after, san)) return;
    const known = childBySan(tree, after, san);
    if (known) {
      this.jump(known);
      return;
    }
    if (!this.canEdit) {
      this.syncBoard();
      return;
    }
    const added = await this.editTree(
      'POST',
      '/moves',
      { after, move: san },
      (edit, fresh) => {
        if (!edit.move) return;
        if (fresh) addMove(this.tree!, edit.move);
        if (!(edit.move.id in this.tree!.nodes)) return;
        this.at = edit.move.id;
        this.writeUrl(false);
      },
      { retryStale: () => exists(this.tree!, after) },
    );
    if (!added) this.syncBoard();
  }

  async deleteFrom(at: string): Promise<void> {
    const tree = this.tree!;
    const parent = parentOf(tree, at);
    const path = pathTo(tree, this.at);
    await this.editTree('DELETE', `/moves/${at}`, undefined, (edit, fresh) => {
      if (!fresh) return;
      removeMoves(this.tree!, edit.move_ids);
      this.at = path.includes(at) ? parent : deepestExisting(this.tree!, path);
    });
  }

  async promote(at: string, to: 'mainline' | 'up'): Promise<void> {
    let moved = false;
    await this.editTree('POST', `/moves/${at}/promote`, { to }, (_edit, fresh) => {
      moved = true;
      if (fresh) this.behind = true;
    });
    // The new order of variations is the server's to decide: read it back.
    if (moved) await this.loadChapter(this.chapter!.id).catch((e) => this.tell(problemText(e), 'error'));
  }

  async setNags(at: string, nag: number): Promise<void> {
    const node = this.tree!.nodes[at];
    const nags = toggleNag(node.nags, nag);
    await this.editTree('PUT', `/moves/${at}/nags`, { nags }, (edit, fresh) => fresh && edit.move && updateMove(this.tree!, edit.move));
  }

  /** chessground's drawable.onChange: save the drawn shapes to the current move. */
  async saveShapes(drawn: DrawShape[]): Promise<void> {
    const at = this.at;
    if (!this.canEdit || !this.tree) return;
    if (at === null) {
      this.tell('Arrows and circles belong to a move: select or play a move first.');
      return;
    }
    const shapes = fromDrawShapes(drawn);
    await this.editTree('PUT', `/moves/${at}/shapes`, { shapes }, (edit, fresh) => fresh && edit.move && updateMove(this.tree!, edit.move));
  }

  openComment(at: At): void {
    const tree = this.tree!;
    const text = at === null ? tree.comment : tree.nodes[at].comment;
    this.comment = { at, text, saving: false };
    this.menu = null;
    this.redraw();
  }

  /** Save the comment editor; on any failure the text stays in the editor. */
  async saveComment(): Promise<void> {
    const editor = this.comment;
    if (!editor || !this.chapter) return;
    editor.saving = true;
    editor.error = undefined;
    const at = editor.at;
    const suffix = at === null ? '/comment' : `/moves/${at}/comment`;
    const action = newAction();
    const chapterId = this.chapter.id;
    this.editing(1);
    this.redraw();
    try {
      const edit = await this.send<MoveEdit>('PUT', `${this.chapterPath}${suffix}`, action, { comment: editor.text }, this.chapter.version);
      // Not newer: a read that came meanwhile already holds this comment.
      if (this.chapter?.id === chapterId && edit.version > this.chapter.version) {
        this.noteVersion(edit.version);
        if (at === null) this.chapter.tree.comment = editor.text;
        else if (edit.move) updateMove(this.chapter.tree, edit.move);
        this.treeRev++;
      }
      if (this.comment === editor) this.comment = null;
    } catch (error) {
      editor.saving = false;
      if (error instanceof ApiError && error.status === 412) {
        const who = await this.reloadAfterConflict();
        editor.error = `${who} Your text is kept here: save again to replace the comment.`;
      } else editor.error = problemText(error);
    } finally {
      editor.saving = false;
      this.editing(-1);
      this.redraw();
    }
  }

  async cutBefore(at: string): Promise<void> {
    const parent = parentOf(this.tree!, at);
    if (parent === null) return;
    const ok = await this.editTree('POST', '/cut', { move_id: parent }, (_edit, fresh) => {
      if (fresh) this.behind = true;
    });
    if (ok) await this.loadChapter(this.chapter!.id, { moveId: at }).catch((e) => this.tell(problemText(e), 'error'));
  }

  /** Copy the line from a move into a new chapter (it may land in a further study). */
  async toChapter(at: string): Promise<void> {
    const action = newAction();
    this.busy++;
    try {
      const result = await this.send<StudyImport>('POST', `${this.chapterPath}/moves/${at}/to-chapter`, action, {});
      await this.afterImport(result, 'New chapter from the line');
    } catch (error) {
      this.tell(problemText(error), 'error');
    } finally {
      this.busy--;
      this.redraw();
    }
  }

  // ---- chapters ----

  /** POST chapters (PGN or FEN); a study that fills up continues in further studies. */
  async addChapters(body: { pgn?: string; fen?: string; name?: string; orientation?: Orientation }): Promise<boolean> {
    const action = newAction();
    this.busy++;
    this.redraw();
    try {
      const result = await this.send<StudyImport>('POST', `/studies/${this.studyId}/chapters`, action, body);
      await this.afterImport(result, body.pgn ? 'Imported' : 'Chapter added');
      return true;
    } catch (error) {
      this.tell(problemText(error), 'error');
      return false;
    } finally {
      this.busy--;
      this.redraw();
    }
  }

  private async afterImport(result: StudyImport, what: string): Promise<void> {
    const here = result.studies.find((s) => s.id === this.studyId);
    const known = new Set(this.study?.chapters.map((c) => c.id));
    const others = result.studies.filter((s) => s.id !== this.studyId);
    await this.loadStudy();
    const added = here?.chapters.filter((c) => !known.has(c.id)) ?? [];
    let text = `${what}: ${result.chapter_count} chapter(s).`;
    if (others.length) {
      text += ` A study holds at most 64 chapters, so ${others.reduce((n, s) => n + s.chapters.length, 0)} continued in ${others.length} further ${others.length === 1 ? 'study' : 'studies'}:`;
    }
    this.tell(
      text,
      'info',
      others.map((s) => ({ label: `${s.name} (${s.chapters.length} chapters)`, href: `/s/${s.id}` })),
    );
    const first = added[0];
    if (first) await this.selectChapter(first.id);
  }

  async updateChapter(chapterId: string, change: { name?: string; position?: number; orientation?: Orientation }): Promise<void> {
    const summary = this.study?.chapters.find((c) => c.id === chapterId);
    if (!summary) return;
    const action = newAction();
    try {
      await this.send('PATCH', `/studies/${this.studyId}/chapters/${chapterId}`, action, change, summary.version);
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) this.tell('The chapter was changed meanwhile; the list was reloaded. Please try again.', 'error');
      else this.tell(problemText(error), 'error');
    }
    await this.refreshChapters();
  }

  async deleteChapter(chapterId: string): Promise<void> {
    const summary = this.study?.chapters.find((c) => c.id === chapterId);
    if (!summary) return;
    try {
      await this.send('DELETE', `/studies/${this.studyId}/chapters/${chapterId}`, newAction(), undefined, summary.version);
    } catch (error) {
      this.tell(problemText(error), 'error');
    }
    await this.refreshChapters();
  }

  /** Re-read the chapter list; reload the open chapter when it changed or went away. */
  async refreshChapters(): Promise<void> {
    try {
      await this.loadStudy();
      const chapters = this.study!.chapters;
      const open = chapters.find((c) => c.id === this.chapter?.id);
      if (!open) {
        this.chapter = null;
        if (chapters[0]) await this.loadChapter(chapters[0].id);
        this.writeUrl(false);
      } else if (this.chapter && open.version > this.chapter.version) {
        // Not when the list is older than the page's own last edit (read before it landed).
        await this.loadChapter(open.id);
      }
    } catch (error) {
      this.tell(problemText(error), 'error');
    }
    this.redraw();
  }

  // ---- export ----

  async download(kind: 'study' | 'chapter' | 'clip', mode: 'full' | 'no_comments' | 'mainline'): Promise<void> {
    await this.meta.download({ scope: kind, mode, switches: {} });
  }

  // ---- discussions ----

  async openThread(threadId: string | null): Promise<void> {
    if (!threadId) {
      this.thread = null;
      this.redraw();
      return;
    }
    try {
      this.thread = (await api<ThreadDetail>('GET', `/discussions/${threadId}`)).data;
    } catch (error) {
      this.tell(problemText(error), 'error');
    }
    this.redraw();
  }

  /** Open a thread on the current move (or the chapter); keeps the form on failure. */
  async startThread(title: string, body: string, onMove: boolean): Promise<boolean> {
    const chapter = this.chapter;
    if (!chapter) return false;
    const payload: Record<string, string> = { study_id: this.studyId, chapter_id: chapter.id, title, body };
    if (onMove && this.at) payload.move_id = this.at;
    try {
      this.thread = await this.send<ThreadDetail>('POST', '/discussions', newAction(), payload);
      await this.loadSide();
      return true;
    } catch (error) {
      this.tell(problemText(error), 'error');
      return false;
    }
  }

  async reply(body: string, parentPostId: string | null): Promise<boolean> {
    const thread = this.thread;
    if (!thread) return false;
    try {
      await this.send('POST', `/discussions/${thread.id}/replies`, newAction(), {
        body,
        ...(parentPostId ? { parent_post_id: parentPostId } : {}),
      });
      await this.openThread(thread.id);
      return true;
    } catch (error) {
      this.tell(problemText(error), 'error');
      return false;
    }
  }

  async react(postId: string, kind: string, mine: boolean): Promise<void> {
    const thread = this.thread;
    if (!thread) return;
    try {
      await this.send(mine ? 'DELETE' : 'PUT', `/discussions/${thread.id}/posts/${postId}/reactions/${encodeURIComponent(kind)}`, newAction());
      await this.openThread(thread.id);
    } catch (error) {
      this.tell(problemText(error), 'error');
    }
  }

  setTab(tab: Tab): void {
    this.tab = tab;
    if (tab === 'activity') void this.loadSide();
    this.redraw();
  }

  openMenu(at: string, x: number, y: number): void {
    this.menu = { at, x, y };
    this.redraw();
  }

  closeMenu(): void {
    if (!this.menu) return;
    this.menu = null;
    this.redraw();
  }
}
