"""Errors of the node tree."""

from __future__ import annotations

import uuid

from catachess.errors import Conflict, NotFound, Unprocessable


class NodeNotFound(NotFound):
    code = "node_not_found"

    def __init__(self, node_id: uuid.UUID | str) -> None:
        # Same answer for "missing", "trashed" and "not yours": existence is never revealed.
        super().__init__(f"node {node_id} does not exist")


class NameTaken(Conflict):
    code = "name_taken"


class MoveCycle(Conflict):
    code = "move_cycle"


class CrossWorkspaceMove(Unprocessable):
    code = "cross_workspace_move"


class InvalidParent(Unprocessable):
    code = "invalid_parent"


class ConcurrentChange(Conflict):
    code = "concurrent_change"
