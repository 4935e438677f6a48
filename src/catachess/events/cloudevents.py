"""CloudEvents 1.0 rendering of the envelope (JSON event format, structured mode)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from catachess.events.models import Event

MEDIA_TYPE = "application/cloudevents+json"
BATCH_MEDIA_TYPE = "application/cloudevents-batch+json"
# Reverse-DNS prefix the spec recommends for `type`.
TYPE_PREFIX = "dev.catachess."


def wanted(format_: str | None, accept: str | None) -> bool:
    """`?format=cloudevents`, or an Accept header naming a CloudEvents media type."""
    if format_ == "cloudevents":
        return True
    return bool(accept) and ("application/cloudevents" in (accept or "").lower())


def source_of(event: Event) -> str:
    if event.workspace_id is not None:
        return f"/workspaces/{event.workspace_id}"
    if event.target_type == "user":
        return f"/users/{event.target_id}"
    return "/catachess"


def to_cloudevent(event: Event) -> dict[str, Any]:
    """One event; extension names are lower-case alphanumerics as the spec requires."""
    rendered: dict[str, Any] = {
        "specversion": "1.0",
        "id": str(event.event_id),
        "source": source_of(event),
        "type": TYPE_PREFIX + event.event_type,
        "subject": f"{event.target_type}/{event.target_id}",
        "time": event.timestamp.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "data": event.payload,
        "correlationid": event.correlation_id,
    }
    # The spec treats a null attribute as absent: leave unset ones out.
    if event.causation_id is not None:
        rendered["causationid"] = str(event.causation_id)
    if event.actor_id is not None:
        rendered["actorid"] = str(event.actor_id)
    if event.version is not None:
        rendered["targetversion"] = event.version
    return rendered
