"""Every table, imported in one place so Alembic and tests see the whole schema."""

from catachess.auth.models import ApiToken, User
from catachess.db.base import Base
from catachess.events.models import Event
from catachess.idempotency.models import IdempotencyRecord
from catachess.nodes.models import Node
from catachess.sharing.models import Grant, ShareLink

__all__ = [
    "ApiToken",
    "Base",
    "Event",
    "Grant",
    "IdempotencyRecord",
    "Node",
    "ShareLink",
    "User",
]
