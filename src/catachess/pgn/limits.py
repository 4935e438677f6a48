"""Size limits on PGN imports and move trees.

Every limit guards the server against one request costing unbounded CPU, memory or
storage: a move tree is read and rewritten whole on every edit, so its size is paid
again and again (lila's Chapter.maxNodes has the same reason). Each is enforced where
its check sits in parse.py or edit.py, and raises `PgnLimitExceeded` naming it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PgnLimits:
    # One request's PGN text, in UTF-8 bytes. 5 MiB holds ten heavily annotated 64-game
    # studies; parsing costs up to ~2 s of CPU per MiB of dense annotated movetext
    # (measured), so one request can cost seconds: the server parses off the event loop.
    max_bytes: int = 5 * 1024 * 1024
    # Games in one import: ten full studies of 64 chapters; larger collections go
    # through the CLI in several imports.
    max_games: int = 640
    # Moves in one chapter's tree. Lichess allows 3,000; 10,000 keeps the JSON document
    # under ~2.5 MB and an edit (load, change, store) in milliseconds.
    max_nodes_per_chapter: int = 10_000
    # Nested variations (a variation inside a variation ...). Deeper nesting only
    # comes from generated or hostile input, and every walk of the tree pays for it.
    max_variation_depth: int = 64
    # Characters in one comment: a long annotation fits, a comment cannot be used to
    # grow a chapter without bound through repeated edits.
    max_comment_length: int = 20_000
    # Arrows and circles on one move: a board has 64 squares; more shapes than this are
    # noise on screen and only grow the document.
    max_shapes_per_move: int = 128


DEFAULT_LIMITS = PgnLimits()
