"""Who may do what: the role ladder and the minimum role of each action (pure, no I/O)."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    viewer = "viewer"
    commenter = "commenter"
    editor = "editor"
    admin = "admin"
    owner = "owner"

    @property
    def rank(self) -> int:
        return RANKS[self]

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


RANKS: dict[Role, int] = {role: rank for rank, role in enumerate(Role, start=1)}


class Action(enum.StrEnum):
    read = "read"
    comment = "comment"
    edit = "edit"  # create children, rename, move, edit studies and chapters
    trash = "trash"  # trash a folder or study (checked on its parent)
    trash_workspace = "trash_workspace"
    purge = "purge"
    restore = "restore"  # restore a folder or study (checked where it comes back to)
    restore_workspace = "restore_workspace"
    manage_shares = "manage_shares"


MINIMUM_ROLE: dict[Action, Role] = {
    Action.read: Role.viewer,
    Action.comment: Role.commenter,
    Action.edit: Role.editor,
    Action.trash: Role.editor,
    Action.trash_workspace: Role.admin,
    Action.purge: Role.admin,
    Action.restore: Role.editor,
    Action.restore_workspace: Role.admin,
    Action.manage_shares: Role.admin,
}


def allows(role: Role | None, action: Action) -> bool:
    """Does a caller holding `role` (None: no access at all) may perform `action`?"""
    return role is not None and role.at_least(MINIMUM_ROLE[action])


def strongest(roles: list[Role]) -> Role | None:
    return max(roles, key=lambda role: role.rank, default=None)


def may_grant(granter: Role | None, role: Role) -> bool:
    """Managing shares needs admin, and nobody grants a role above their own."""
    return allows(granter, Action.manage_shares) and granter is not None and granter.at_least(role)


def may_revoke(revoker: Role | None, held: Role) -> bool:
    """Nobody removes a grant stronger than their own role."""
    return allows(revoker, Action.manage_shares) and revoker is not None and revoker.at_least(held)
