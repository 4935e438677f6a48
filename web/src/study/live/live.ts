// The live side of an open study page: its stream (other people's changes appear within
// a second, the user keeps their place and what they are typing), and presence (who is
// here, on which chapter). See docs/live.md.

import { ApiError, api, apiKeepalive, apiStream } from '../../api';
import { describeEvent, type StudyCtrl } from '../ctrl';
import type { EventRead, ThreadDetail } from '../tree/types';
import { isEmpty, merge, type Plan, planFor } from './plan';
import { LiveStream, type StreamMessage, type StreamState } from './stream';

export interface Viewer {
  user_id: string;
  display_name: string;
  chapter_id: string | null;
}

export interface PresenceList {
  viewers: Viewer[];
  anonymous: number;
}

export interface LiveNotice {
  who: string;
  text: string;
  at: number;
}

/** Seconds between presence heartbeats (the server forgets a page after PRESENCE_TTL, 20 s). */
export const HEARTBEAT_MS = 8000;
/** Events that arrive within this many ms are handled with one refetch. */
const GATHER_MS = 60;

const ENDED_TEXT: Record<string, string> = {
  access_revoked: 'Your access to this study was removed: it no longer updates, and your changes cannot be saved.',
  study_trashed: 'This study was moved to the trash: it no longer updates.',
  not_found: 'This study is gone or no longer shared with you: it no longer updates.',
};

