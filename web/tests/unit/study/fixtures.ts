// Move trees for the study tests, built with chessops exactly as the server describes them.

import { Chess } from 'chessops/chess';
import { makeFen, parseFen } from 'chessops/fen';
import { parseSan } from 'chessops/san';
import { makeUci } from 'chessops/util';
import type { At } from '../../../src/study/tree/tree';
import type { ChapterRead, MoveNode, MoveTree } from '../../../src/study/tree/types';

export const START = 'rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1';

export function emptyTree(fen = START): MoveTree {
  return { format: 1, fen, chess960: false, comment: '', children: [], nodes: {} };
}

let counter = 0;

/** Play `san` after `parent` (null: from the start) and link it as the last child. */
export function play(tree: MoveTree, parent: At, san: string, id = `m${++counter}`): string {
  const before = parent === null ? tree.fen : tree.nodes[parent].fen;
  const pos = Chess.fromSetup(parseFen(before).unwrap()).unwrap();
  const move = parseSan(pos, san);
  if (!move) throw new Error(`illegal ${san} in ${before}`);
  const uci = makeUci(move);
  pos.play(move);
  const node: MoveNode = {
    id,
    parent,
    san,
    uci,
    fen: makeFen(pos.toSetup()),
    comment: '',
    starting_comment: '',
    nags: [],
    shapes: [],
    clock: null,
    children: [],
  };
  tree.nodes[id] = node;
  (parent === null ? tree.children : tree.nodes[parent].children).push(id);
  return id;
}

/** A line of moves after `parent`; returns their ids. */
export function line(tree: MoveTree, parent: At, sans: string[], prefix?: string): string[] {
  const ids: string[] = [];
  let at = parent;
  sans.forEach((san, i) => {
    at = play(tree, at, san, prefix ? `${prefix}${i}` : undefined);
    ids.push(at);
  });
  return ids;
}

/**
 * 1. e4 (1. d4 d5) 1... e5 2. Nf3 (2. Bc4 Nf6 (2... Bc5)) 2... Nc6
 * ids: e4 e5 nf3 nc6 on the main line; d4 d5; bc4 nf6; bc5.
 */
export function sampleTree(): MoveTree {
  const tree = emptyTree();
  play(tree, null, 'e4', 'e4');
  play(tree, null, 'd4', 'd4');
  play(tree, 'd4', 'd5', 'd5');
  play(tree, 'e4', 'e5', 'e5');
  play(tree, 'e5', 'Nf3', 'nf3');
  play(tree, 'e5', 'Bc4', 'bc4');
  play(tree, 'bc4', 'Nf6', 'nf6');
  play(tree, 'bc4', 'Bc5', 'bc5');
  play(tree, 'nf3', 'Nc6', 'nc6');
  return tree;
}

export function chapterOf(tree: MoveTree, version = 1, id = 'c1'): ChapterRead {
  return {
    id,
    study_id: 's1',
    name: 'Chapter 1',
    description: '',
    position: 0,
    orientation: 'white',
    start_fen: tree.fen,
    node_count: Object.keys(tree.nodes).length,
    version,
    created_by: 'u1',
    created_at: '2026-11-30T00:00:00Z',
    updated_at: '2026-11-30T00:00:00Z',
    headers: [],
    tree,
  };
}
