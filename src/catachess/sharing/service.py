"""Granting and revoking roles, and share links."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.dialects.postgresql import Insert
from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth import repository as users
from catachess.auth.models import User
from catachess.auth.tokens import new_token, token_digest
from catachess.db.base import utcnow
from catachess.errors import Conflict, Forbidden, Gone, NotFound, Unprocessable
from catachess.events import service as events
from catachess.events.service import Target
from catachess.events.types import (
    AclGranted,
    AclRevoked,
    EventType,
    ShareLinkAccepted,
    ShareLinkCreated,
    ShareLinkRevoked,
)
from catachess.nodes.models import Node
from catachess.sharing import access, invitations, repository
from catachess.sharing.access import Access
from catachess.sharing.models import Grant, Invitation, ShareLink
from catachess.sharing.policy import Action, Role, may_grant, may_revoke


class UserNotFound(Unprocessable):
    code = "user_not_found"


class LastOwner(Conflict):
    code = "last_owner"


class ShareLinkNotFound(NotFound):
    code = "share_link_not_found"


def _target(node: Node) -> Target:
    return Target(node.id, node.kind.value)


def owner_grant(user: User, workspace: Node) -> Insert:
    """The creator of a workspace owns it: the grant, as a statement that the workspace's
    own INSERT carries (nodes.repository.insert_unless_name_taken), one round trip."""
    return repository.grant_insert(workspace, user.id, Role.owner, granted_by=user.id)


@dataclass(frozen=True)
class ShareView:
    grant: Grant
    user: User


async def list_shares(session: AsyncSession, user: User, node_id: uuid.UUID) -> list[ShareView]:
    """Grants on the node and on its ancestors (inherited)."""
    node = (await access.require(session, user.id, node_id, Action.manage_shares)).node
    grants = await repository.list_grants_on_path(session, node.ancestor_ids)
    people = {u.id: u for u in await users.get_many(session, [g.user_id for g in grants])}
    return [ShareView(grant=g, user=people[g.user_id]) for g in grants]


@dataclass(frozen=True)
class Shared:
    """What sharing did: a grant to an account, or an invitation to an e-mail without one."""

    created: bool
    grant: Grant | None = None
    invitation: Invitation | None = None


async def share(
    session: AsyncSession, user: User, node_id: uuid.UUID, *, subject: uuid.UUID | str, role: Role
) -> Shared:
    """Grant `role` on the node to a user (by id or e-mail), or invite an unknown e-mail."""
    granted = await access.require(session, user.id, node_id, Action.manage_shares, for_update=True)
    if not may_grant(granted.role, role):
        raise Forbidden(f"you are {granted.role.value} and cannot grant {role.value}", field="role")
    if isinstance(subject, uuid.UUID):
        grantee = await users.get_by_id(session, subject)
        if grantee is None:
            raise UserNotFound(f"no user {subject}", field="user_id")
    else:
        grantee = await users.get_by_email(session, subject)
        if grantee is None:
            # Not user_not_found: that told any admin which addresses have accounts.
            invitation, created = await invitations.invite(session, user, granted, subject, role)
            return Shared(created=created, invitation=invitation)
    grant, created = await _grant(session, user, granted, grantee, role)
    return Shared(created=created, grant=grant)


async def _grant(
    session: AsyncSession, user: User, granted: access.Access, grantee: User, role: Role
) -> tuple[Grant, bool]:
    node = granted.node
    existing = await repository.get_grant(session, node.id, grantee.id, for_update=True)
    previous = Role(existing.role) if existing else None
    if existing is not None:
        if previous is not None and not may_revoke(granted.role, previous):
            raise Forbidden(
                f"{grantee.email} is {previous.value}; you cannot change that", field="role"
            )
        if previous is Role.owner and role is not Role.owner:
            await _keep_an_owner(session, node, existing)
        existing.role = role.value
        existing.granted_by = user.id
        grant = existing
    else:
        grant = Grant(
            workspace_id=node.workspace_id,
            node_id=node.id,
            user_id=grantee.id,
            role=role.value,
            granted_by=user.id,
        )
        session.add(grant)
    await session.flush()
    await events.record(
        session,
        EventType.acl_granted,
        actor_id=user.id,
        target=_target(node),
        workspace_id=node.workspace_id,
        version=node.version,
        payload=AclGranted(
            user_id=grantee.id, role=role.value, previous_role=previous.value if previous else None
        ),
    )
    return grant, existing is None


async def _keep_an_owner(session: AsyncSession, node: Node, grant: Grant) -> None:
    if node.parent_id is None and await repository.count_owners(session, node.id) <= 1:
        raise LastOwner("a workspace keeps at least one owner; make someone else owner first")


async def revoke(
    session: AsyncSession, user: User, node_id: uuid.UUID, grantee_id: uuid.UUID
) -> None:
    """Remove a user's grant on this node (inherited grants are revoked where they sit)."""
    granted = await access.require(session, user.id, node_id, Action.manage_shares, for_update=True)
    node = granted.node
    grant = await repository.get_grant(session, node.id, grantee_id, for_update=True)
    if grant is None:
        raise NotFound(f"user {grantee_id} has no grant on this node", field="user_id")
    held = Role(grant.role)
    if not may_revoke(granted.role, held):
        raise Forbidden(f"you are {granted.role.value} and cannot revoke {held.value}")
    if held is Role.owner:
        await _keep_an_owner(session, node, grant)
    await repository.delete_grant(session, grant.id)
    await events.record(
        session,
        EventType.acl_revoked,
        actor_id=user.id,
        target=_target(node),
        workspace_id=node.workspace_id,
        version=node.version,
        payload=AclRevoked(user_id=grantee_id, role=held.value),
    )