function randomId(): string {
  const c = globalThis.crypto;
  if (typeof c.randomUUID === 'function') return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export class StudyLive {
  state: StreamState = 'connecting';
  /** Why the stream ended for good, as a sentence for the user. */
  ended: string | null = null;
  presence: PresenceList = { viewers: [], anonymous: 0 };
  notice: LiveNotice | null = null;
  follow = false;
  /** The page's id in the presence list (one per open page). */
  readonly pageId = randomId();

  private stream: LiveStream | null = null;
  private pending: Plan | null = null;
  private actors = new Set<string>();
  private flushing: Promise<void> = Promise.resolve();
  private gatherTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private sentChapter: string | null | undefined = undefined;
  private unbind: (() => void) | undefined;
  private names = new Map<string, string>();
  private previewTimer: ReturnType<typeof setInterval> | undefined;
  private asked = new Set<string>();

  constructor(private readonly ctrl: StudyCtrl) {}

  /** Start following the study (idempotent). */
  start(): void {
    if (this.stream || !this.ctrl.studyId) return;
    const studyId = this.ctrl.studyId;
    this.stream = new LiveStream(
      (lastEventId, signal) => apiStream(`/studies/${studyId}/stream`, { lastEventId, signal }),
      {
        message: (msg) => this.onMessage(msg),
        reset: () => this.reload(),
        ended: (reason) => this.onEnded(reason),
        state: (state) => {
          this.state = state;
          this.ctrl.redraw();
        },
      },
    );
    void this.stream.start();
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), HEARTBEAT_MS);
    if (typeof document === 'undefined') return; // unit tests run without a page
    const hide = () => this.leave();
    const show = () => {
      if (document.visibilityState === 'visible') void this.heartbeat();
    };
    addEventListener('pagehide', hide);
    document.addEventListener('visibilitychange', show);
    this.unbind = () => {
      removeEventListener('pagehide', hide);
      document.removeEventListener('visibilitychange', show);
    };
  }

  stop(): void {
    this.stream?.stop();
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.gatherTimer);
    clearInterval(this.previewTimer);
    this.unbind?.();
    this.leave();
  }

  /** Called on every render of the page: a chapter switch is told at once. */
  sync(): void {
    if (!this.ctrl.studyId || this.ctrl.loading || this.ended) return;
    const chapterId = this.ctrl.chapter?.id ?? null;
    if (chapterId !== this.sentChapter) void this.heartbeat();
  }

  toggleFollow(): void {
    this.follow = !this.follow;
    this.ctrl.redraw();
  }

  /** The name of a person for the live line and presence: you, a viewer's name, else the page's. */
  nameOf(userId: string | null): string {
    if (userId !== null && userId === this.ctrl.me) return 'You (in another tab)';
    const viewer = this.presence.viewers.find((v) => v.user_id === userId);
    if (viewer) return viewer.display_name;
    const known = userId !== null ? this.names.get(userId) : undefined;
    if (known) return known;
    const name = this.ctrl.nameFor(userId);
    return name.charAt(0).toUpperCase() + name.slice(1);
  }

  // ---- presence ----

  async heartbeat(): Promise<void> {
    if (this.ended || !this.ctrl.studyId) return;
    const chapterId = this.ctrl.chapter?.id ?? null;
    this.sentChapter = chapterId;
    try {
      const { data } = await api<PresenceList>('PUT', `/studies/${this.ctrl.studyId}/presence/${this.pageId}`, {
        body: { chapter_id: chapterId },
        // A heartbeat is no user action and repeats itself: a key per beat would only fill
        // the idempotency store (PUT is idempotent as it is).
        noKey: true,
      });
      this.showPresence(data);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) this.sentChapter = undefined;
    }
  }

  private leave(): void {
    if (this.ctrl.studyId && this.sentChapter !== undefined) {
      apiKeepalive('DELETE', `/studies/${this.ctrl.studyId}/presence/${this.pageId}`);
      this.sentChapter = undefined;
    }
  }

  private showPresence(list: PresenceList): void {
    this.presence = { viewers: list.viewers ?? [], anonymous: list.anonymous ?? 0 };
    this.ctrl.redraw();
  }

  /** The name of someone who is not on the page (GET /users answers only for people
   * who share a node with the user: others stay "another user"). Asked once per person. */
  private async lookUp(userId: string): Promise<void> {
    if (this.asked.has(userId) || userId === this.ctrl.me || this.presence.viewers.some((v) => v.user_id === userId)) return;
    this.asked.add(userId);
    try {
      const { data } = await api<{ items: { id: string; display_name: string }[] }>('GET', '/users', { query: { ids: userId } });
      for (const item of data.items) this.names.set(item.id, item.display_name);
      this.ctrl.redraw();
    } catch {
      // A name is a nicety.
    }
  }

  // ---- the stream ----

  private onMessage(msg: StreamMessage): void {
    if (msg.type === 'presence') {
      this.showPresence(msg.data as PresenceList);
      return;
    }
    const event = msg.data as EventRead;
    if (!event || typeof event !== 'object' || !event.target) return;
    const open = this.ctrl.chapter;
    const plan = planFor(event, {
      studyId: this.ctrl.studyId,
      chapterId: open?.id ?? null,
      chapterVersion: open?.version ?? null,
      listedVersion: this.ctrl.study?.chapters.find((c) => c.id === open?.id)?.version ?? null,
      threadId: this.ctrl.thread?.id ?? null,
    });
    if (isEmpty(plan)) return;
    // The page's own writes are no news; the same user's writes from another tab are.
    const mine = event.actor_id !== null && event.actor_id === this.ctrl.me;
    const otherTab = mine && plan.chapter && this.ctrl.busy === 0;
    if (event.actor_id && (!mine || otherTab)) {
      this.actors.add(event.actor_id);
      this.notice = { who: event.actor_id, text: describeLive(event), at: Date.now() };
      void this.lookUp(event.actor_id);
    }
    this.pending = this.pending ? merge(this.pending, plan) : plan;
    clearTimeout(this.gatherTimer);
    this.gatherTimer = setTimeout(() => {
      this.flushing = this.flushing.then(() => this.flush());
    }, GATHER_MS);
  }

  /** Refetch what the gathered events touched; wait for the page's own writes first. */
  private async flush(): Promise<void> {
    while (this.ctrl.busy > 0 && !this.ended) await new Promise((r) => setTimeout(r, 50));
    const plan = this.pending;
    this.pending = null;
    if (!plan || this.ended) return;
    const ctrl = this.ctrl;
    const before = ctrl.chapter?.id ?? null;
    try {
      if (plan.chapterGone) {
        ctrl.tell(`${this.nameOf(this.notice?.who ?? null)} deleted the chapter you were on; you are now on the first chapter.`);
      }
      if (ctrl.previewTree && (plan.study || plan.chapter || plan.chapterGone)) {
        // A past version is on the board (history panel): re-reading the chapter would
        // close it. The list is refreshed now, the chapter once the preview is closed.
        await ctrl.loadStudy();
        this.afterPreview();
      } else if (plan.study || plan.chapter || plan.chapterGone) await ctrl.refreshChapters();
      if (plan.side) void ctrl.loadSide();
      if (plan.thread && ctrl.thread) await this.refreshThread(ctrl.thread.id);
      if (this.follow && plan.chapterId && plan.chapterId !== ctrl.chapter?.id && plan.chapterId !== before) {
        await ctrl.selectChapter(plan.chapterId);
      }
      if (this.follow && plan.moveId && ctrl.tree && plan.moveId in ctrl.tree.nodes) ctrl.jump(plan.moveId);
    } catch (error) {
      // A failed refetch is retried by the next event or the next reset; say nothing.
      void error;
    }
    ctrl.redraw();
    if (plan.moveId) setTimeout(() => markChanged(plan.moveId!), 0);
  }

  private afterPreview(): void {
    if (this.previewTimer !== undefined) return;
    this.previewTimer = setInterval(() => {
      if (this.ctrl.previewTree || this.stream?.stopped) return;
      clearInterval(this.previewTimer);
      this.previewTimer = undefined;
      this.flushing = this.flushing.then(() => this.ctrl.refreshChapters());
    }, 500);
  }

  /** Re-read the open thread; kept only if the user still has it open when it comes. */
  private async refreshThread(threadId: string): Promise<void> {
    const { data } = await api<ThreadDetail>('GET', `/discussions/${threadId}`);
    if (this.ctrl.thread?.id === threadId) this.ctrl.thread = data;
  }

  /** `reset`: the page was away too long; read everything again, keeping the place. */
  private async reload(): Promise<void> {
    const ctrl = this.ctrl;
    try {
      await ctrl.loadStudy();
      const open = ctrl.study?.chapters.find((c) => c.id === ctrl.chapter?.id);
      // The place kept is the one the user has when the chapter comes (ctrl.loadChapter).
      if (open) await ctrl.loadChapter(open.id);
      else await ctrl.refreshChapters();
      void ctrl.loadSide();
    } catch {
      // The next event or reconnection tries again.
    }
    ctrl.redraw();
  }

  private onEnded(reason: string): void {
    if (reason === 'unauthorized') {
      // An anonymous reader (or an expired session): no stream, the page still works.
      this.state = 'ended';
      return;
    }
    this.ended = ENDED_TEXT[reason] ?? `This study stopped updating (${reason}).`;
    clearInterval(this.heartbeatTimer);
    this.presence = { viewers: [], anonymous: 0 };
    this.ctrl.tell(this.ended, 'error');
  }
}

