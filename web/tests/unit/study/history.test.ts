// The history controller and the diff shown on the board, against a scripted API (the
// real server is exercised in tests/e2e/history.e2e.test.ts).

import { beforeEach, describe, expect, test, vi } from 'vitest';
import * as client from '../../../src/api';
import { StudyCtrl, describeEvent } from '../../../src/study/ctrl';
import { diffMarks, restoreWords } from '../../../src/study/history/diff';
import type { ChapterDiff } from '../../../src/study/history/types';
import type { StudyRead } from '../../../src/study/tree/types';
import { chapterOf, sampleTree } from './fixtures';

vi.mock('../../../src/api', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/api')>();
  return { ...real, api: vi.fn(), apiText: vi.fn() };
});

const api = vi.mocked(client.api);
type Reply = (opts: client.RequestOptions) => unknown;
let routes: Map<string, Reply>;
let sent: { route: string; opts: client.RequestOptions }[];

function problem(status: number, code: string, fields: Record<string, unknown> = {}): client.ApiError {
  return new client.ApiError(status, { code, detail: `${code} detail`, ...fields });
}


beforeEach(() => {
  routes = new Map();
  sent = [];
  api.mockReset();
  api.mockImplementation(async (method, path, opts = {}) => {
    const route = `${method} ${path}`;
    sent.push({ route, opts });
    const reply = routes.get(route) ?? (method === 'GET' ? () => ({ items: [], next_cursor: null }) : undefined);
    if (!reply) throw new Error(`unexpected ${route}`);
    return { data: await reply(opts), etag: null, status: 200, headers: new Headers() } as never;
  });
});

async function opened(version = 5): Promise<StudyCtrl> {
  const study: StudyRead = {
    id: 's1',
    workspace_id: 'w1',
    parent_id: 'w1',
    kind: 'study',
    name: 'S',
    version: 1,
    role: 'owner',
    description: '',
    star_count: 0,
    starred: false,
    chapters: [chapterOf(sampleTree(), version)],
  };
  routes.set('GET /studies/s1', () => study);
  routes.set('GET /studies/s1/chapters/c1', () => chapterOf(sampleTree(), version));
  const ctrl = new StudyCtrl(() => undefined);
  await ctrl.open('s1', 'c1');
  return ctrl;
}

function emptyDiff(): ChapterDiff {
  return {
    from_version: 1,
    to_version: 5,
    moves_added: [],
    moves_removed: [],
    moves_replaced: [],
    promoted: [],
    comments: [],
    starting_comments: [],
    nags: [],
    shapes: [],
    clocks: [],
    chapter: {},
  };
}

describe('the diff of a past version against now', () => {
  test('moves gone since and moves changed since are marked; words name the first move of each line', () => {
    const diff = emptyDiff();
    diff.moves_removed = [
      { id: 'a', san: 'Nc6', label: '2... Nc6', parent: 'x' },
      { id: 'b', san: 'Bb5', label: '3. Bb5', parent: 'a' },
    ];
    diff.moves_added = [{ id: 'c', san: 'd6', label: '2... d6', parent: 'x' }];
    diff.comments = [{ move_id: 'x', label: '2. Nf3', before: 'old', after: 'new' }, { move_id: null, label: 'before the first move', before: '', after: 'hi' }];
    diff.nags = [{ move_id: 'y', label: '1. e4', before: [1], after: [] }];
    diff.chapter = { name: { before: 'Old', after: 'New' } };
    expect([...diffMarks(diff)]).toEqual([
      ['x', 'changed'],
      ['y', 'changed'],
      ['a', 'gone'],
      ['b', 'gone'],
    ]);
    expect(restoreWords(diff)).toEqual([
      'brings back 2 moves (2... Nc6)',
      'removes 1 move (2... d6) added since',
      'changes 2 comment(s) back',
      'changes the glyphs of 1 move(s) back',
      'renames the chapter back to “Old”',
    ]);
    expect(restoreWords(emptyDiff())).toEqual([]);
  });
});

describe('a past version on the board', () => {
  test('shows the version read-only, keeps the place, and goes back to the chapter', async () => {
    const ctrl = await opened();
    ctrl.jump('nf3');
    const past = sampleTree();
    delete past.nodes.nc6;
    past.nodes.nf3.children = [];
    routes.set('GET /studies/s1/chapters/c1/versions/2', () => ({ ...chapterOf(past, 2), kind: 'chapter.move_added', author_id: 'u1' }));
    routes.set('GET /studies/s1/chapters/c1/diff', () => ({ ...emptyDiff(), moves_added: [{ id: 'nc6', san: 'Nc6', label: '2... Nc6', parent: 'nf3' }] }));
    await ctrl.history.show(2);
    expect(sent.find((s) => s.route.endsWith('/diff'))!.opts.query).toEqual({ from: 2, to: 5 });
    expect(ctrl.tree!.nodes.nc6).toBeUndefined();
    expect(ctrl.canEdit).toBe(false);
    expect(ctrl.at).toBe('nf3');
    expect(ctrl.history.preview!.words).toEqual(['removes 1 move (2... Nc6) added since']);
    ctrl.history.close();
    expect(ctrl.tree!.nodes.nc6).toBeDefined();
    expect(ctrl.canEdit).toBe(true);
  });

  test('restore sends If-Match of the current version, after a confirmation', async () => {
    const ui = await import('../../../src/ui');
    const confirm = vi.spyOn(ui, 'confirmDialog').mockResolvedValue(true);
    const ctrl = await opened();
    routes.set('POST /studies/s1/chapters/c1/versions/2/restore', () => ({ chapter: { ...chapterOf(sampleTree(), 6) }, restored_version: 2 }));
    await ctrl.history.restore(2);
    const post = sent.find((s) => s.route.startsWith('POST'))!;
    expect(post.opts.ifMatch).toBe(5);
    expect(post.opts.action?.key).toBeTruthy();
    expect(confirm).toHaveBeenCalledOnce();
    expect(ctrl.flash?.text).toBe('Restored version 2 as version 6.');
  });
});

