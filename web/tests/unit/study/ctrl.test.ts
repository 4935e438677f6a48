// The controller against a scripted API (the real server is exercised end to end in
// tests/e2e/study.e2e.test.ts): navigation, applying answers, keys and If-Match, 412.

import { beforeEach, describe, expect, test, vi } from 'vitest';
import * as client from '../../../src/api';
import { StudyCtrl, describeEvent, fromDrawShapes, toDrawShapes } from '../../../src/study/ctrl';
import type { MoveEdit, StudyRead } from '../../../src/study/tree/types';
import { chapterOf, emptyTree, play, sampleTree } from './fixtures';

vi.mock('../../../src/api', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/api')>();
  return { ...real, api: vi.fn(), apiText: vi.fn() };
});

const api = vi.mocked(client.api);

type Call = { method: string; path: string; opts: client.RequestOptions };
let calls: Call[] = [];
type Handler = (call: Call) => unknown;
let handlers: [RegExp, Handler][] = [];

function on(method: string, path: RegExp, handler: Handler): void {
  handlers.push([new RegExp(`^${method} .*${path.source}`), handler]);
}

function problem(status: number, detail: string): client.ApiError {
  // Built without the constructor: its signature belongs to the API client, not to us.
  const error = Object.create(client.ApiError.prototype) as client.ApiError;
  Object.assign(error, { status, code: 'x', title: 'x', detail, problem: { detail }, retryAfter: null, message: detail });
  return error;
}

function study(role: StudyRead['role'] = 'owner'): StudyRead {
  return {
    id: 's1',
    workspace_id: 'w1',
    parent_id: 'w1',
    kind: 'study',
    name: 'Study',
    version: 1,
    role,
    description: '',
    star_count: 0,
    starred: false,
    chapters: [{ ...chapterOf(emptyTree()), headers: undefined, tree: undefined } as never],
  };
}

beforeEach(() => {
  calls = [];
  handlers = [];
  api.mockReset();
  api.mockImplementation(async (method, path, opts = {}) => {
    const call = { method, path, opts };
    calls.push(call);
    const found = handlers.find(([re]) => re.test(`${method} ${path}`));
    if (!found) throw new Error(`unexpected ${method} ${path}`);
    const data = await found[1](call);
    return { data, etag: null, status: 200, headers: new Headers() } as never;
  });
  on('GET', /\/discussions/, () => ({ items: [], next_cursor: null }));
  on('GET', /\/nodes\/s1\/activity/, () => ({ items: [], next_cursor: null }));
});

async function opened(tree = sampleTree(), role: StudyRead['role'] = 'owner', version = 5): Promise<StudyCtrl> {
  on('GET', /\/studies\/s1$/, () => study(role));
  on('GET', /\/studies\/s1\/chapters\/c1$/, () => chapterOf(structuredClone(tree), version));
  on('GET', /\/events/, () => ({ items: [], next_cursor: null }));
  const ctrl = new StudyCtrl(() => undefined);
  await ctrl.open('s1', 'c1');
  return ctrl;
}

describe('navigation', () => {
  test('opens at the start, steps, jumps to the end and back', async () => {
    const ctrl = await opened();
    expect(ctrl.at).toBeNull();
    ctrl.next();
    ctrl.next();
    expect(ctrl.at).toBe('e5');
    ctrl.last();
    expect(ctrl.at).toBe('nc6');
    ctrl.prev();
    expect(ctrl.at).toBe('nf3');
    ctrl.variation(1);
    expect(ctrl.at).toBe('bc4');
    ctrl.first();
    expect(ctrl.at).toBeNull();
    ctrl.prev();
    expect(ctrl.at).toBeNull();
  });

  test('the FEN of each place is the position after its move (cached chessops position)', async () => {
    const ctrl = await opened();
    ctrl.jump('nf6');
    expect(ctrl.fen()).toBe(ctrl.tree!.nodes.nf6.fen);
    expect(ctrl.position('nf6').turn).toBe('white');
    expect(ctrl.position('nf6')).toBe(ctrl.position('nf6'));
  });

  test('opening with ?move= starts at that move when it exists', async () => {
    on('GET', /\/studies\/s1$/, () => study());
    on('GET', /\/studies\/s1\/chapters\/c1$/, () => chapterOf(sampleTree()));
    const ctrl = new StudyCtrl(() => undefined);
    await ctrl.open('s1', 'c1', 'bc5');
    expect(ctrl.at).toBe('bc5');
  });
});

