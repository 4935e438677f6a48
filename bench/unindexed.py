"""An import's parse without its search-index rows, for bench/search.py's "without
indexing" arm: run in catachess.heavy's worker processes in place of
`heavy_tasks.parse_part`, so that arm does not make rows it then throws away. Imports
nothing but catachess.heavy_tasks (workers never load the app)."""

from __future__ import annotations

from catachess import heavy_tasks
from catachess.pgn import PgnLimits, PgnPart


def parse_part(part: PgnPart, limits: PgnLimits) -> heavy_tasks.PreparedPgn:
    """`heavy_tasks.parse_part` with no positions and no comments extracted."""
    rows, comments = heavy_tasks.position_copy_rows, heavy_tasks.comments_of
    heavy_tasks.position_copy_rows = lambda _tree: b""
    heavy_tasks.comments_of = lambda _tree: {}
    try:
        return heavy_tasks.parse_part(part, limits)
    finally:
        heavy_tasks.position_copy_rows, heavy_tasks.comments_of = rows, comments
