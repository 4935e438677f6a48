// chessground, configured once; afterwards the controller drives it through `ground.set`
// (as lila does), so Preact never re-renders the board.

import { Chessground } from 'chessground';
import type { Role as PieceRole } from 'chessops/types';
import { Component, h } from 'preact';
import type { StudyCtrl } from '../ctrl';

export class Board extends Component<{ ctrl: StudyCtrl }> {
  private el: HTMLDivElement | null = null;

  shouldComponentUpdate(): boolean {
    return false;
  }

  componentDidMount(): void {
    const ctrl = this.props.ctrl;
    if (!this.el) return;
    const ground = Chessground(this.el, {
      coordinates: true,
      orientation: ctrl.orientation(),
      animation: { enabled: true, duration: 150 },
      highlight: { lastMove: true, check: true },
      movable: { free: false, showDests: true, events: { after: (orig, dest) => ctrl.onBoardMove(orig, dest) } },
      premovable: { enabled: false },
      draggable: { enabled: true, showGhost: true },
      drawable: {
        enabled: true,
        visible: true,
        // A left click must not wipe (and save away) the stored arrows of the move.
        eraseOnClick: false,
        onChange: (shapes) => void ctrl.saveShapes(shapes),
      },
    });
    ctrl.setGround(ground);
  }

  componentWillUnmount(): void {
    this.props.ctrl.ground?.destroy();
    this.props.ctrl.setGround(undefined);
  }

  render() {
    return <div class="cg-host" ref={(el) => {
      this.el = el;
    }} />;
  }
}

const ROLES: PieceRole[] = ['queen', 'knight', 'rook', 'bishop'];

/** The promotion choice over the board, on the file the pawn reached. */
export function PromotionDialog({ ctrl }: { ctrl: StudyCtrl }) {
  const promotion = ctrl.promotion;
  if (!promotion) return null;
  const color = ctrl.position(ctrl.at).turn;
  const file = promotion.dest.charCodeAt(0) - 97;
  const left = ctrl.orientation() === 'white' ? file : 7 - file;
  const top = (ctrl.orientation() === color) === true;
  return (
    <div class="promotion cg-wrap" onClick={() => ctrl.choosePromotion(null)}>
      {ROLES.map((role, i) => (
        <button
          type="button"
          key={role}
          class="promotion-choice"
          title={role}
          style={{ left: `${left * 12.5}%`, top: `${(top ? i : 7 - i) * 12.5}%` }}
          onClick={(e) => {
            e.stopPropagation();
            ctrl.choosePromotion(role);
          }}
        >
          {h('piece', { class: `${role} ${color}` })}
        </button>
      ))}
    </div>
  );
}