async def create_link(
    session: AsyncSession,
    user: User,
    node_id: uuid.UUID,
    *,
    role: Role,
    expires_at: object | None,
) -> tuple[ShareLink, str]:
    """A link that grants `role` to whoever accepts it; the token is returned once."""
    granted = await access.require(session, user.id, node_id, Action.manage_shares)
    if not may_grant(granted.role, role):
        raise Forbidden(
            f"you are {granted.role.value} and cannot share as {role.value}", field="role"
        )
    if expires_at is not None and expires_at <= utcnow():  # type: ignore[operator]
        raise Unprocessable("expires_at is in the past", field="expires_at")
    token = new_token()
    node = granted.node
    link = ShareLink(
        workspace_id=node.workspace_id,
        node_id=node.id,
        role=role.value,
        token_hash=token_digest(token),
        created_by=user.id,
        expires_at=expires_at,
    )
    session.add(link)
    await session.flush()
    await events.record(
        session,
        EventType.share_link_created,
        actor_id=user.id,
        target=_target(node),
        workspace_id=node.workspace_id,
        version=node.version,
        payload=ShareLinkCreated(
            link_id=link.id,
            role=role.value,
            expires_at=link.expires_at.isoformat() if link.expires_at else None,
        ),
    )
    return link, token


async def list_links(session: AsyncSession, user: User, node_id: uuid.UUID) -> list[ShareLink]:
    node = (await access.require(session, user.id, node_id, Action.manage_shares)).node
    return list(await repository.list_links(session, node.id))


async def _managed_link(
    session: AsyncSession, user: User, link_id: uuid.UUID, *, for_update: bool
) -> tuple[ShareLink, Access]:
    """A link of a node whose shares the caller manages; 404 as for a missing link."""
    link = await repository.get_link(session, link_id, for_update=for_update)
    if link is None:
        raise ShareLinkNotFound(f"share link {link_id} does not exist")
    try:
        granted = await access.require(session, user.id, link.node_id, Action.manage_shares)
    except NotFound:
        raise ShareLinkNotFound(f"share link {link_id} does not exist") from None
    return link, granted


async def get_link(session: AsyncSession, user: User, link_id: uuid.UUID) -> ShareLink:
    """A share link (without its token) for whoever manages the shares of its node."""
    link, _ = await _managed_link(session, user, link_id, for_update=False)
    return link


