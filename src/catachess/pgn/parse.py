"""PGN text to move-tree documents, one game at a time, refusing what python-chess would skip.

python-chess parses; a visitor builds the tree document directly (no chess.pgn.Game in
between). python-chess is forgiving: it collects illegal moves in `Game.errors`, ignores
malformed tags, stray parentheses and text it cannot tokenise. An import must not lose
data silently, so each of those becomes a `PgnError` naming the game, line and token.
"""

from __future__ import annotations

import io
import math
import sys
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import TextIO, cast

import chess
import chess.pgn

from catachess.pgn.annotations import compose_comment, split_comment
from catachess.pgn.checks import check_characters, check_movetext, check_tags, quote
from catachess.pgn.errors import PgnError, PgnLimitExceeded, PgnWarning
from catachess.pgn.limits import DEFAULT_LIMITS, PgnLimits
from catachess.pgn.nags import glyphs_of
from catachess.pgn.position import fen, impossible
from catachess.pgn.tree import FORMAT_VERSION, IdPool, MoveNode, MoveTree


@dataclass(slots=True)
class ParsedGame:
    number: int  # 1-based position in the input
    line: int  # 1-based line where the game's first tag or move is
    headers: dict[str, str]  # every tag; the Seven Tag Roster first, as python-chess orders it
    tree: MoveTree
    result: str


@dataclass(slots=True)
class ParsedPgn:
    games: list[ParsedGame]
    warnings: list[PgnWarning]  # what was skipped between games, for the answer


def parse_pgn(text: str, limits: PgnLimits = DEFAULT_LIMITS) -> list[ParsedGame]:
    """Every game of `text`, or the first problem as `PgnError` (nothing is partial).

    For callers that report no warnings; an import answers with `read_pgn`'s.
    """
    return read_pgn(text, limits).games


def read_pgn(text: str, limits: PgnLimits = DEFAULT_LIMITS) -> ParsedPgn:
    """Every game of `text` and the warnings about what was skipped between games, or
    the first problem as `PgnError` (nothing is partial)."""
    _check_size(text, limits)
    # limits.max_games, before any game is built: counting costs a tokenizing pass
    # without moves (~20x faster than building), so an oversized request is refused
    # at once instead of after seconds of work.
    # newline=None reads \r\n and lone \r as line ends, so line numbers match editors.
    _count_games(io.StringIO(text, newline=None), limits.max_games)
    parsed = read_part(PgnPart(text, 1, 0), limits)
    if not parsed.games:
        raise PgnError("no games found", code="empty")
    return parsed


def _check_size(text: str, limits: PgnLimits) -> None:
    # limits.max_bytes is enforced here, before any parsing work.
    # "surrogatepass": lone surrogates (from JSON escapes) are counted here and refused
    # with their line by check_characters, not crash the count.
    if len(text) > limits.max_bytes or (
        not text.isascii() and len(text.encode("utf-8", "surrogatepass")) > limits.max_bytes
    ):
        raise PgnLimitExceeded("max_bytes", limits.max_bytes)


def iter_games(
    handle: TextIO, limits: PgnLimits = DEFAULT_LIMITS
) -> Iterator[ParsedGame | PgnWarning]:
    """Games of a PGN stream one by one, and a warning for each leftover between them
    (a lone result token, a comment outside any game); memory is bounded by one game.

    Enforces every limit but `max_bytes`, which is the caller's to check on a stream.
    """
    if not (yield from _games(_LineReader(handle), limits)):
        raise PgnError("no games found", code="empty")


def _games(reader: _LineReader, limits: PgnLimits) -> Generator[ParsedGame | PgnWarning, None, int]:
    """`iter_games` without the error for no game at all; returns how many it read."""
    number = 0
    while True:
        reader.start_game()
        builder = _TreeBuilder(reader, limits, number + 1)
        if not _read_game(reader, builder):
            break
        item = builder.parsed_game()
        if isinstance(item, PgnWarning):
            yield item
            continue
        number += 1
        # limits.max_games (parse_pgn has counted already; this guards other streams).
        if number > limits.max_games:
            raise PgnLimitExceeded(
                "max_games", limits.max_games, game_number=number, line=reader.game_line()
            )
        yield item
    return number


