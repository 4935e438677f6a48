"""Errors of the history domain."""

from __future__ import annotations

from catachess.errors import Conflict, NotFound


class VersionNotFound(NotFound):
    code = "version_not_found"


class AlreadyCurrent(Conflict):
    code = "already_current"


class NothingToUndo(Conflict):
    code = "nothing_to_undo"


class ChangedBySomeoneElse(Conflict):
    code = "changed_by_someone_else"


class ChapterNotDeleted(Conflict):
    code = "chapter_not_deleted"


class MoveUnchanged(Conflict):
    code = "move_unchanged"
