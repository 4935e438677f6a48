"""A stream whose client stops reading is dropped, not buffered without bound."""

from __future__ import annotations

import uuid

from catachess.events.models import Event
from catachess.live.hub import Closing, Subscription


def an_event_of(study_id: uuid.UUID, position: int) -> Event:
    return Event(
        event_id=uuid.uuid4(),
        position=position,
        event_type="chapter.comment_set",
        target_id=uuid.uuid4(),
        target_type="chapter",
        node_id=study_id,
        payload={},
    )


def test_a_client_that_stops_reading_is_closed_with_queue_full_and_holds_nothing() -> None:
    study_id = uuid.uuid4()
    sub = Subscription(user_id=uuid.uuid4(), capacity=5, study_id=study_id)
    for position in range(1, 1001):
        sub.offer(an_event_of(study_id, position))
    assert sub.closed == "queue_full"
    assert sub.inbox.qsize() == 1  # what it did not read was dropped: the log keeps it
    assert sub.inbox.get_nowait() == Closing("queue_full")


def test_a_study_stream_is_offered_nothing_of_another_study() -> None:
    sub = Subscription(user_id=uuid.uuid4(), capacity=5, study_id=uuid.uuid4())
    sub.offer(an_event_of(uuid.uuid4(), 1))
    assert sub.inbox.empty() and sub.closed is None