@dataclass(frozen=True, slots=True)
class PgnPart:
    """Consecutive games of a PGN text, cut where python-chess starts reading a game, so
    that a part read alone (`read_part`, in another process) gives what reading the
    whole text gives there: the same games, warnings and errors, at the same lines.
    Only game numbers restart at 1 in each part (`PgnError.renumbered` shifts them)."""

    text: str  # its lines, line ends as "\n"
    first_line: int  # 1-based line of the whole text where the part starts
    games: int  # games in it, as `max_games` counts them


def split_pgn(
    text: str, limits: PgnLimits = DEFAULT_LIMITS, *, parts: int = 1, max_part_games: int = 64
) -> list[PgnPart]:
    """`text` in about `parts` parts of at most `max_part_games` games each (at least
    one part), checking `max_bytes` and `max_games` first as `read_pgn` does."""
    _check_size(text, limits)
    # newline=None reads \r\n and lone \r as line ends, as read_pgn does.
    items = list(_items(io.StringIO(text, newline=None), limits.max_games))
    total = sum(is_game for _, _, is_game in items)
    size = min(max(math.ceil(total / parts), 1), max_part_games)
    return list(_grouped(iter(items), size))


def iter_parts(handle: TextIO, games_per_part: int) -> Iterator[PgnPart]:
    """The parts of a PGN stream, `games_per_part` games each (the last may hold fewer),
    read as they are needed: memory is bounded by one part."""
    return _grouped(_items(handle, sys.maxsize), games_per_part)


def _grouped(
    items: Iterator[tuple[int, list[str], bool]], games_per_part: int
) -> Iterator[PgnPart]:
    """Items in parts of `games_per_part` games; what follows the last game of a part
    (leftovers, blank lines at the end of the text) stays in it."""
    lines: list[str] = []
    first_line, games = 1, 0
    for line, item_lines, is_game in items:
        if is_game and games == games_per_part:
            yield PgnPart("".join(lines), first_line, games)
            lines, first_line, games = [], line, 0
        lines += item_lines
        games += is_game
    yield PgnPart("".join(lines), first_line, games)


def _items(handle: TextIO, max_games: int) -> Iterator[tuple[int, list[str], bool]]:
    """(first line, lines, whether it is a game) of every text python-chess's
    `read_game` reads in turn, the last one finding no game; reading tags and tokens
    but no move, and refusing at the first game past `max_games`."""
    reader = _LineReader(handle)
    number = 0
    while True:
        reader.start_game()
        counter = _GameCounter()
        found = _read_game(reader, counter)
        if counter.is_game:
            number += 1
            if number > max_games:
                raise PgnLimitExceeded(
                    "max_games", max_games, game_number=number, line=reader.game_line()
                )
        yield reader.first_line_number, reader.lines, counter.is_game
        if not found:
            return


def read_part(part: PgnPart, limits: PgnLimits = DEFAULT_LIMITS) -> ParsedPgn:
    """The games and warnings of a part (`split_pgn`), or its first problem as
    `PgnError`; game numbers count from 1 in the part. A part without games is no error
    here: whether the whole text held any is the caller's to say."""
    parsed = ParsedPgn([], [])
    reader = _LineReader(io.StringIO(part.text, newline=None), part.first_line)
    for item in _games(reader, limits):
        if isinstance(item, PgnWarning):
            parsed.warnings.append(item)
        else:
            parsed.games.append(item)
    return parsed


def _count_games(handle: TextIO, max_games: int) -> None:
    """Refuse at the first game past `max_games`, reading tags and tokens but no move."""
    for _ in _items(handle, max_games):
        pass


class _GameCounter(chess.pgn.BaseVisitor["_GameCounter"]):
    """Tells games from leftovers between them as _TreeBuilder does, parsing no move:
    a game with tags is skipped whole after them; without tags, a token read as a move
    makes it a game (a lone result token or comment is a leftover)."""

    def __init__(self) -> None:
        self.is_game = False

    def visit_header(self, tagname: str, tagvalue: str) -> None:
        self.is_game = True

    def end_headers(self) -> chess.pgn.SkipType | None:
        return chess.pgn.SKIP if self.is_game else None

    def begin_parse_san(self, board: chess.Board, san: str) -> chess.pgn.SkipType:
        self.is_game = True
        return chess.pgn.SKIP

    def handle_error(self, error: Exception) -> None:
        pass  # the real parse reports it

    def result(self) -> _GameCounter:
        return self


def _read_game(reader: _LineReader, builder: chess.pgn.BaseVisitor[object]) -> bool:
    # read_game only calls readline() on its handle; the reader provides exactly that.
    return chess.pgn.read_game(cast(TextIO, reader), Visitor=lambda: builder) is not None