describe('roles', () => {
  test('a viewer can neither edit nor discuss; a commenter discusses only', async () => {
    const viewer = await opened(sampleTree(), 'viewer');
    expect([viewer.canEdit, viewer.canDiscuss]).toEqual([false, false]);
    handlers = [];
    on('GET', /\/discussions/, () => ({ items: [], next_cursor: null }));
    on('GET', /\/nodes\/s1\/activity/, () => ({ items: [], next_cursor: null }));
    const commenter = await opened(sampleTree(), 'commenter');
    expect([commenter.canEdit, commenter.canDiscuss]).toEqual([false, true]);
  });

  test('a viewer playing a known move only steps; an unknown one sends nothing', async () => {
    const ctrl = await opened(sampleTree(), 'viewer');
    await ctrl.playMove({ from: 12, to: 28 }); // e2e4, already in the tree
    expect(ctrl.at).toBe('e4');
    await ctrl.playMove({ from: 52, to: 36 }); // e7e5 after e4 is known too
    await ctrl.playMove({ from: 6, to: 21 }); // Nf3
    expect(calls.filter((c) => c.method !== 'GET')).toEqual([]);
  });
});

function answer(tree = sampleTree(), parent: string, san: string, id: string, version: number): MoveEdit {
  play(tree, parent, san, id);
  return { chapter_id: 'c1', version, move: tree.nodes[id], move_ids: [id] };
}

describe('playing moves', () => {
  test('adds the move with If-Match and one Idempotency-Key, then stands on it', async () => {
    const ctrl = await opened();
    ctrl.jump('nc6');
    on('POST', /\/studies\/s1\/chapters\/c1\/moves$/, () => answer(sampleTree(), 'nc6', 'Bb5', 'bb5', 6));
    await ctrl.playMove({ from: 5, to: 33 }); // Bf1-b5
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.opts.body).toEqual({ after: 'nc6', move: 'Bb5' });
    expect(post.opts.ifMatch).toBe(5);
    expect(post.opts.action?.key).toBeTruthy();
    expect(ctrl.at).toBe('bb5');
    expect(ctrl.chapter!.version).toBe(6);
    expect(ctrl.tree!.nodes.nc6.children).toEqual(['bb5']);
  });

  test('412: reloads the chapter, keeps the place, says who changed what, applies the move on top', async () => {
    const ctrl = await opened();
    ctrl.me = 'me';
    ctrl.jump('nc6');
    const theirs = sampleTree();
    play(theirs, 'nc6', 'Bc4', 'theirs');
    handlers = handlers.filter(([re]) => !re.test('GET /studies/s1/chapters/c1'));
    on('GET', /\/studies\/s1\/chapters\/c1$/, () => chapterOf(structuredClone(theirs), 6));
    handlers = handlers.filter(([re]) => !re.test('GET /events'));
    on('GET', /\/events/, () => ({
      items: [
        {
          event_id: 'e',
          event_type: 'chapter.move_added',
          actor_id: 'other',
          target: { id: 'c1', type: 'chapter' },
          timestamp: '',
          version: 6,
          payload: { san: 'Bc4' },
          correlation_id: 'x',
        },
      ],
      next_cursor: null,
    }));
    let attempts = 0;
    on('POST', /\/moves$/, (call) => {
      attempts++;
      if (call.opts.ifMatch === 5) throw problem(412, 'stale');
      return answer(structuredClone(theirs), 'nc6', 'Bb5', 'bb5', 7);
    });
    await ctrl.playMove({ from: 5, to: 33 });
    expect(attempts).toBe(2);
    const posts = calls.filter((c) => c.method === 'POST');
    expect(posts[0].opts.action).toBe(posts[1].opts.action);
    expect(posts[1].opts.ifMatch).toBe(6);
    expect(ctrl.tree!.nodes.nc6.children).toEqual(['theirs', 'bb5']);
    expect(ctrl.at).toBe('bb5');
    expect(ctrl.chapter!.version).toBe(7);
    expect(ctrl.flash?.text).toContain('Another user added the move Bc4 meanwhile');
  });

  test('a 4xx shows the problem detail and puts the board back', async () => {
    const ctrl = await opened();
    on('POST', /\/moves$/, () => {
      throw problem(422, 'illegal move "Ke2"');
    });
    await ctrl.playMove({ from: 12, to: 20 }); // e3: not in the tree
    expect(ctrl.flash).toEqual({ text: 'illegal move "Ke2"', kind: 'error', links: undefined });
    expect(ctrl.at).toBeNull();
  });
});

