// The move list as Lichess draws it (lila ui/analyse/src/treeView/columnView.ts): the main
// line in two columns, interrupted by comments and variations; variations inline, nested
// ones in parentheses. It re-renders only when the tree changes (`rev`): stepping moves the
// highlight directly on the DOM, which keeps a step far under a frame.

import { Component, type ComponentChildren, type JSX } from 'preact';
import { formatClock, glyphOf } from '../tree/nag';
import { type At, childrenOf, moveNumber } from '../tree/tree';
import type { MoveNode, MoveTree } from '../tree/types';

interface Props {
  tree: MoveTree;
  rev: number;
  onJump: (at: At) => void;
  onMenu: (at: string, x: number, y: number) => void;
}

// Plain functions, not components: a 500-move chapter would otherwise mount a thousand
// component instances on its first render.
function comment(text: string, key: string): JSX.Element {
  return (
    <span key={key} class="comment">
      {text}
    </span>
  );
}

/** One move; `number` null in the columns (the index cell holds it), else forced or not. */
function move(node: MoveNode, tree: MoveTree, number: boolean | null): JSX.Element {
  const { number: n, white } = moveNumber(tree, node.id);
  return (
    <span key={node.id} class="move" data-id={node.id}>
      {number !== null && (number || white) && <span class="num">{white ? `${n}.` : `${n}…`}</span>}
      <span class="san">{node.san}</span>
      {node.nags.length > 0 && <span class="glyphs">{node.nags.map(glyphOf).join(' ')}</span>}
      {node.clock !== null && <span class="clock">{formatClock(node.clock)}</span>}
      {node.shapes.length > 0 && <span class="shapes-mark" title="arrows or circles" />}
    </span>
  );
}

/** A variation from its first move, inline; its own variations in parentheses. */
function inlineLine(tree: MoveTree, first: string, out: ComponentChildren[]): void {
  let node = tree.nodes[first];
  if (node.starting_comment) out.push(comment(node.starting_comment, `s${node.id}`));
  out.push(move(node, tree, true));
  let number = false;
  if (node.comment) {
    out.push(comment(node.comment, `c${node.id}`));
    number = true;
  }
  for (;;) {
    const [main, ...alternatives] = node.children;
    if (!main) return;
    const child = tree.nodes[main];
    if (child.starting_comment) {
      out.push(comment(child.starting_comment, `s${child.id}`));
      number = true;
    }
    out.push(move(child, tree, number));
    number = false;
    if (child.comment) {
      out.push(comment(child.comment, `c${child.id}`));
      number = true;
    }
    for (const alternative of alternatives) {
      const nested: ComponentChildren[] = [];
      inlineLine(tree, alternative, nested);
      out.push(
        <span key={`v${alternative}`} class="variation">
          ({nested})
        </span>,
      );
      number = true;
    }
    node = child;
  }
}

function Lines({ tree, ids }: { tree: MoveTree; ids: string[] }) {
  return (
    <div class="lines">
      {ids.map((id) => {
        const out: ComponentChildren[] = [];
        inlineLine(tree, id, out);
        return (
          <div key={id} class="line">
            {out}
          </div>
        );
      })}
    </div>
  );
}

/** The main line in columns: index, white move, black move; interrupts between. */
function columns(tree: MoveTree): JSX.Element[] {
  const out: JSX.Element[] = [];
  if (tree.comment) {
    out.push(
      <div key="start" class="interrupt">
        {comment(tree.comment, 'c')}
      </div>,
    );
  }
  let at: At = null;
  let blackNeedsIndex = true;
  for (;;) {
    const [main, ...alternatives] = childrenOf(tree, at);
    if (!main) break;
    const node = tree.nodes[main];
    const { number, white } = moveNumber(tree, main);
    if (node.starting_comment) {
      out.push(
        <div key={`s${main}`} class="interrupt">
          {comment(node.starting_comment, 'c')}
        </div>,
      );
      blackNeedsIndex = true;
    }
    if (white) {
      out.push(<span key={`i${main}`} class="index">{number}</span>);
    } else if (blackNeedsIndex) {
      out.push(<span key={`i${main}`} class="index">{number}</span>);
      out.push(<span key={`e${main}`} class="move empty">…</span>);
    }
    out.push(move(node, tree, null));
    blackNeedsIndex = false;
    if (node.comment || alternatives.length) {
      if (white) out.push(<span key={`f${main}`} class="move empty">…</span>);
      out.push(
        <div key={`x${main}`} class="interrupt">
          {node.comment && comment(node.comment, 'c')}
          {alternatives.length > 0 && <Lines tree={tree} ids={alternatives} />}
        </div>,
      );
      blackNeedsIndex = true;
    }
    at = main;
  }
  return out;
}

export class MoveList extends Component<Props> {
  shouldComponentUpdate(next: Props): boolean {
    return next.rev !== this.props.rev || next.tree !== this.props.tree;
  }

  private target(event: Event): string | null {
    const el = (event.target as HTMLElement).closest<HTMLElement>('[data-id]');
    return el?.dataset.id ?? null;
  }

  private onClick = (event: MouseEvent) => {
    const id = this.target(event);
    if (id) this.props.onJump(id);
  };

  private onContextMenu = (event: MouseEvent) => {
    const id = this.target(event);
    if (!id) return;
    event.preventDefault();
    this.props.onJump(id);
    this.props.onMenu(id, event.clientX, event.clientY);
  };

  render({ tree }: Props) {
    const empty = tree.children.length === 0;
    return (
      <div class="moves" onClick={this.onClick} onContextMenu={this.onContextMenu}>
        {empty && !tree.comment ? <p class="moves-empty">No moves yet.</p> : columns(tree)}
      </div>
    );
  }
}

/** Mark the current move and scroll it into view inside the list (not the page). */
export function highlight(list: HTMLElement | null, at: At): void {
  if (!list) return;
  for (const el of list.querySelectorAll('.move.active')) el.classList.remove('active');
  if (at === null) {
    list.scrollTop = 0;
    return;
  }
  const el = list.querySelector<HTMLElement>(`[data-id="${CSS.escape(at)}"]`);
  if (!el) return;
  el.classList.add('active');
  const box = list.getBoundingClientRect();
  const rect = el.getBoundingClientRect();
  if (rect.top < box.top) list.scrollTop -= box.top - rect.top + 8;
  else if (rect.bottom > box.bottom) list.scrollTop += rect.bottom - box.bottom + 8;
}