class _LineReader:
    """The stream as chess.pgn.read_game sees it (it only calls readline), keeping the
    lines of the current game so that errors can name a line and a token."""

    def __init__(self, handle: TextIO, first_line: int = 1) -> None:
        self._handle = handle
        self.line_number = first_line - 1  # of the last line read, 1-based
        self.lines: list[str] = []
        self.first_line_number = first_line
        self.at_end = False
        self._held: str | None = None  # a line that belongs to the next game
        self._in_tags = True  # no movetext yet in this game
        self._tags_seen = False
        self._after_blank = False

    def readline(self) -> str:
        if self._held is not None:
            line, self._held = self._held, None
        else:
            line = self._handle.readline()
        if not line:
            self.at_end = True
            return line
        stripped = line.lstrip("\ufeff")
        if self._in_tags and stripped.startswith("["):
            if self._tags_seen and self._after_blank:
                # A tag section after a blank line is the next game (a broadcast round
                # file lists games without moves this way). python-chess allows one
                # blank line inside the tags and would merge them, keeping the last
                # game's tags only: end this game with a second blank line instead.
                self._held = line
                return "\n"
            self._tags_seen = True
        elif stripped.isspace():
            self._after_blank = self._tags_seen
        elif not stripped.startswith(("%", ";")):
            self._in_tags = False
        self.line_number += 1
        self.lines.append(line)
        return line

    def start_game(self) -> None:
        self.lines = []
        self.first_line_number = self.line_number + 1
        self._in_tags, self._tags_seen, self._after_blank = True, False, False

    def game_line(self) -> int:
        """Line of the current game's first tag or move (read_game skips what precedes)."""
        for index, line in enumerate(self.lines):
            stripped = line.lstrip("\ufeff")
            if not (stripped.isspace() or stripped.startswith(("%", ";"))):
                return self.first_line_number + index
        return self.first_line_number


def _join(first: str, second: str) -> str:
    # How python-chess's GameBuilder merges several comments at one place.
    return " ".join(filter(None, (first, second)))


