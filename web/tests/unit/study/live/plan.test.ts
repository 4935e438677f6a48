// What an open page does about each event (pure), and the live controller against a
// scripted API: other people's edits are refetched keeping the user's place and their
// unsaved comment; the page's own edits are not applied twice.

import { beforeEach, describe, expect, test, vi } from 'vitest';
import * as client from '../../../../src/api';
import { StudyCtrl } from '../../../../src/study/ctrl';
import { StudyLive, describeLive } from '../../../../src/study/live/live';
import { isEmpty, merge, planFor } from '../../../../src/study/live/plan';
import type { EventRead, StudyRead } from '../../../../src/study/tree/types';
import { chapterOf, play, sampleTree } from '../fixtures';

vi.mock('../../../../src/api', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../../src/api')>();
  return { ...real, api: vi.fn(), apiStream: vi.fn(), apiKeepalive: vi.fn() };
});

const api = vi.mocked(client.api);
const apiStream = vi.mocked(client.apiStream);

function envelope(type: string, target: { id: string; type: string }, version: number | null, payload: Record<string, unknown> = {}, actor = 'bob'): EventRead {
  return { event_id: `e-${type}-${version}`, event_type: type, actor_id: actor, target, timestamp: '2026-11-30T06:00:00Z', version, payload, correlation_id: 'c' };
}

const VIEW = { studyId: 's1', chapterId: 'c1', chapterVersion: 5, listedVersion: 5, threadId: 't1' };
const C1 = { id: 'c1', type: 'chapter' };

describe('planFor', () => {
  test('a newer edit of the open chapter refetches it and the list', () => {
    const plan = planFor(envelope('chapter.move_added', C1, 6, { move_id: 'm9' }), VIEW);
    expect(plan).toMatchObject({ chapter: true, study: true, side: true, moveId: 'm9', chapterId: 'c1' });
  });

  test("the page's own tree edit (version already shown) refetches neither the chapter nor the list", () => {
    for (const version of [4, 5]) {
      const plan = planFor(envelope('chapter.comment_set', C1, version), VIEW);
      expect([plan.chapter, plan.side, plan.study]).toEqual([false, false, false]);
      expect(isEmpty(plan)).toBe(true);
    }
    // Edits made elsewhere than the tree editor (undo, a restore, a rename) re-read the list.
    for (const type of ['chapter.undone', 'chapter.restored', 'chapter.renamed']) {
      expect(planFor(envelope(type, C1, 5), VIEW)).toMatchObject({ chapter: false, study: true });
    }
  });

  test("someone's edit that a re-read of the chapter alone brought first still re-reads the list", () => {
    const plan = planFor(envelope('chapter.move_added', C1, 6), { ...VIEW, chapterVersion: 6 });
    expect([plan.chapter, plan.study]).toEqual([false, true]);
  });

  test('an edit of another chapter refreshes only the list; deleting the open one is said', () => {
    expect(planFor(envelope('chapter.renamed', { id: 'c2', type: 'chapter' }, 2), VIEW)).toMatchObject({ chapter: false, study: true });
    expect(planFor(envelope('chapter.deleted', C1, 9), VIEW)).toMatchObject({ chapterGone: true, chapter: false, study: true });
    expect(planFor(envelope('study.chapter_added', { id: 's1', type: 'study' }, 3, { chapter_id: 'c3' }), VIEW)).toMatchObject({ study: true, chapterId: 'c3' });
  });

  test('discussion events refresh the side, and the open thread when it is theirs', () => {
    const reply = planFor(envelope('discussion.reply_added', { id: 't1', type: 'discussion' }, 2), VIEW);
    expect([reply.side, reply.thread, reply.study]).toEqual([true, true, false]);
    const edit = planFor(envelope('discussion.post_edited', { id: 'p1', type: 'discussion_post' }, 2, { thread_id: 't2' }), VIEW);
    expect([edit.side, edit.thread]).toEqual([true, false]);
  });

  test('stars and unknown events ask for nothing; merged plans keep every request', () => {
    expect(isEmpty(planFor(envelope('study.starred', { id: 's1', type: 'study' }, null), VIEW))).toBe(true);
    expect(isEmpty(planFor(envelope('export.created', { id: 'x', type: 'export' }, null), VIEW))).toBe(true);
    const merged = merge(planFor(envelope('chapter.nags_set', C1, 6, { move_id: 'a' }), VIEW), planFor(envelope('discussion.thread_created', { id: 't9', type: 'discussion' }, 1), VIEW));
    expect(merged).toMatchObject({ chapter: true, study: true, side: true, thread: false, moveId: 'a' });
  });
});