async def revoke_link(session: AsyncSession, user: User, link_id: uuid.UUID) -> ShareLink:
    """Revoke a link; grants already accepted through it stay (revoke those as shares)."""
    link, granted = await _managed_link(session, user, link_id, for_update=True)
    if link.revoked_at is not None:
        raise Conflict("this share link is already revoked")
    link.revoked_at = utcnow()
    await session.flush()
    node = granted.node
    await events.record(
        session,
        EventType.share_link_revoked,
        actor_id=user.id,
        target=_target(node),
        workspace_id=node.workspace_id,
        version=node.version,
        payload=ShareLinkRevoked(link_id=link.id),
    )
    return link


async def accept_link(session: AsyncSession, user: User, token: str) -> tuple[Node, Role]:
    """Join through a link: the caller gets its role on its node, never a downgrade."""
    link = await repository.get_link_by_digest(session, token_digest(token), for_update=True)
    if link is None:
        raise ShareLinkNotFound("this share link does not exist")
    if link.revoked_at is not None:
        raise Gone("this share link was revoked")
    if link.expires_at is not None and link.expires_at <= utcnow():
        raise Gone("this share link has expired")
    node = await session.get(Node, link.node_id)
    if node is None or node.trashed_at is not None:
        raise ShareLinkNotFound("this share link does not exist")
    role = Role(link.role)
    # A link speaks for its creator: it admits people only while its creator could still
    # share this node with its role now (revoked, or demoted below admin or below the
    # link's role, and it hands out nothing).
    creator = await repository.get_node_with_rank(
        session, link.created_by, link.node_id, for_update=False
    )
    creator_role = repository.role_of(creator[1]) if creator else None
    if not may_grant(creator_role, role):
        raise Gone(
            "this share link is no longer valid: its creator may no longer share this node "
            f"as {role.value}"
        )
    existing = await repository.get_grant(session, node.id, user.id, for_update=True)
    # An inherited role (a grant on an ancestor) as strong as the link's: a grant here
    # would change nothing and only clutter the share list, so nothing is added.
    held = await repository.get_node_with_rank(session, user.id, node.id, for_update=False)
    held_role = repository.role_of(held[1]) if held else None
    if existing is None and held_role is not None and held_role.at_least(role):
        return node, held_role
    if existing is not None:
        if Role(existing.role).at_least(role):
            return node, Role(existing.role)
        previous: Role | None = Role(existing.role)
        existing.role = role.value
    else:
        previous = None
        session.add(
            Grant(
                workspace_id=node.workspace_id,
                node_id=node.id,
                user_id=user.id,
                role=role.value,
                granted_by=link.created_by,
            )
        )
    await session.flush()
    await events.record(
        session,
        EventType.share_link_accepted,
        actor_id=user.id,
        target=_target(node),
        workspace_id=node.workspace_id,
        version=node.version,
        payload=ShareLinkAccepted(link_id=link.id, user_id=user.id, role=role.value),
    )
    await events.record(
        session,
        EventType.acl_granted,
        actor_id=user.id,
        target=_target(node),
        workspace_id=node.workspace_id,
        version=node.version,
        payload=AclGranted(
            user_id=user.id,
            role=role.value,
            previous_role=previous.value if previous else None,
            via_share_link=link.id,
        ),
    )
    return node, role


# At most this many ids per name lookup (one page of a presence list or activity feed).
MAX_NAME_LOOKUP = 100


async def fellow_names(
    session: AsyncSession, user: User, user_ids: list[uuid.UUID]
) -> list[tuple[uuid.UUID, str]]:
    """Display names of the given users who share a node with the caller (and the caller's
    own); other ids are left out without saying whether they exist."""
    if len(user_ids) > MAX_NAME_LOOKUP:
        raise Unprocessable(f"at most {MAX_NAME_LOOKUP} ids per lookup", field="ids")
    rows = await repository.list_fellow_names(session, user.id, list(dict.fromkeys(user_ids)))
    return [(row[0], row[1]) for row in rows]
