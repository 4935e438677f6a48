// The move tree as a plain data structure with path helpers (never the DOM), the split of
// lichess-org/lila ui/analyse/src/tree. Move ids are unique and stable inside a chapter, so
// a place in the tree is one id; `null` is the start position, before the first move.

import type { MoveNode, MoveTree } from './types';

export type At = string | null;

export function childrenOf(tree: MoveTree, at: At): string[] {
  if (at === null) return tree.children;
  return tree.nodes[at]?.children ?? [];
}

export function parentOf(tree: MoveTree, at: At): At {
  return at === null ? null : (tree.nodes[at]?.parent ?? null);
}

export function exists(tree: MoveTree, at: At): boolean {
  return at === null || at in tree.nodes;
}

/** The move after `at` on its line (its first child), or undefined at the end. */
export function next(tree: MoveTree, at: At): At | undefined {
  return childrenOf(tree, at)[0];
}

/** The move before `at`, or undefined at the start position. */
export function prev(tree: MoveTree, at: At): At | undefined {
  return at === null ? undefined : parentOf(tree, at);
}

/** The last move of the line that continues from `at`. */
export function lineEnd(tree: MoveTree, at: At): At {
  let here = at;
  for (let child = next(tree, here); child !== undefined; child = next(tree, here)) here = child;
  return here;
}

/** Ids from the first move down to `at` (empty for the start position). */
export function pathTo(tree: MoveTree, at: At): string[] {
  const path: string[] = [];
  for (let here = at; here !== null && here in tree.nodes; here = tree.nodes[here].parent) path.push(here);
  return path.reverse();
}

/** The deepest place of an old path that still exists (after a reload or a delete). */
export function deepestExisting(tree: MoveTree, path: string[]): At {
  let found: At = null;
  for (const id of path) {
    if (!(id in tree.nodes)) break;
    found = id;
  }
  return found;
}

/** The main line: children[0] from the start, to the end. */
export function mainline(tree: MoveTree): string[] {
  const line: string[] = [];
  for (let here = next(tree, null); here; here = next(tree, here)) line.push(here);
  return line;
}

export function isMainline(tree: MoveTree, at: At): boolean {
  for (let here = at; here !== null; ) {
    const parent = parentOf(tree, here);
    if (childrenOf(tree, parent)[0] !== here) return false;
    here = parent;
  }
  return true;
}

/**
 * ↑ / ↓: the neighbouring variation. Among the alternatives to the current move when it has
 * any; otherwise, from a move whose next move has alternatives, into the first of them (↓)
 * or back to the line (↑ from there lands on the main continuation).
 */
export function switchVariation(tree: MoveTree, at: At, direction: 1 | -1): At {
  if (at !== null) {
    const siblings = childrenOf(tree, parentOf(tree, at));
    if (siblings.length > 1) {
      const index = siblings.indexOf(at) + direction;
      if (index >= 0 && index < siblings.length) return siblings[index];
      return at;
    }
  }
  const ahead = childrenOf(tree, at);
  if (ahead.length > 1) return direction === 1 ? ahead[1] : ahead[0];
  return at;
}

export function fenAt(tree: MoveTree, at: At): string {
  return at === null ? tree.fen : tree.nodes[at].fen;
}

/** Move number and side of the move `at` from the position before it: "12." or "12...". */
export function moveNumber(tree: MoveTree, at: string): { number: number; white: boolean } {
  const before = fenAt(tree, tree.nodes[at].parent).split(' ');
  return { number: Number(before[5] ?? '1') || 1, white: before[1] !== 'b' };
}

/** Ply of the position `at` counted from the start position of the chapter (start = 0). */
export function plyOf(tree: MoveTree, at: At): number {
  return pathTo(tree, at).length;
}

// Applying what the API answered (MoveEdit) to the local copy, so an edit costs no reload.

/** Insert a move the server added (201) or returned as already there (200). */
export function addMove(tree: MoveTree, node: MoveNode): void {
  tree.nodes[node.id] = { ...node, children: tree.nodes[node.id]?.children ?? node.children };
  const siblings = node.parent === null ? tree.children : tree.nodes[node.parent]?.children;
  if (siblings && !siblings.includes(node.id)) siblings.push(node.id);
}

/** Replace the annotations of a move (comment, NAGs, shapes) with the server's copy. */
export function updateMove(tree: MoveTree, node: MoveNode): void {
  const mine = tree.nodes[node.id];
  if (mine) tree.nodes[node.id] = { ...node, children: mine.children };
}

/** Drop deleted moves (the server lists every id) and unlink them from their parents. */
export function removeMoves(tree: MoveTree, ids: string[]): void {
  const gone = new Set(ids);
  for (const id of ids) {
    const node = tree.nodes[id];
    if (!node) continue;
    if (node.parent === null) tree.children = tree.children.filter((c) => !gone.has(c));
    else if (!gone.has(node.parent) && tree.nodes[node.parent]) {
      const parent = tree.nodes[node.parent];
      parent.children = parent.children.filter((c) => !gone.has(c));
    }
  }
  for (const id of ids) delete tree.nodes[id];
}

/** The child of `at` reached by a move, if it is already in the tree. */
export function childBySan(tree: MoveTree, at: At, san: string): string | undefined {
  return childrenOf(tree, at).find((id) => tree.nodes[id]?.san === san);
}