test('the live line says what was done in words', () => {
  const S = { id: 's1', type: 'study' };
  expect(describeLive(envelope('study.chapter_added', { id: 'c9', type: 'chapter' }, 1, { name: 'Endgame drill' }))).toBe('added the chapter “Endgame drill”');
  expect(describeLive(envelope('node.renamed', S, 2, { new_name: 'Ruy Lopez' }))).toBe('renamed the study to “Ruy Lopez”');
  expect(describeLive(envelope('discussion.thread_created', { id: 't', type: 'discussion' }, 1, { title: 'Why a6?' }))).toBe('opened the discussion “Why a6?”');
  expect(describeLive(envelope('chapter.move_added', C1, 6, { san: 'Ba4' }))).toBe('added the move Ba4');
});

// ---- StudyLive against a scripted API and a scripted stream ----

let sendEvent: (e: EventRead) => void = () => undefined;
let chapterVersion = 5;
let tree = sampleTree();
let gets: string[] = [];

function study(): StudyRead {
  return {
    id: 's1', workspace_id: 'w1', parent_id: 'w1', kind: 'study', name: 'Study', version: 1, role: 'editor', description: '', star_count: 0, starred: false,
    chapters: [{ ...chapterOf(tree, chapterVersion), headers: undefined, tree: undefined } as never],
  };
}