class _TreeBuilder(chess.pgn.BaseVisitor["_TreeBuilder"]):
    """Builds one game's tree document while python-chess reads it.

    Comments go where python-chess's GameBuilder puts them, so that a tree exported by
    python-chess and read again is the same tree.
    """

    def __init__(self, reader: _LineReader, limits: PgnLimits, number: int) -> None:
        self.reader = reader
        self.limits = limits
        self.number = number
        # Starting from the Seven Tag Roster defaults, as python-chess's Game does.
        self.headers = chess.pgn.Headers()
        self.tag_count = 0
        self.start: chess.Board | None = None
        self.root_comment = ""
        self.root_children: list[str] = []
        self.nodes: dict[str, MoveNode] = {}
        self.ids = IdPool()
        self.movetext_start = 0  # index in reader.lines of the first movetext line
        self.stack: list[str | None] = [None]  # current move per open variation
        self.pending: MoveNode | None = None  # the move whose position comes next
        self.in_variation = False
        self.starting_comment = ""
        self.san = ""
        self.san_board: chess.Board | None = None
        self.error: PgnError | None = None
        self.results: list[str] = []  # result tokens of the movetext
        self.written: dict[str, str] = {}  # comments after moves, as written

    def begin_headers(self) -> chess.pgn.Headers:
        return self.headers

    def visit_header(self, tagname: str, tagvalue: str) -> None:
        self.headers[tagname] = tagvalue
        self.tag_count += 1

    def end_headers(self) -> None:
        # read_game has already read the line that ended the tags, unless at the end.
        self.movetext_start = len(self.reader.lines) - (not self.reader.at_end)

    def visit_board(self, board: chess.Board) -> None:
        if self.start is None:
            self.start = board.copy(stack=False)
            if type(board) is not chess.Board:
                self._fail_at_tag("Variant", "unsupported_variant", "unsupported variant")
            elif "FEN" in self.headers and (reasons := impossible(board)):
                # No move can be added to a position no game reaches.
                self._fail_at_tag(
                    "FEN", "invalid_fen", "impossible position (" + ", ".join(reasons) + ")"
                )
        elif self.pending is not None:
            pending = self.pending
            pending["fen"] = fen(board)
            # The SAN's check suffix, read from the position after the move (python-chess
            # reaches it again from here; Board.san would push and pop the move again).
            if board.is_check() and pending["uci"] != "0000":
                pending["san"] += "#" if board.is_checkmate() else "+"
            self.pending = None

    def begin_parse_san(self, board: chess.Board, san: str) -> None:
        self.san = san
        self.san_board = board

    def visit_move(self, board: chess.Board, move: chess.Move) -> None:
        if self.error is not None:
            # After an illegal move python-chess skips to the end of its variation and
            # its variation stack no longer matches ours; the game is refused anyway.
            return
        nodes = self.nodes
        # limits.max_nodes_per_chapter, enforced while reading: stop before growing further.
        if len(nodes) >= self.limits.max_nodes_per_chapter:
            self._exceeded("max_nodes_per_chapter", self.limits.max_nodes_per_chapter)
        parent_id = self.stack[-1]
        siblings = self._children(parent_id)
        node_id = self.ids.take(nodes)
        node: MoveNode = {
            "id": node_id,
            "parent": parent_id,
            # Board.san without its look-ahead: the suffix comes with the next position
            # (visit_board), which python-chess computes anyway.
            "san": board._algebraic_without_suffix(move),
            "uci": board.uci(move),
            "fen": "",
            "comment": "",
            "starting_comment": "",
            "nags": [],
            "glyphs": [],
            "shapes": [],
            "clock": None,
            "children": [],
        }
        if self.starting_comment:
            if siblings:
                node["starting_comment"] = self.starting_comment.strip()
            else:
                # Only a variation's first move keeps a comment before it in PGN; elsewhere
                # a re-read gives it to the previous move, so give it there now.
                self._add_comment(parent_id, self.starting_comment)
            self.starting_comment = ""
        nodes[node_id] = node
        siblings.append(node_id)
        self.stack[-1] = node_id
        self.pending = node
        self.in_variation = True

    def _children(self, node_id: str | None) -> list[str]:
        return self.root_children if node_id is None else self.nodes[node_id]["children"]

    def _add_comment(self, node_id: str | None, comment: str) -> None:
        if node_id is None:
            self.root_comment = _join(self.root_comment, comment.strip())
            return
        node = self.nodes[node_id]
        text, shapes, clock = split_comment(comment)
        if "[%" in comment or node_id in self.written:
            self.written[node_id] = _join(self.written.get(node_id, ""), comment.strip())
        node["comment"] = _join(node["comment"], text)
        if node["clock"] is None:
            node["clock"] = clock
        if shapes:
            node["shapes"] = node["shapes"] + shapes
            # limits.max_shapes_per_move
            if len(node["shapes"]) > self.limits.max_shapes_per_move:
                self._exceeded("max_shapes_per_move", self.limits.max_shapes_per_move)

    def begin_variation(self) -> None:
        if self.error is not None:
            return
        current = self.stack[-1]
        self.stack.append(None if current is None else self.nodes[current]["parent"])
        self.in_variation = False
        # limits.max_variation_depth: the open variations are the nesting depth.
        if len(self.stack) - 1 > self.limits.max_variation_depth:
            self._exceeded("max_variation_depth", self.limits.max_variation_depth)

    def end_variation(self) -> None:
        if self.error is None:
            self.stack.pop()

    def visit_comment(self, comment: str) -> None:
        if self.error is not None:
            return
        # limits.max_comment_length, on the text as written (commands included).
        if len(comment) > self.limits.max_comment_length:
            self._exceeded("max_comment_length", self.limits.max_comment_length)
        top = self.stack[-1]
        if self.in_variation or (top is None and not self.root_children):
            self._add_comment(top, comment)
        else:
            self.starting_comment = _join(self.starting_comment, comment)

    def visit_nag(self, nag: int) -> None:
        if self.error is not None:
            return
        top = self.stack[-1]
        # $0 means "no annotation"; python-chess never writes NAGs before the first move.
        if top is None or nag == 0:
            return
        if nag > 255:
            self._fail("invalid_nag", "NAG out of range 1..255", f"${nag}")
            return
        node = self.nodes[top]
        if nag not in node["nags"]:
            node["nags"].append(nag)
            node["nags"].sort()
            node["glyphs"] = glyphs_of(node["nags"])

    def visit_result(self, result: str) -> None:
        self.results.append(result)
        # As python-chess's GameBuilder: the movetext result fills an unknown Result tag.
        if self.headers.get("Result", "*") == "*":
            self.headers["Result"] = result

    def handle_error(self, error: Exception) -> None:
        if isinstance(error, chess.AmbiguousMoveError):
            self._fail_move("ambiguous_move", "ambiguous move")
        elif isinstance(error, chess.IllegalMoveError):
            self._fail_move("illegal_move", "illegal move")
        elif isinstance(error, chess.InvalidMoveError):
            self._fail_move("invalid_move", "invalid move")
        elif self.start is None and _variant_error(self.headers):
            self._fail_at_tag("Variant", "unsupported_variant", "unsupported variant")
        elif self.start is None:
            self._fail_at_tag("FEN", "invalid_fen", "invalid FEN")
        else:
            self._fail("invalid_pgn", str(error), self.san)

    def _fail_move(self, code: str, what: str) -> None:
        fen = self.san_board.fen() if self.san_board is not None else "?"
        self._fail(code, f'{what} "{self.san}" in position {fen}', self.san)

    def _fail_at_tag(self, tag: str, code: str, message: str) -> None:
        value = self.headers.get(tag, "")
        line = self.reader.line_number
        for index, text in enumerate(self.reader.lines[: self.movetext_start]):
            if text.lstrip("\ufeff").startswith(f"[{tag} "):
                line = self.reader.first_line_number + index
        self._record(code, f'{message} "{value}"', value, line)

    def _fail(self, code: str, message: str, token: str) -> None:
        self._record(code, message, token, self.reader.line_number)

    def _record(self, code: str, message: str, token: str, line: int) -> None:
        if self.error is None:
            self.error = PgnError(
                message, code=code, game_number=self.number, line=line, token=quote(token)
            )

    def _exceeded(self, name: str, value: int) -> None:
        raise PgnLimitExceeded(name, value, game_number=self.number, line=self.reader.line_number)

    def result(self) -> _TreeBuilder:
        return self

    def parsed_game(self) -> ParsedGame | PgnWarning:
        """The game read, a warning for a leftover that holds no game, or the earliest
        problem in it as `PgnError`."""
        self._raise_first_problem()
        if self.start is None or (self.tag_count == 0 and not self.nodes):
            leftover = self._leftover()
            if leftover is not None:
                return leftover
            raise PgnError(
                "text without tags or moves",
                code="garbage",
                game_number=self.number,
                line=self.reader.game_line(),
            )
        self._keep_written_order()
        tree: MoveTree = {
            "format": FORMAT_VERSION,
            "fen": fen(self.start),
            "chess960": self.start.chess960,
            "comment": self.root_comment,
            "children": self.root_children,
            "nodes": self.nodes,
        }
        return ParsedGame(
            number=self.number,
            line=self.reader.game_line(),
            headers=dict(self.headers),
            tree=tree,
            result=self.headers.get("Result", "*"),
        )

    def _leftover(self) -> PgnWarning | None:
        """Between games, python-chess reads a lone result token or a comment as a game
        without tags or moves: nothing in it to import, but say that it was skipped."""
        line = self.reader.game_line()
        comment = _join(self.root_comment, self.starting_comment.strip())
        if comment:
            return PgnWarning(
                "stray_comment", "comment outside any game skipped", line, quote(comment)
            )
        if self.results:
            return PgnWarning(
                "stray_result", "result token outside any game skipped", line, self.results[0]
            )
        return None

    def _keep_written_order(self) -> None:
        """Keep a comment as written where export would write its commands and text in
        another order (export writes `comment_pgn` while the move is not edited)."""
        for node_id, written in self.written.items():
            node = self.nodes[node_id]
            if written != compose_comment(node["comment"], node["shapes"], node["clock"]):
                node["comment_pgn"] = written

    def _raise_first_problem(self) -> None:
        reader, split = self.reader, self.movetext_start
        problems = [
            self.error,
            check_characters(reader.lines, reader.first_line_number, self.number),
            check_tags(reader.lines[:split], reader.first_line_number, self.number),
            check_movetext(reader.lines[split:], reader.first_line_number + split, self.number),
        ]
        found = [problem for problem in problems if problem is not None]
        if found:
            # On one line, the text's own problem comes first: a result token that
            # python-chess calls an invalid move inside "(" is the symptom of that "("
            # never being closed, not the cause.
            raise min(found, key=lambda problem: (problem.line or 0, problem is self.error))


def _variant_error(headers: chess.pgn.Headers) -> bool:
    try:
        headers.variant()
    except ValueError:
        return True
    return False
