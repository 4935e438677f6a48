"""Every table, imported in one place so Alembic and tests see the whole schema."""

from catachess.auth.models import ApiToken, User
from catachess.db.base import Base
from catachess.events.models import ActivityEntry, Event, EventDelivery
from catachess.nodes.models import Node
from catachess.sharing.models import Grant, ShareLink

__all__ = [
    "ActivityEntry",
    "ApiToken",
    "Base",
    "Event",
    "EventDelivery",
    "Grant",
    "Node",
    "ShareLink",
    "User",
]
