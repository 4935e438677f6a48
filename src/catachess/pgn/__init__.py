"""python-chess adapters for studies: PGN import, the move-tree document, edits, export.

Pure: no HTTP, no SQL. A chapter's moves are one JSON document (`MoveTree`, see tree.py)
that `parse_pgn` builds, the edit functions change in place, and `export_game` writes
back as PGN. Every chess rule (SAN, UCI, legality, PGN reading and writing) is
python-chess's; limits on size are `PgnLimits`.
"""

from catachess.pgn.edit import (
    AddedMove,
    add_move,
    cut_at,
    delete_from,
    promote,
    set_clock,
    set_comment,
    set_eval,
    set_nags,
    set_shapes,
    variation_to_tree,
)
from catachess.pgn.errors import (
    IllegalMove,
    InvalidAnnotation,
    InvalidPosition,
    MoveNotFound,
    PgnError,
    PgnLimitExceeded,
    PgnWarning,
    TreeEditError,
)
from catachess.pgn.export import (
    FULL_EXPORT,
    ExportMode,
    ExportOptions,
    clip,
    export_game,
    export_games,
    setup_headers,
    to_game,
)
from catachess.pgn.limits import DEFAULT_LIMITS, PgnLimits
from catachess.pgn.nags import glyph_of, glyphs_of, nag_of
from catachess.pgn.parse import ParsedGame, ParsedPgn, iter_games, parse_pgn, read_pgn
from catachess.pgn.stream import iter_games_or_errors
from catachess.pgn.tree import (
    Arrow,
    Circle,
    MoveNode,
    MoveTree,
    Shape,
    board_at,
    count_nodes,
    find_node,
    iter_subtree,
    mainline,
    max_variation_depth,
    new_tree,
    path_to,
    variation_depth,
)

__all__ = [
    "DEFAULT_LIMITS",
    "FULL_EXPORT",
    "AddedMove",
    "Arrow",
    "Circle",
    "ExportMode",
    "ExportOptions",
    "IllegalMove",
    "InvalidAnnotation",
    "InvalidPosition",
    "MoveNode",
    "MoveNotFound",
    "MoveTree",
    "ParsedGame",
    "ParsedPgn",
    "PgnError",
    "PgnLimitExceeded",
    "PgnLimits",
    "PgnWarning",
    "Shape",
    "TreeEditError",
    "add_move",
    "board_at",
    "clip",
    "count_nodes",
    "cut_at",
    "delete_from",
    "export_game",
    "export_games",
    "find_node",
    "glyph_of",
    "glyphs_of",
    "iter_games",
    "iter_games_or_errors",
    "iter_subtree",
    "mainline",
    "max_variation_depth",
    "nag_of",
    "new_tree",
    "parse_pgn",
    "path_to",
    "promote",
    "read_pgn",
    "set_clock",
    "set_comment",
    "set_eval",
    "set_nags",
    "set_shapes",
    "setup_headers",
    "to_game",
    "variation_depth",
    "variation_to_tree",
]