describe('undo and redo', () => {
  test('undo is one action; redo restores the undone version with If-Match of the undo’s result', async () => {
    const ctrl = await opened(5);
    routes.set('POST /studies/s1/chapters/c1/undo', () => ({ chapter: chapterOf(sampleTree(), 6), undone_version: 5, restored_version: 4 }));
    routes.set('GET /studies/s1/chapters/c1', () => chapterOf(sampleTree(), 6));
    await ctrl.history.undo();
    expect(ctrl.chapter!.version).toBe(6);
    expect(ctrl.history.canRedo).toBe(true);
    routes.set('POST /studies/s1/chapters/c1/versions/5/restore', () => ({ chapter: chapterOf(sampleTree(), 7), restored_version: 5 }));
    routes.set('GET /studies/s1/chapters/c1', () => chapterOf(sampleTree(), 7));
    await ctrl.history.redo();
    expect(sent.at(-3)?.route).toBe('POST /studies/s1/chapters/c1/versions/5/restore');
    expect(sent.at(-3)?.opts.ifMatch).toBe(6);
    expect(ctrl.history.canRedo).toBe(false);
  });

  test('a redo is not offered once the chapter moved on after the undo', async () => {
    const ctrl = await opened(5);
    routes.set('POST /studies/s1/chapters/c1/undo', () => ({ chapter: chapterOf(sampleTree(), 6), undone_version: 5, restored_version: 4 }));
    routes.set('GET /studies/s1/chapters/c1', () => chapterOf(sampleTree(), 6));
    await ctrl.history.undo();
    ctrl.chapter!.version = 7;
    expect(ctrl.history.canRedo).toBe(false);
  });

  test('409 changed_by_someone_else keeps the chapter, reloads it and names who and when', async () => {
    const ctrl = await opened(5);
    routes.set('POST /studies/s1/chapters/c1/undo', () => {
      throw problem(409, 'changed_by_someone_else', { changed_by: { id: 'u2', display_name: 'Bruno' }, changed_at: '2026-11-30T06:00:00Z', version: 5 });
    });
    await ctrl.history.undo();
    expect(ctrl.history.conflict).toMatchObject({ who: 'Bruno', when: '2026-11-30T06:00:00Z', version: 5 });
    expect(sent.filter((s) => s.route === 'GET /studies/s1/chapters/c1').length).toBe(2);
    ctrl.history.openPanel();
    expect(ctrl.tab).toBe('history');
    expect(ctrl.history.conflict).toBeNull();
  });
});

describe('replace a move', () => {
  test('the move played from the position before the replaced one is sent as its replacement', async () => {
    const ctrl = await opened();
    ctrl.history.startReplace('nf3');
    expect(ctrl.at).toBe('e5');
    routes.set('POST /studies/s1/chapters/c1/moves/nf3/replace', () => ({
      chapter_id: 'c1',
      version: 6,
      move: { id: 'nf3', san: 'Nc3' },
      replaced: '2. Nf3',
      kept: [{ id: 'nc6', san: 'Nc6', label: '2... Nc6' }],
      cut: [],
    }));
    await ctrl.playMove({ from: 1, to: 18 }); // Nb1-c3
    await vi.waitFor(() => expect(ctrl.history.replaced).not.toBeNull());
    const post = sent.find((s) => s.route.startsWith('POST'))!;
    expect(post.opts.body).toEqual({ move: 'Nc3' });
    expect(post.opts.ifMatch).toBe(5);
    expect(ctrl.history.replacing).toBeNull();
    expect(sent.some((s) => s.route.endsWith('/moves'))).toBe(false);
  });

  test('a move played elsewhere while replacing is not added to the tree', async () => {
    const ctrl = await opened();
    ctrl.history.startReplace('nf3');
    ctrl.jump('nc6');
    await ctrl.playMove({ from: 5, to: 33 }); // Bb5 after 2... Nc6
    expect(sent.filter((s) => s.route.startsWith('POST'))).toEqual([]);
    expect(ctrl.flash?.kind).toBe('error');
    ctrl.history.cancelReplace();
    expect(ctrl.history.replacing).toBeNull();
  });
});

describe('the activity feed names history events', () => {
  test('restore, undo and replace in words', () => {
    const event = (event_type: string, payload: Record<string, unknown>) => ({ event_type, payload }) as never;
    expect(describeEvent(event('chapter.restored', { restored_version: 2 }))).toBe('restored version 2');
    expect(describeEvent(event('chapter.undone', { undone_version: 5, restored_version: 4 }))).toBe('undid version 5');
    expect(describeEvent(event('chapter.move_replaced', { old_san: 'e4', new_san: 'd4', cut_move_ids: ['a', 'b'] }))).toBe(
      'replaced e4 with d4 (2 move(s) cut)',
    );
  });
});
