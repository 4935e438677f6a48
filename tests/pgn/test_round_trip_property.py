"""Property: any game python-chess can write survives import -> export -> import."""

from __future__ import annotations

import io
import logging
import random

import chess
import chess.pgn
import chess.svg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catachess.pgn import MoveTree, export_game, parse_pgn
from tests.pgn.helpers import check_links, shape_of

# Printable text for comments, with the characters PGN treats specially inside them.
COMMENT_TEXT = st.lists(
    st.text(
        alphabet=st.characters(
            codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="}"
        ),
        max_size=8,
    )
    | st.sampled_from(["\n", "(", ")", ";", "%", "[%eval 0.5]", "$1", "{", "1-0"]),
    max_size=5,
).map(" ".join)


@st.composite
def games(draw: st.DrawFn) -> chess.pgn.Game:
    """A random legal game with variations, comments, NAGs, arrows and clocks."""
    rng = random.Random(draw(st.integers(min_value=0, max_value=2**32)))
    position = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=959)))
    game = chess.pgn.Game()
    if position is not None:
        game.setup(chess.Board.from_chess960_pos(position))
    game.headers["Annotator"] = draw(st.text(alphabet="abc XYZ-", max_size=10))
    game.headers["Result"] = draw(st.sampled_from(["1-0", "0-1", "1/2-1/2", "*"]))
    game.comment = draw(COMMENT_TEXT)
    budget = [draw(st.integers(min_value=0, max_value=60))]
    _grow(draw, rng, game, game.board(), budget, depth=0)
    return game


def _grow(
    draw: st.DrawFn,
    rng: random.Random,
    node: chess.pgn.GameNode,
    board: chess.Board,
    budget: list[int],
    depth: int,
) -> None:
    while budget[0] > 0:
        moves = list(board.legal_moves)
        if not moves:
            return
        budget[0] -= 1
        chosen = rng.sample(moves, k=min(len(moves), 1 + (rng.random() < 0.2) * rng.randint(1, 2)))
        children = [node.add_variation(move) for move in chosen]
        for index, child in enumerate(children):
            _annotate(draw, rng, child, first=index == 0)
        for move, child in list(zip(chosen, children, strict=True))[1:]:
            if depth < 4:
                variation_board = board.copy(stack=False)
                variation_board.push(move)
                _grow(draw, rng, child, variation_board, [rng.randint(0, 5)], depth + 1)
        board.push(chosen[0])
        node = children[0]


def _annotate(draw: st.DrawFn, rng: random.Random, child: chess.pgn.ChildNode, first: bool) -> None:
    if rng.random() < 0.3:
        child.comment = draw(COMMENT_TEXT)
    if not first and rng.random() < 0.3:
        child.starting_comment = draw(COMMENT_TEXT)
    if rng.random() < 0.2:
        child.nags.update(rng.sample(range(1, 256), k=rng.randint(1, 3)))
    if rng.random() < 0.2:
        squares = rng.sample(chess.SQUARES, k=3)
        colors = ["red", "green", "yellow", "blue"]
        child.set_arrows(
            [
                chess.svg.Arrow(squares[0], squares[1], color=rng.choice(colors)),
                chess.svg.Arrow(squares[2], squares[2], color=rng.choice(colors)),
            ]
        )
    if rng.random() < 0.3:
        child.set_clock(rng.randint(0, 10_000_000) / 1000)


def _read(text: str) -> chess.pgn.Game:
    game = chess.pgn.read_game(io.StringIO(text))
    assert game is not None and not game.errors
    return game


def _python_chess_view(game: chess.pgn.Game) -> list[object]:
    """Moves, NAGs, arrows and clocks as python-chess sees them."""

    def line(node: chess.pgn.GameNode, board: chess.Board) -> list[object]:
        result: list[object] = []
        for child in node.variations:
            arrows = sorted((a.tail, a.head, a.color) for a in child.arrows())
            clock = child.clock()
            rounded = None if clock is None else round(clock, 3)
            result.append((board.uci(child.move), sorted(child.nags), arrows, rounded))
            board.push(child.move)
            result.append(line(child, board))
            board.pop()
        return result

    return line(game, game.board())


def _tree_view(tree: MoveTree) -> list[object]:
    colors = {"R": "red", "G": "green", "Y": "yellow", "B": "blue"}

    def square(name: str) -> int:
        return chess.parse_square(name)

    def line(children: list[str]) -> list[object]:
        result: list[object] = []
        for child_id in children:
            node = tree["nodes"][child_id]
            arrows = sorted(
                (square(s["square"]), square(s["square"]), colors[s["color"]])
                if s["kind"] == "circle"
                else (square(s["from"]), square(s["to"]), colors[s["color"]])
                for s in node["shapes"]
            )
            clock = node["clock"]
            result.append((node["uci"], node["nags"], arrows, clock))
            result.append(line(node["children"]))
        return result

    return line(tree["children"])


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(game=games())
def test_random_games_round_trip(game: chess.pgn.Game) -> None:
    logging.getLogger("chess.pgn").setLevel(logging.CRITICAL)
    written = str(game.accept(chess.pgn.StringExporter()))
    [first] = parse_pgn(written)
    check_links(first.tree)
    assert _tree_view(first.tree) == _python_chess_view(_read(written))
    exported = export_game(first.headers, first.tree)
    [second] = parse_pgn(exported)
    assert shape_of(second.tree) == shape_of(first.tree)
    assert second.headers == first.headers
    assert export_game(second.headers, second.tree) == exported