/** What someone did, for the live line ("Olga …"). */
export function describeLive(event: EventRead): string {
  const p = event.payload ?? {};
  const quoted = (key: string) => (typeof p[key] === 'string' ? ` “${p[key] as string}”` : '');
  switch (event.event_type) {
    case 'study.chapter_added':
      return `added the chapter${quoted('name')}`;
    case 'chapter.deleted':
      return `deleted the chapter${quoted('name')}`;
    case 'node.renamed':
      return `renamed the study to${quoted('new_name')}`;
    case 'discussion.thread_created':
      return `opened the discussion${quoted('title')}`;
    case 'discussion.reply_added':
      return 'replied in a discussion';
    case 'discussion.post_edited':
      return 'edited a post';
    case 'discussion.reaction_added':
    case 'discussion.reaction_removed':
      return 'reacted to a post';
    default:
      return event.event_type.startsWith('chapter.') ? describeEvent(event) : event.event_type.replace(/[._]/g, ' ');
  }
}

/** Flash the moves list entry that just changed. */
function markChanged(moveId: string): void {
  if (typeof document === 'undefined') return;
  const el = document.querySelector<HTMLElement>(`.moves-box [data-id="${CSS.escape(moveId)}"]`);
  if (!el) return;
  el.classList.remove('live-changed');
  void el.offsetWidth;
  el.classList.add('live-changed');
  setTimeout(() => el.classList.remove('live-changed'), 2500);
}
