"""The larger request-body limit of the PGN routes (catachess.bodies enforces it)."""

from __future__ import annotations

from catachess.config import Settings
from catachess.routing import TransactionalRoute

# JSON escaping of a PGN text (newlines as \\n, quotes as \\") at most about doubles it;
# the rest of an import body (name, ids) is small.
ENVELOPE_BYTES = 64 * 1024


def body_limit(settings: Settings) -> int:
    """Largest accepted request body: 2 x PGN_MAX_BYTES + 64 KiB."""
    return 2 * settings.pgn_max_bytes + ENVELOPE_BYTES


class LimitedBodyRoute(TransactionalRoute):
    """The studies and moves routes: their bodies may carry a whole PGN file."""

    body_limit_setting = "PGN_MAX_BYTES"

    def body_limit(self, settings: Settings) -> int:
        return body_limit(settings)
