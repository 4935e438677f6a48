"""Invitations: sharing with an e-mail that has no account yet.

Sharing with an unknown e-mail used to answer `user_not_found`, which told any admin
which addresses have accounts. It now records an invitation (role, node, inviter), listed
and revocable like a share; when someone registers with that address, each pending
invitation becomes a grant in the registration's transaction, provided its inviter may
still grant that role there (the rule of share links). A coach can invite students who
have not signed up yet.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth.models import User
from catachess.errors import Forbidden, NotFound
from catachess.events import service as events
from catachess.events.service import Target
from catachess.events.types import (
    AclGranted,
    EventType,
    InvitationAccepted,
    InvitationCreated,
    InvitationRevoked,
)
from catachess.nodes.models import Node
from catachess.sharing import access, repository
from catachess.sharing.models import Grant, Invitation
from catachess.sharing.policy import Action, Role, may_grant


class InvitationNotFound(NotFound):
    code = "invitation_not_found"


def _target(node: Node) -> Target:
    return Target(node.id, node.kind.value)


async def invite(
    session: AsyncSession, user: User, granted: access.Access, email: str, role: Role
) -> tuple[Invitation, bool]:
    """Invite `email` (no account yet) to `role` on the node; returns (invitation, created)."""
    node = granted.node
    email = email.lower()
    existing = await repository.get_pending_invitation(session, node.id, email, for_update=True)
    if existing is not None:
        if not may_grant(granted.role, Role(existing.role)):
            raise Forbidden(f"{email} is invited as {existing.role}; you cannot change that")
        existing.role = role.value
        existing.invited_by = user.id
        invitation = existing
    else:
        invitation = Invitation(
            workspace_id=node.workspace_id,
            node_id=node.id,
            email=email,
            role=role.value,
            invited_by=user.id,
        )
        session.add(invitation)
    await session.flush()
    await events.record(
        session,
        EventType.invitation_created,
        actor_id=user.id,
        target=_target(node),
        workspace_id=node.workspace_id,
        version=node.version,
        payload=InvitationCreated(invitation_id=invitation.id, email=email, role=role.value),
    )
    return invitation, existing is None


async def list_invitations(
    session: AsyncSession, user: User, node_id: uuid.UUID
) -> Sequence[Invitation]:
    """Pending invitations on the node and its ancestors (admin only, as shares)."""
    node = (await access.require(session, user.id, node_id, Action.manage_shares)).node
    return await repository.list_pending_invitations(session, node.ancestor_ids)


async def revoke_invitation(
    session: AsyncSession, user: User, node_id: uuid.UUID, invitation_id: uuid.UUID
) -> None:
    """Withdraw a pending invitation on this node."""
    granted = await access.require(session, user.id, node_id, Action.manage_shares, for_update=True)
    node = granted.node
    invitation = await repository.get_invitation(session, invitation_id, for_update=True)
    if invitation is None or invitation.node_id != node.id:
        raise InvitationNotFound(f"no pending invitation {invitation_id} on this node")
    if not may_grant(granted.role, Role(invitation.role)):
        raise Forbidden(f"you are {granted.role.value} and cannot revoke a {invitation.role}")
    await repository.delete_invitation(session, invitation.id)
    await events.record(
        session,
        EventType.invitation_revoked,
        actor_id=user.id,
        target=_target(node),
        workspace_id=node.workspace_id,
        version=node.version,
        payload=InvitationRevoked(invitation_id=invitation.id, email=invitation.email),
    )


async def has_invitation(session: AsyncSession, email: str) -> bool:
    """Whether some node awaits this address (REGISTRATION=invite lets it register)."""
    return await repository.has_invitation(session, email)


async def redeem(session: AsyncSession, user: User) -> list[Grant]:
    """Turn the pending invitations of a newly registered address into grants.

    Run in the registration's transaction; every invitation of the address is used up.
    One whose node is gone, or whose inviter may no longer grant its role there, gives
    no grant.
    """
    grants: list[Grant] = []
    for invitation in await repository.list_invitations_for_email(session, user.email):
        await repository.delete_invitation(session, invitation.id)
        node = await session.get(Node, invitation.node_id)
        inviter = await repository.get_node_with_rank(
            session, invitation.invited_by, invitation.node_id, for_update=False
        )
        role = Role(invitation.role)
        if node is None or node.trashed_at is not None or inviter is None:
            continue
        if not may_grant(repository.role_of(inviter[1]), role):
            continue
        grant = await repository.get_grant(session, node.id, user.id, for_update=True)
        previous = Role(grant.role) if grant is not None else None
        if grant is None:
            grant = Grant(
                workspace_id=node.workspace_id,
                node_id=node.id,
                user_id=user.id,
                role=role.value,
                granted_by=invitation.invited_by,
            )
            session.add(grant)
        elif not Role(grant.role).at_least(role):
            grant.role = role.value
        await session.flush()
        grants.append(grant)
        await events.record(
            session,
            EventType.invitation_accepted,
            actor_id=user.id,
            target=_target(node),
            workspace_id=node.workspace_id,
            version=node.version,
            payload=InvitationAccepted(
                invitation_id=invitation.id, user_id=user.id, role=role.value
            ),
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
                role=grant.role,
                previous_role=previous.value if previous else None,
            ),
        )
    return grants