describe('annotations', () => {
  test('a comment that fails to save stays in its editor with the reason', async () => {
    const ctrl = await opened();
    ctrl.jump('e5');
    ctrl.openComment('e5');
    ctrl.comment!.text = 'my long analysis';
    on('PUT', /\/moves\/e5\/comment$/, () => {
      throw problem(422, 'comment too long');
    });
    await ctrl.saveComment();
    expect(ctrl.comment).toMatchObject({ at: 'e5', text: 'my long analysis', error: 'comment too long', saving: false });
  });

  test('a saved comment updates the move and closes the editor', async () => {
    const ctrl = await opened();
    ctrl.openComment('e5');
    ctrl.comment!.text = 'solid';
    on('PUT', /\/moves\/e5\/comment$/, (call) => ({
      chapter_id: 'c1',
      version: 6,
      move: { ...sampleTree().nodes.e5, comment: (call.opts.body as { comment: string }).comment },
      move_ids: ['e5'],
    }));
    await ctrl.saveComment();
    expect(ctrl.comment).toBeNull();
    expect(ctrl.tree!.nodes.e5.comment).toBe('solid');
    expect(ctrl.chapter!.version).toBe(6);
  });

  test('NAG toggling sends the whole new set', async () => {
    const ctrl = await opened();
    on('PUT', /\/moves\/e4\/nags$/, (call) => ({
      chapter_id: 'c1',
      version: 6,
      move: { ...sampleTree().nodes.e4, nags: (call.opts.body as { nags: number[] }).nags },
      move_ids: ['e4'],
    }));
    await ctrl.setNags('e4', 1);
    expect(calls.at(-1)!.opts.body).toEqual({ nags: [1] });
    expect(ctrl.tree!.nodes.e4.nags).toEqual([1]);
  });

  test('delete from a move on the current path steps back to its parent', async () => {
    const ctrl = await opened();
    ctrl.jump('nf6');
    on('DELETE', /\/moves\/bc4$/, () => ({ chapter_id: 'c1', version: 6, move: null, move_ids: ['bc4', 'nf6', 'bc5'] }));
    await ctrl.deleteFrom('bc4');
    expect(ctrl.at).toBe('e5');
    expect(ctrl.tree!.nodes.e5.children).toEqual(['nf3']);
  });

  test('drawn shapes convert both ways', () => {
    const shapes = [
      { kind: 'arrow' as const, from: 'e2', to: 'e4', color: 'G' as const },
      { kind: 'circle' as const, square: 'd5', color: 'R' as const },
    ];
    expect(fromDrawShapes(toDrawShapes(shapes))).toEqual(shapes);
  });

  test('events read as sentences', () => {
    const event = { event_type: 'chapter.moves_deleted', payload: { move_ids: ['a', 'b'] } };
    expect(describeEvent(event as never)).toBe('deleted 2 move(s)');
  });
});

