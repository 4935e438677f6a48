"""Between PGN comment text and the structured shapes and clock of a move node.

python-chess reads and writes the `[%cal]`/`[%csl]` and `[%clk]` commands (GameNode.arrows,
set_arrows, clock, set_clock); this module only moves them between a comment and the
node's `shapes`/`clock` fields. Other commands (`[%eval]`, `[%emt]`, ...) stay in the
comment text, so they survive a round trip unchanged.
"""

from __future__ import annotations

import itertools
import math
import re

import chess
import chess.pgn
import chess.svg

from catachess.pgn.tree import Arrow, Circle, Shape, ShapeColor

_LETTER_OF_COLOR: dict[str, ShapeColor] = {"green": "G", "red": "R", "yellow": "Y", "blue": "B"}
_COLOR_OF_LETTER = {letter: color for color, letter in _LETTER_OF_COLOR.items()}


def split_comment(comment: str) -> tuple[str, list[Shape], float | None]:
    """(text, shapes, clock) of a comment after a move.

    Shapes keep the order the author wrote them in, the clock keeps millisecond precision
    (set_clock writes three decimals) and only the first `[%clk]` counts, as in
    GameNode.clock. The text is stripped, as the exporter strips it. Where the commands
    sat among the text is not kept here: the parser keeps the comment as written when
    `compose_comment` would not give it back.
    """
    if "[%" not in comment:
        return comment.strip(), [], None
    # The regexes and the cutting rule are those of GameNode.arrows/clock/set_arrows; a
    # scratch GameNode per comment would cost more than parsing the move.
    shapes: list[Shape] = []
    if "[%csl" in comment or "[%cal" in comment:
        arrows = [
            chess.svg.Arrow.from_pgn(part)
            for match in chess.pgn.ARROWS_REGEX.finditer(comment)
            for part in match.group("arrows").split(",")
        ]
        shapes = _shapes_of(arrows)
        comment = chess.pgn.ARROWS_REGEX.sub(_cut, comment)
    clock = None
    if "[%clk" in comment:
        clock = _clock_of(chess.pgn.CLOCK_REGEX.search(comment))
        if clock is not None:
            comment = chess.pgn.CLOCK_REGEX.sub(_cut, comment)
    return comment.strip(), shapes, clock


def _clock_of(match: re.Match[str] | None) -> float | None:
    if match is None:
        return None
    # A clock no game can have (overflowing, or beyond a year) is not read as a clock:
    # the command stays in the comment text, so nothing is lost and nothing overflows.
    if len(match.group("hours")) > 4:
        return None
    hours, minutes = int(match.group("hours")), int(match.group("minutes"))
    seconds = round(hours * 3600 + minutes * 60 + float(match.group("seconds")), 3)
    return seconds if math.isfinite(seconds) else None


def _cut(match: re.Match[str]) -> str:
    # Drop the command; keep a space only where it separated two words.
    return match.group("prefix") and match.group("suffix")


def _shapes_of(arrows: list[chess.svg.Arrow]) -> list[Shape]:
    shapes: list[Shape] = []
    for arrow in arrows:
        color = _LETTER_OF_COLOR.get(arrow.color, "G")
        tail = chess.square_name(arrow.tail)
        if arrow.tail == arrow.head:
            shapes.append(Circle(kind="circle", square=tail, color=color))
        else:
            head = chess.square_name(arrow.head)
            shapes.append(Arrow({"kind": "arrow", "from": tail, "to": head, "color": color}))
    return shapes


def compose_comment(text: str, shapes: list[Shape], clock: float | None) -> str:
    """The comment export writes for text, shapes and clock: shapes first, in their order
    (consecutive circles as one `[%csl]`, arrows as one `[%cal]`), then the text, then
    the clock, as python-chess's set_arrows and set_clock place them."""
    commands = []
    for kind, run in itertools.groupby(shapes, key=lambda shape: shape["kind"]):
        command = "csl" if kind == "circle" else "cal"
        commands.append(f"[%{command} {','.join(_arrow_of(shape).pgn() for shape in run)}]")
    comment = " ".join(filter(None, ("".join(commands), text)))
    if clock is not None:
        scratch = chess.pgn.Game()
        scratch.comment = comment
        scratch.set_clock(clock)
        comment = scratch.comment
    return comment.strip()


def annotate(
    node: chess.pgn.GameNode,
    comment: str,
    shapes: list[Shape],
    clock: float | None,
    written: str | None = None,
) -> None:
    """Write a move's comment into a python-chess node: as written in the imported PGN
    when `written` is given (no edit since), else composed from text, shapes and clock."""
    node.comment = written if written is not None else compose_comment(comment, shapes, clock)


def _arrow_of(shape: Shape) -> chess.svg.Arrow:
    color = _COLOR_OF_LETTER[shape["color"]]
    if shape["kind"] == "circle":
        square = chess.parse_square(shape["square"])
        return chess.svg.Arrow(square, square, color=color)
    tail, head = chess.parse_square(shape["from"]), chess.parse_square(shape["to"])
    return chess.svg.Arrow(tail, head, color=color)


def without_evals(comment: str) -> tuple[str, list[str]]:
    """(the comment without its `[%eval]` commands, those commands), by python-chess's
    EVAL_REGEX (GameNode.eval reads the same)."""
    if "[%eval" not in comment:
        return comment, []
    evals = [match.group(0).strip() for match in chess.pgn.EVAL_REGEX.finditer(comment)]
    return chess.pgn.EVAL_REGEX.sub(_cut, comment).strip(), evals


def has_commands(text: str) -> bool:
    """Whether `text` holds commands that belong in `shapes`/`clock` rather than text."""
    _, shapes, clock = split_comment(text)
    return bool(shapes) or clock is not None
