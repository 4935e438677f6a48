"""HTTP endpoints of sharing: grants and share links."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from catachess.auth.deps import CurrentUser, Session
from catachess.idempotency.http import KEYS_REFUSED
from catachess.openapi import problems
from catachess.routing import TransactionalRoute
from catachess.sharing import invitations, service
from catachess.sharing.policy import Role
from catachess.sharing.schemas import (
    InvitationList,
    InvitationRead,
    ShareCreate,
    ShareGranted,
    ShareLinkAccepted,
    ShareLinkCreate,
    ShareLinkCreated,
    ShareLinkList,
    ShareLinkRead,
    ShareList,
    ShareRead,
    UserName,
    UserNameList,
)

router = APIRouter(route_class=TransactionalRoute, tags=["sharing"])


@router.get("/nodes/{node_id}/shares", response_model=ShareList, responses=problems(401, 403, 404))
async def list_shares(node_id: uuid.UUID, user: CurrentUser, session: Session) -> ShareList:
    """Who has which role here, including grants inherited from ancestors (admin only)."""
    views = await service.list_shares(session, user, node_id)
    return ShareList(
        items=[
            ShareRead(
                node_id=node_id,
                user_id=v.user.id,
                email=v.user.email,
                display_name=v.user.display_name,
                role=Role(v.grant.role),
                inherited_from=v.grant.node_id if v.grant.node_id != node_id else None,
                granted_by=v.grant.granted_by,
                created_at=v.grant.created_at,
            )
            for v in views
        ]
    )


@router.post(
    "/nodes/{node_id}/shares",
    response_model=ShareGranted,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": ShareGranted, "description": "The user's existing grant was changed"},
        **problems(401, 403, 404, 409, 422),
    },
)
async def share(
    node_id: uuid.UUID, body: ShareCreate, user: CurrentUser, session: Session, response: Response
) -> ShareGranted:
    """Grant a role on this node and its subtree (201 new grant, 200 changed grant)."""
    subject: uuid.UUID | str = body.user_id if body.user_id is not None else str(body.email)
    shared = await service.share(session, user, node_id, subject=subject, role=body.role)
    if not shared.created:
        response.status_code = status.HTTP_200_OK
    if shared.invitation is not None:
        invitation = shared.invitation
        return ShareGranted(
            node_id=invitation.node_id,
            status="invited",
            user_id=None,
            email=invitation.email,
            invitation_id=invitation.id,
            role=Role(invitation.role),
        )
    assert shared.grant is not None
    return ShareGranted(
        node_id=shared.grant.node_id,
        status="granted",
        user_id=shared.grant.user_id,
        role=Role(shared.grant.role),
    )


@router.get(
    "/nodes/{node_id}/invitations",
    response_model=InvitationList,
    responses=problems(401, 403, 404),
)
async def list_invitations(
    node_id: uuid.UUID, user: CurrentUser, session: Session
) -> InvitationList:
    """Pending invitations here and on the ancestors (admin only)."""
    found = await invitations.list_invitations(session, user, node_id)
    return InvitationList(items=[InvitationRead.model_validate(i) for i in found])


@router.delete(
    "/nodes/{node_id}/invitations/{invitation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(401, 403, 404),
)
async def revoke_invitation(
    node_id: uuid.UUID, invitation_id: uuid.UUID, user: CurrentUser, session: Session
) -> Response:
    """Withdraw a pending invitation: registering with that e-mail grants nothing then."""
    await invitations.revoke_invitation(session, user, node_id, invitation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/nodes/{node_id}/shares/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(401, 403, 404, 409),
)
async def revoke(
    node_id: uuid.UUID, user_id: uuid.UUID, user: CurrentUser, session: Session
) -> Response:
    """Remove a user's grant on this node."""
    await service.revoke(session, user, node_id, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/nodes/{node_id}/share-links",
    response_model=ShareLinkCreated,
    status_code=status.HTTP_201_CREATED,
    responses=problems(400, 401, 403, 404, 422),
    openapi_extra=KEYS_REFUSED,
)
async def create_link(
    node_id: uuid.UUID,
    body: ShareLinkCreate,
    user: CurrentUser,
    session: Session,
    response: Response,
) -> ShareLinkCreated:
    """Create a share link; its token is shown only in this response."""
    link, token = await service.create_link(
        session, user, node_id, role=body.role, expires_at=body.expires_at
    )
    response.headers["Location"] = f"/share-links/{link.id}"
    return ShareLinkCreated(**ShareLinkRead.model_validate(link).model_dump(), token=token)


@router.get(
    "/nodes/{node_id}/share-links", response_model=ShareLinkList, responses=problems(401, 403, 404)
)
async def list_links(node_id: uuid.UUID, user: CurrentUser, session: Session) -> ShareLinkList:
    """Share links of this node (tokens are never shown again)."""
    links = await service.list_links(session, user, node_id)
    return ShareLinkList(items=[ShareLinkRead.model_validate(link) for link in links])


@router.get(
    "/share-links/{link_id}", response_model=ShareLinkRead, responses=problems(401, 403, 404)
)
async def get_link(link_id: uuid.UUID, user: CurrentUser, session: Session) -> ShareLinkRead:
    """A share link (its token is never shown again), for admins of its node."""
    return ShareLinkRead.model_validate(await service.get_link(session, user, link_id))


@router.delete(
    "/share-links/{link_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(401, 403, 404, 409),
)
async def revoke_link(link_id: uuid.UUID, user: CurrentUser, session: Session) -> Response:
    """Revoke a share link so nobody else can accept it."""
    await service.revoke_link(session, user, link_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/share-links/{token}/accept",
    response_model=ShareLinkAccepted,
    responses=problems(401, 404, 410),
)
async def accept_link(
    token: Annotated[str, Path(min_length=16, max_length=128)], user: CurrentUser, session: Session
) -> ShareLinkAccepted:
    """Accept a share link: you get its role on its node."""
    node, role = await service.accept_link(session, user, token)
    return ShareLinkAccepted(node_id=node.id, role=role)


@router.get("/users", response_model=UserNameList, responses=problems(401, 422))
async def user_names(
    user: CurrentUser,
    session: Session,
    ids: Annotated[list[uuid.UUID], Query(description="user ids (repeat: ?ids=a&ids=b; ≤ 100)")],
) -> UserNameList:
    """Display names of people who share a workspace, folder or study with you.

    Ids of anyone else are left out of the answer (never an error), so it tells nobody
    who exists. For the names of who changed what and who is here on a study page."""
    names = await service.fellow_names(session, user, ids)
    return UserNameList(items=[UserName(id=i, display_name=name) for i, name in names])