// ---- re-reads of the open chapter racing the page's own edits ----

/** Answer `method path` with `handler` from now on (the first handler that matches answers). */
function instead(method: string, path: RegExp, handler: Handler): void {
  handlers.unshift([new RegExp(`^${method} .*${path.source}`), handler]);
}

/** A promise settled from outside: an answer held until the test lets it go. */
function held<T>(): { promise: Promise<T>; release: (value: T) => void } {
  let release!: (value: T) => void;
  const promise = new Promise<T>((r) => (release = r));
  return { promise, release };
}

/** Let every pending promise callback run (the scripted API answers in microtasks). */
const settle = () => new Promise((r) => setTimeout(r, 0));

/** The study list with the open chapter at `version` (what refreshChapters compares). */
function listed(version: number): StudyRead {
  const s = study();
  s.chapters = [{ ...s.chapters[0], version }];
  return s;
}

/** A re-read begun: the list says the open chapter is at version 6; its read waits for `read.release`. */
async function heldReread(ctrl: StudyCtrl) {
  instead('GET', /\/studies\/s1$/, () => listed(6));
  const read = held<unknown>();
  instead('GET', /\/studies\/s1\/chapters\/c1$/, () => read.promise);
  const refresh = ctrl.refreshChapters();
  await settle();
  return { read, refresh };
}

