"""Every table, imported in one place so Alembic and tests see the whole schema."""

from catachess.auth.models import ApiToken, User
from catachess.db.base import Base
from catachess.discussions.models import Post, PostRevision, Reaction, Thread
from catachess.events.models import ActivityEntry, Event, EventDelivery
from catachess.history.models import ChapterVersion
from catachess.idempotency.models import IdempotencyRecord
from catachess.live.models import StudyPresence
from catachess.maintenance.models import MaintenanceRun
from catachess.nodes.models import Node
from catachess.nodes.trash.models import TrashEntry
from catachess.notifications.models import Notification, NotificationPreference
from catachess.search.models import SearchEntry, SearchPosition
from catachess.sharing.models import Grant, ShareLink
from catachess.studies.models import Chapter, Export, Star

__all__ = [
    "ActivityEntry",
    "ApiToken",
    "Base",
    "Chapter",
    "ChapterVersion",
    "Event",
    "EventDelivery",
    "Export",
    "Grant",
    "IdempotencyRecord",
    "MaintenanceRun",
    "Node",
    "Notification",
    "NotificationPreference",
    "Post",
    "PostRevision",
    "Reaction",
    "SearchEntry",
    "SearchPosition",
    "ShareLink",
    "Star",
    "StudyPresence",
    "Thread",
    "TrashEntry",
    "User",
]
