import { describe, expect, test } from 'vitest';
import { formatClock, glyphOf, toggleNag } from '../../../src/study/tree/nag';
import {
  addMove,
  childBySan,
  deepestExisting,
  isMainline,
  lineEnd,
  mainline,
  moveNumber,
  next,
  pathTo,
  plyOf,
  prev,
  removeMoves,
  switchVariation,
  updateMove,
} from '../../../src/study/tree/tree';
import { emptyTree, play, sampleTree } from './fixtures';

describe('paths', () => {
  test('next follows the first child, prev the parent, null is the start', () => {
    const tree = sampleTree();
    expect(next(tree, null)).toBe('e4');
    expect(next(tree, 'e5')).toBe('nf3');
    expect(next(tree, 'nc6')).toBeUndefined();
    expect(prev(tree, 'e4')).toBeNull();
    expect(prev(tree, null)).toBeUndefined();
    expect(prev(tree, 'nf6')).toBe('bc4');
  });

  test('pathTo lists the moves from the start, ply counts them', () => {
    const tree = sampleTree();
    expect(pathTo(tree, 'nf6')).toEqual(['e4', 'e5', 'bc4', 'nf6']);
    expect(pathTo(tree, null)).toEqual([]);
    expect(plyOf(tree, 'nc6')).toBe(4);
  });

  test('lineEnd and mainline follow children[0]', () => {
    const tree = sampleTree();
    expect(lineEnd(tree, null)).toBe('nc6');
    expect(lineEnd(tree, 'bc4')).toBe('nf6');
    expect(mainline(tree)).toEqual(['e4', 'e5', 'nf3', 'nc6']);
  });

  test('isMainline is false anywhere inside a variation', () => {
    const tree = sampleTree();
    expect(isMainline(tree, 'nf3')).toBe(true);
    expect(isMainline(tree, null)).toBe(true);
    expect(isMainline(tree, 'd5')).toBe(false);
    expect(isMainline(tree, 'nf6')).toBe(false);
  });

  test('deepestExisting keeps the place after the end of a path was deleted', () => {
    const tree = sampleTree();
    expect(deepestExisting(tree, ['e4', 'e5', 'gone', 'nf3'])).toBe('e5');
    expect(deepestExisting(tree, ['gone'])).toBeNull();
  });

  test('move numbers come from the position before the move', () => {
    const tree = sampleTree();
    expect(moveNumber(tree, 'e4')).toEqual({ number: 1, white: true });
    expect(moveNumber(tree, 'e5')).toEqual({ number: 1, white: false });
    expect(moveNumber(tree, 'bc5')).toEqual({ number: 2, white: false });
  });
});

describe('switching variations (↑ ↓)', () => {
  test('among the alternatives to the current move', () => {
    const tree = sampleTree();
    expect(switchVariation(tree, 'nf3', 1)).toBe('bc4');
    expect(switchVariation(tree, 'bc4', -1)).toBe('nf3');
    expect(switchVariation(tree, 'bc4', 1)).toBe('bc4');
    expect(switchVariation(tree, 'nf6', 1)).toBe('bc5');
  });

  test('from a move without alternatives into the variations of the next move', () => {
    const tree = sampleTree();
    expect(switchVariation(tree, 'e5', 1)).toBe('bc4');
    expect(switchVariation(tree, 'e5', -1)).toBe('nf3');
    expect(switchVariation(tree, null, 1)).toBe('d4');
    expect(switchVariation(tree, 'nc6', 1)).toBe('nc6');
  });
});

describe('applying API answers', () => {
  test('addMove links a new move once, even when the server returns it again (200)', () => {
    const tree = sampleTree();
    const scratch = emptyTree();
    play(scratch, null, 'e4', 'e4');
    play(scratch, 'e4', 'c5', 'c5');
    const node = { ...scratch.nodes.c5 };
    addMove(tree, node);
    addMove(tree, node);
    expect(tree.nodes.e4.children).toEqual(['e5', 'c5']);
    expect(childBySan(tree, 'e4', 'c5')).toBe('c5');
  });

  test('removeMoves drops every listed id and unlinks the first from its parent', () => {
    const tree = sampleTree();
    removeMoves(tree, ['bc4', 'nf6', 'bc5']);
    expect(tree.nodes.e5.children).toEqual(['nf3']);
    expect(Object.keys(tree.nodes).sort()).toEqual(['d4', 'd5', 'e4', 'e5', 'nc6', 'nf3']);
    removeMoves(tree, ['d4', 'd5']);
    expect(tree.children).toEqual(['e4']);
  });

  test('updateMove replaces annotations but keeps the local children', () => {
    const tree = sampleTree();
    updateMove(tree, { ...tree.nodes.e5, comment: 'solid', nags: [1], children: [] });
    expect(tree.nodes.e5.comment).toBe('solid');
    expect(tree.nodes.e5.nags).toEqual([1]);
    expect(tree.nodes.e5.children).toEqual(['nf3', 'bc4']);
  });
});

describe('glyphs', () => {
  test('one move glyph and one position glyph at a time; observations add up', () => {
    expect(toggleNag([1], 2)).toEqual([2]);
    expect(toggleNag([1, 14], 16)).toEqual([1, 16]);
    expect(toggleNag([1], 146)).toEqual([1, 146]);
    expect(toggleNag([1, 146], 1)).toEqual([146]);
    expect(glyphOf(3)).toBe('!!');
    expect(glyphOf(250)).toBe('$250');
  });

  test('clocks read like a chess clock', () => {
    expect(formatClock(3723)).toBe('1:02:03');
    expect(formatClock(65)).toBe('1:05');
  });
});
