"""Errors of the trash lifecycle (all 409: the node exists, but not in the needed state)."""

from __future__ import annotations

from catachess.errors import Conflict


class AlreadyInTrash(Conflict):
    code = "already_in_trash"


class NotInTrash(Conflict):
    code = "not_in_trash"


class NotATrashRoot(Conflict):
    code = "not_a_trash_root"


class WorkspaceInTrash(Conflict):
    code = "workspace_in_trash"