beforeEach(() => {
  chapterVersion = 5;
  tree = sampleTree();
  gets = [];
  api.mockReset();
  api.mockImplementation(async (method, path) => {
    if (method === 'GET') gets.push(path);
    let data: unknown = { items: [], next_cursor: null };
    if (/\/studies\/s1$/.test(path)) data = study();
    else if (/\/chapters\/c1$/.test(path)) data = chapterOf(structuredClone(tree), chapterVersion);
    else if (path === '/users') data = { items: [{ id: 'carl', display_name: 'Carl' }] };
    else if (/\/presence\//.test(path)) data = { viewers: [{ user_id: 'bob', display_name: 'Bob', chapter_id: 'c1' }], anonymous: 0 };
    return { data, etag: null, status: 200, headers: new Headers() } as never;
  });
  apiStream.mockReset();
  apiStream.mockImplementation(async () => {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
    let position = 100;
    sendEvent = (e) => controller.enqueue(new TextEncoder().encode(`id: ${++position}\nevent: ${e.event_type}\ndata: ${JSON.stringify(e)}\n\n`));
    return new Response(body);
  });
});

async function live(): Promise<{ ctrl: StudyCtrl; live: StudyLive }> {
  const ctrl = new StudyCtrl(() => undefined);
  ctrl.me = 'me';
  await ctrl.open('s1', 'c1');
  const l = new StudyLive(ctrl);
  l.start();
  await vi.waitFor(() => expect(apiStream).toHaveBeenCalled());
  await l.heartbeat();
  return { ctrl, live: l };
}

describe('StudyLive', () => {
  test("another user's move appears, the user keeps their place and their unsaved comment", async () => {
    const { ctrl, live: l } = await live();
    ctrl.jump('e5');
    ctrl.openComment('e5');
    ctrl.comment!.text = 'half-typed idea';
    gets = [];
    const added = play(tree, 'nc6', 'Bb5', 'bb5');
    chapterVersion = 6;
    sendEvent(envelope('chapter.move_added', C1, 6, { move_id: added, san: 'Bb5' }));
    await vi.waitFor(() => expect(ctrl.tree!.nodes.bb5).toBeDefined());
    expect(ctrl.at).toBe('e5');
    expect(ctrl.comment?.text).toBe('half-typed idea');
    expect(ctrl.chapter!.version).toBe(6);
    expect(l.notice).toMatchObject({ who: 'bob', text: 'added the move Bb5' });
    expect(l.nameOf('bob')).toBe('Bob');
    expect(gets.filter((p) => /\/chapters\/c1$/.test(p))).toHaveLength(1);
    l.stop();
  });

  test('someone not on the page is named by GET /users, asked once', async () => {
    const { ctrl, live: l } = await live();
    expect(l.nameOf('carl')).toBe('Another user');
    chapterVersion = 6;
    sendEvent(envelope('chapter.nags_set', C1, 6, {}, 'carl'));
    await vi.waitFor(() => expect(l.nameOf('carl')).toBe('Carl'));
    chapterVersion = 7;
    sendEvent(envelope('chapter.nags_set', C1, 7, {}, 'carl'));
    await vi.waitFor(() => expect(ctrl.chapter!.version).toBe(7));
    expect(api.mock.calls.filter(([, path]) => path === '/users')).toHaveLength(1);
    l.stop();
  });

  test('a past version on the board (history) stays until closed; then the chapter is re-read', async () => {
    const { ctrl, live: l } = await live();
    const preview = structuredClone(ctrl.chapter!.tree);
    ctrl.previewTree = preview;
    chapterVersion = 6;
    gets = [];
    sendEvent(envelope('chapter.comment_set', C1, 6));
    await vi.waitFor(() => expect(gets.some((p) => /\/studies\/s1$/.test(p))).toBe(true));
    await new Promise((r) => setTimeout(r, 150));
    expect(ctrl.previewTree).toBe(preview);
    expect(gets.filter((p) => /\/chapters\/c1$/.test(p))).toEqual([]);
    ctrl.previewTree = null;
    await vi.waitFor(() => expect(ctrl.chapter!.version).toBe(6), { timeout: 2000 });
    l.stop();
  });

  test("the page's own edit, seen again on the stream, is not fetched nor applied twice", async () => {
    const { ctrl, live: l } = await live();
    // The page's own edit: its answer carries the version, which the list notes too.
    api.mockImplementationOnce(async () => ({ data: { chapter_id: 'c1', version: 6, move: { ...tree.nodes.e5, nags: [1] }, move_ids: [] }, etag: null, status: 200, headers: new Headers() }) as never);
    await ctrl.setNags('e5', 1);
    expect(ctrl.chapter!.version).toBe(6);
    expect(ctrl.study!.chapters[0].version).toBe(6);
    chapterVersion = 6;
    gets = [];
    sendEvent(envelope('chapter.nags_set', C1, 6, { move_id: 'e5' }, 'me'));
    // A later event on the stream shows the first one was handled (events are in order).
    sendEvent(envelope('discussion.thread_created', { id: 't9', type: 'discussion' }, 1, {}, 'me'));
    await vi.waitFor(() => expect(gets.length).toBeGreaterThan(0));
    await new Promise((r) => setTimeout(r, 100));
    expect(gets.filter((p) => /\/studies\/s1$|\/chapters\/c1$/.test(p))).toEqual([]);
    expect(ctrl.tree!.nodes.e5.nags).toEqual([1]);
    expect(l.notice).toBeNull();
    l.stop();
  });

  test('events that arrive while the page writes wait for its answer, then refetch once', async () => {
    const { ctrl, live: l } = await live();
    ctrl.busy = 1;
    gets = [];
    chapterVersion = 8;
    sendEvent(envelope('chapter.comment_set', C1, 7));
    sendEvent(envelope('chapter.nags_set', C1, 8));
    await new Promise((r) => setTimeout(r, 150));
    expect(gets).toEqual([]);
    ctrl.busy = 0;
    await vi.waitFor(() => expect(ctrl.chapter!.version).toBe(8));
    expect(gets.filter((p) => /\/chapters\/c1$/.test(p))).toHaveLength(1);
    l.stop();
  });
});