describe('re-reads of the open chapter', () => {
  test('a re-read answered after the page’s own move landed, without it, takes neither the move nor the place', async () => {
    const ctrl = await opened();
    ctrl.jump('nc6');
    // The live stream's re-read: the list says version 6 (this page's Bb5, committed first).
    const { read, refresh } = await heldReread(ctrl);
    expect(calls.filter((c) => c.path.endsWith('/chapters/c1'))).toHaveLength(2); // open + this read
    on('POST', /\/moves$/, () => answer(sampleTree(), 'nc6', 'Bb5', 'bb5', 6));
    await ctrl.playMove({ from: 5, to: 33 }); // Bf1-b5
    expect(ctrl.at).toBe('bb5');
    // The read went out before the move and comes back without it (version 5).
    read.release(chapterOf(sampleTree(), 5));
    await refresh;
    expect(ctrl.at).toBe('bb5');
    expect(ctrl.tree!.nodes.nc6.children).toEqual(['bb5']);
    expect(ctrl.chapter!.version).toBe(6);
  });

  test('a re-read of the same version as the page’s own last move does not put the board back', async () => {
    const ctrl = await opened();
    ctrl.jump('nc6');
    const { read, refresh } = await heldReread(ctrl);
    on('POST', /\/moves$/, () => answer(sampleTree(), 'nc6', 'Bb5', 'bb5', 6));
    await ctrl.playMove({ from: 5, to: 33 });
    const treeRev = ctrl.treeRev;
    // Answered with the move (version 6, as the page has it): the CI failure, Nc6 then Bb5.
    const withMove = sampleTree();
    play(withMove, 'nc6', 'Bb5', 'bb5');
    read.release(chapterOf(withMove, 6));
    await refresh;
    expect(ctrl.at).toBe('bb5');
    expect(ctrl.treeRev).toBe(treeRev); // the tree was not even replaced
  });

  test('an answer that comes while the page’s own move is in flight waits for it: the list never shows the move before the board', async () => {
    const ctrl = await opened();
    ctrl.jump('nc6');
    const { read, refresh } = await heldReread(ctrl);
    const posted = held<MoveEdit>();
    on('POST', /\/moves$/, () => posted.promise);
    const move = ctrl.playMove({ from: 5, to: 33 });
    await settle();
    // The server committed Bb5 before the read: its answer has it, the POST's answer is late.
    const withMove = sampleTree();
    play(withMove, 'nc6', 'Bb5', 'bb5');
    read.release(chapterOf(withMove, 6));
    await settle();
    expect('bb5' in ctrl.tree!.nodes).toBe(false);
    expect(ctrl.at).toBe('nc6');
    posted.release(answer(sampleTree(), 'nc6', 'Bb5', 'bb5', 6));
    await move;
    await refresh;
    expect(ctrl.at).toBe('bb5');
    expect(ctrl.tree!.nodes.nc6.children).toEqual(['bb5']);
    expect(ctrl.chapter!.version).toBe(6);
  });

  test('a re-read with someone else’s move keeps the place the user went to while it was read', async () => {
    const ctrl = await opened();
    ctrl.jump('e4');
    const { read, refresh } = await heldReread(ctrl);
    ctrl.jump('nf3');
    const theirs = sampleTree();
    play(theirs, 'nc6', 'Bc4', 'theirs');
    read.release(chapterOf(theirs, 6));
    await refresh;
    expect(ctrl.at).toBe('nf3');
    expect(ctrl.tree!.nodes.nc6.children).toEqual(['theirs']);
    expect(ctrl.chapter!.version).toBe(6);
  });

  test('a re-read with someone else’s move keeps the place of a move the user played while it was read', async () => {
    const ctrl = await opened();
    ctrl.jump('nc6');
    const { read, refresh } = await heldReread(ctrl);
    on('POST', /\/moves$/, () => answer(sampleTree(), 'nc6', 'Bb5', 'bb5', 6));
    await ctrl.playMove({ from: 5, to: 33 });
    // Someone else's d4 came after the page's Bb5: version 7 holds both.
    const both = sampleTree();
    play(both, 'nc6', 'Bb5', 'bb5');
    play(both, 'bb5', 'a6', 'a6');
    read.release(chapterOf(both, 7));
    await refresh;
    expect(ctrl.at).toBe('bb5');
    expect(ctrl.tree!.nodes.bb5.children).toEqual(['a6']);
    expect(ctrl.chapter!.version).toBe(7);
  });

  test('the list read before the page’s own move landed asks for no chapter read', async () => {
    const ctrl = await opened();
    ctrl.jump('nc6');
    on('POST', /\/moves$/, () => answer(sampleTree(), 'nc6', 'Bb5', 'bb5', 6));
    await ctrl.playMove({ from: 5, to: 33 });
    instead('GET', /\/studies\/s1$/, () => listed(5));
    const before = calls.length;
    await ctrl.refreshChapters();
    expect(calls.slice(before).map((c) => `${c.method} ${c.path}`)).toEqual(['GET /studies/s1']);
    expect(ctrl.at).toBe('bb5');
  });

  test('a promotion is read back although the page has its version: the server lays the tree out', async () => {
    const ctrl = await opened();
    ctrl.jump('d5');
    on('POST', /\/moves\/d4\/promote$/, () => ({ chapter_id: 'c1', version: 6, move: null, move_ids: ['d4'] }));
    const promoted = sampleTree();
    promoted.children = ['d4', 'e4'];
    instead('GET', /\/studies\/s1\/chapters\/c1$/, () => chapterOf(structuredClone(promoted), 6));
    await ctrl.promote('d4', 'mainline');
    expect(ctrl.tree!.children).toEqual(['d4', 'e4']);
    expect(ctrl.at).toBe('d5');
    expect(ctrl.chapter!.version).toBe(6);
  });

  test('a promotion whose read-back is older than the page’s next move is read again', async () => {
    const ctrl = await opened();
    ctrl.jump('nc6');
    on('POST', /\/moves\/d4\/promote$/, () => ({ chapter_id: 'c1', version: 6, move: null, move_ids: ['d4'] }));
    const promoted = sampleTree();
    promoted.children = ['d4', 'e4'];
    const reads = [held<unknown>(), held<unknown>()];
    let n = 0;
    instead('GET', /\/studies\/s1\/chapters\/c1$/, () => reads[n++].promise);
    const promote = ctrl.promote('d4', 'mainline');
    await settle();
    on('POST', /\/moves$/, () => answer(sampleTree(), 'nc6', 'Bb5', 'bb5', 7));
    await ctrl.playMove({ from: 5, to: 33 });
    reads[0].release(chapterOf(structuredClone(promoted), 6)); // read before Bb5 landed
    await settle();
    expect(n).toBe(2);
    const both = structuredClone(promoted);
    play(both, 'nc6', 'Bb5', 'bb5');
    reads[1].release(chapterOf(both, 7));
    await promote;
    expect(ctrl.tree!.children).toEqual(['d4', 'e4']);
    expect(ctrl.tree!.nodes.nc6.children).toEqual(['bb5']);
    expect(ctrl.at).toBe('bb5');
  });

  test('a switch to another chapter in flight is not overtaken by a re-read of the open one', async () => {
    const ctrl = await opened();
    const other = emptyTree();
    play(other, null, 'c4', 'c4');
    const switched = held<unknown>();
    on('GET', /\/studies\/s1\/chapters\/c2$/, () => switched.promise);
    instead('GET', /\/studies\/s1$/, () => listed(6));
    instead('GET', /\/studies\/s1\/chapters\/c1$/, () => chapterOf(sampleTree(), 6));
    const select = ctrl.selectChapter('c2');
    await ctrl.refreshChapters();
    switched.release(chapterOf(other, 3, 'c2'));
    await select;
    expect(ctrl.chapter!.id).toBe('c2');
  });

  test('a newer read that comes while a past version is shown leaves that version and the place on the board', async () => {
    const ctrl = await opened();
    ctrl.jump('e5');
    const { read, refresh } = await heldReread(ctrl);
    // The user opens version 2 (1. e4 e5) from the history panel while the chapter is read.
    const past = emptyTree();
    play(past, null, 'e4', 'e4');
    play(past, 'e4', 'e5', 'e5');
    ctrl.history.preview = { version: 2, entry: null, chapter: chapterOf(past, 2) as never, diff: null, marks: null, words: [] };
    ctrl.setPreview(past);
    const theirs = sampleTree();
    play(theirs, 'nc6', 'Bc4', 'theirs');
    read.release(chapterOf(theirs, 6));
    await refresh;
    expect(ctrl.previewTree).toBe(past);
    expect(ctrl.history.preview?.version).toBe(2);
    expect(ctrl.at).toBe('e5');
    expect(ctrl.chapter!.version).toBe(6);
    expect(ctrl.chapter!.tree.nodes.nc6.children).toEqual(['theirs']);
  });
});

describe('the address', () => {
  test('the page’s own ?move=, written before its next move landed, does not take the board back', async () => {
    const ctrl = await opened();
    vi.useFakeTimers();
    try {
      ctrl.jump('nc6');
      vi.advanceTimersByTime(400); // ?move=nc6 is written; the page renders it a frame later
      on('POST', /\/moves$/, () => answer(sampleTree(), 'nc6', 'Bb5', 'bb5', 6));
      await ctrl.playMove({ from: 5, to: 33 }); // Bb5 lands meanwhile
      ctrl.followUrl('c1', 'nc6'); // the page's effect for ?move=nc6
      expect(ctrl.at).toBe('bb5');
    } finally {
      vi.useRealTimers();
    }
  });

  test('a link to another move of the open chapter goes there', async () => {
    const ctrl = await opened();
    vi.useFakeTimers();
    try {
      ctrl.jump('nc6');
      vi.advanceTimersByTime(400);
      ctrl.followUrl('c1', 'e4');
      expect(ctrl.at).toBe('e4');
      ctrl.followUrl('c2', 'd4'); // another chapter's move: selectChapter's business
      expect(ctrl.at).toBe('e4');
    } finally {
      vi.useRealTimers();
    }
  });
});
