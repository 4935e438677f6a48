"""Appending events: the one function every write goes through (transactional outbox)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, String, bindparam, func, literal, select, true
from sqlalchemy.dialects.postgresql import ARRAY, Insert, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import CTE

from catachess import context
from catachess.db import arrays
from catachess.db.base import new_id, utcnow
from catachess.db.raw import Prebuilt, attach
from catachess.events import guard, subscribers
from catachess.events.models import Event, EventDelivery
from catachess.events.types import EventType, Payload, validate_payload

# Every Session of a process that can record events is watched by the commit guard.
guard.install()

# session.info key: this transaction owes deliveries (the relay is nudged after commit).
DELIVERIES_OWED = "catachess.events.deliveries_owed"


NODE_TYPES = frozenset({"workspace", "folder", "study"})


@dataclass(frozen=True)
class Target:
    """What an event is about. `node_id` is the node whose readers may see the event: the
    target itself for nodes, the study of a chapter or discussion, the node of an export."""

    id: uuid.UUID
    type: str
    node_id: uuid.UUID | None = None

    @property
    def visible_through(self) -> uuid.UUID | None:
        return self.node_id or (self.id if self.type in NODE_TYPES else None)


@dataclass(frozen=True)
class Companion:
    """An insert of the same change sent in the event's own statement (one round trip
    fewer): `statement` is built once, with bind parameters; `params` gives their values.
    `name` keys the compiled statement, so one name always means the same statement.

    A statement given as a CTE keeps its own name, so that other companions can insert
    rows made from what it returns. With `returns`, its RETURNING row comes back beside
    the event (`record_returning`, whose `check` is a companion too: a SELECT).
    """

    name: str
    statement: Insert | CTE
    params: Mapping[str, Any]
    returns: bool = False


async def record(
    session: AsyncSession,
    event_type: EventType,
    *,
    actor_id: uuid.UUID | None,
    target: Target,
    workspace_id: uuid.UUID | None,
    version: int | None,
    payload: Payload | dict[str, Any],
    event_id: uuid.UUID | None = None,
    causation_id: uuid.UUID | None = None,
    correlation_id: str | None = None,
    along_with: Sequence[Companion] = (),
) -> Event:
    """Append one event in the caller's transaction; an existing event_id returns the stored one.

    The same statement owes the event to each subscriber of its type (one delivery row
    each), so the event and its deliveries commit or roll back together. Correlation and
    causation default to the current context, so a handler reacting to an event
    inherits that event's chain. `along_with`: inserts of the same change (a search
    entry, say) sent in the same statement, one round trip fewer each.

    The statement is compiled once per shape (subscribers owed or not, companions) and
    sent to asyncpg directly (db.raw): every write runs it.
    """
    event_values = _event_values(
        event_type, actor_id, target, workspace_id, version, payload, event_id,
        causation_id, correlation_id,
    )  # fmt: skip
    row = await _send(session, event_type, event_values, along_with)
    if row is not None:
        return attach(session, Event, dict(zip(EVENT_KEYS, row, strict=True)))
    existing: Event | None = await session.scalar(
        select(Event).where(Event.event_id == event_values["event_id"])
    )
    assert existing is not None  # the conflicting row is committed and visible now
    return existing


async def record_returning(
    session: AsyncSession,
    event_type: EventType,
    *,
    actor_id: uuid.UUID | None,
    target: Target,
    version: int | None,
    payload: Payload | dict[str, Any],
    check: Companion,
    along_with: Sequence[Companion],
) -> tuple[Sequence[Any], Sequence[Any] | None]:
    """`record` of a new event whose statement also checks and makes the change itself.

    `check` is a SELECT (given as a CTE) whose row the caller needs whatever happens:
    say, the parent of a node to create and the caller's rank on it. The companion of
    `along_with` marked `returns` (one) inserts from it, under its conditions: say, the
    node, when the rank allows it. The event is appended only when that companion
    returns a row, its workspace taken from that row; what depends on the change (its
    search entry) is made from the same row. Returns the check's row (all None when it
    found none) and the companion's row, None when it inserted nothing (a condition not
    met, or a conflict skipped): one round trip, and nothing written unless the change
    was made. The event is not loaded (no instance in the session: its one caller, a
    create, has no use for it)."""
    assert sum(companion.returns for companion in along_with) == 1
    event_values = _event_values(
        event_type, actor_id, target, None, version, payload, None, None, None
    )
    del event_values["workspace_id"]  # the inserted row's
    row = await _send(
        session, event_type, event_values, [check, *along_with], build=_build_checked_append
    )
    assert row is not None  # the check's row comes back even when it found none
    assert isinstance(check.statement, CTE)
    width = len(check.statement.c)
    returned = row[width + 1 :]  # after the check's row and the event's id
    found = row[:width]
    return found, (returned if any(value is not None for value in returned) else None)


def _event_values(
    event_type: EventType,
    actor_id: uuid.UUID | None,
    target: Target,
    workspace_id: uuid.UUID | None,
    version: int | None,
    payload: Payload | dict[str, Any],
    event_id: uuid.UUID | None,
    causation_id: uuid.UUID | None,
    correlation_id: str | None,
) -> dict[str, Any]:
    return {
        "event_id": event_id or new_id(),
        "workspace_id": workspace_id,
        "event_type": str(event_type),
        "actor_id": actor_id,
        "target_id": target.id,
        "target_type": target.type,
        "node_id": target.visible_through,
        "timestamp": utcnow(),
        "version": version,
        "payload": validate_payload(event_type, payload),
        "correlation_id": correlation_id or context.correlation_id.get() or new_id().hex,
        "causation_id": causation_id or _context_causation(),
    }


async def _send(
    session: AsyncSession,
    event_type: EventType,
    event_values: dict[str, Any],
    along_with: Sequence[Companion],
    *,
    build: Callable[[bool, Sequence[Companion]], Prebuilt] | None = None,
) -> Sequence[Any] | None:
    """The append statement of this event and its companions (made by `build`, by
    default _build_append), sent; its row or None."""
    params = {f"e_{name}": value for name, value in event_values.items()}
    owed = subscribers.names_for(event_type)
    if owed:
        params["subscribers"] = owed
        session.info[DELIVERIES_OWED] = True
    for companion in along_with:
        params.update(companion.params)
    statement = _compiled(build or _build_append, bool(owed), along_with)
    row = await statement.fetchrow(session, **params)
    guard.note_recorded(session.sync_session)
    return row


@dataclass(frozen=True)
class NewEvent:
    """One event of `record_many`: what `record` takes. Its chain defaults to the current
    context's, as in `record`; a handler of several events gives each its own."""

    actor_id: uuid.UUID | None
    target: Target
    workspace_id: uuid.UUID | None
    version: int | None
    payload: Payload | dict[str, Any]
    event_id: uuid.UUID | None = None
    correlation_id: str | None = None
    causation_id: uuid.UUID | None = None


async def record_many(
    session: AsyncSession,
    event_type: EventType,
    events: Sequence[NewEvent],
    *,
    along_with: Sequence[Companion] = (),
) -> None:
    """Append several events of one type in the caller's transaction, each owed to its
    subscribers as `record` does, in one statement of a fixed shape whatever their number
    (db.arrays: compiled and prepared once); an import of 580 games records 580 events.
    As in `record`, an event whose id is stored already is skipped and owes nothing
    again. `along_with`: inserts of the same change sent in the same statement."""
    if not events:
        return
    owed = subscribers.names_for(event_type)
    correlation = context.correlation_id.get()
    causation = _context_causation()
    rows = [
        {
            "event_id": event.event_id or new_id(),
            "workspace_id": event.workspace_id,
            "event_type": str(event_type),
            "actor_id": event.actor_id,
            "target_id": event.target.id,
            "target_type": event.target.type,
            "node_id": event.target.visible_through,
            "timestamp": utcnow(),
            "version": event.version,
            "payload": validate_payload(event_type, event.payload),
            "correlation_id": event.correlation_id or correlation or new_id().hex,
            "causation_id": event.causation_id or causation,
        }
        for event in events
    ]
    params: dict[str, Any] = arrays.arrays_of(_GIVEN_COLUMNS, "m_", rows)
    if owed:
        params["subscribers"] = owed
        session.info[DELIVERIES_OWED] = True
    for companion in along_with:
        params.update(companion.params)
    await _append_many(bool(owed), along_with).fetchrow(session, **params)
    guard.note_recorded(session.sync_session)


def _deliveries_of(appended: Any) -> Insert:
    """One delivery row per appended event and subscriber name (the :subscribers array)."""
    names = bindparam("subscribers", type_=ARRAY(String))
    table = func.unnest(names).table_valued("subscriber").render_derived(name="owed")
    now = func.now()
    return insert(EventDelivery).from_select(
        ["event_id", "subscriber", "workspace_id", "attempts", "next_attempt_at", "created_at"],
        select(
            appended.c.event_id, table.c.subscriber, appended.c.workspace_id, literal(0), now, now
        ).join_from(appended, table, true()),
    )


EVENT_KEYS = tuple(column.key for column in Event.__table__.c)

# The columns an append gives: seq is an identity; position is assigned at commit
# (docs/live.md).
_GIVEN_COLUMNS = [c for c in Event.__table__.c if c.key not in ("seq", "position")]
# The append statements compiled so far, by (builder, deliveries owed, companions).
_APPENDS: dict[tuple[Callable[..., Prebuilt], bool, tuple[str, ...]], Prebuilt] = {}


def _build_append(owe_deliveries: bool, along_with: Sequence[Companion]) -> Prebuilt:
    """The append as one statement, compiled once per shape (every write runs it).

    ON CONFLICT DO NOTHING makes a racing duplicate wait for the first and then skip; a
    skipped event owes no deliveries either, since they hang off the RETURNING rows, and
    the statement returns no row.
    """
    appended = (
        insert(Event)
        .values({c.key: bindparam(f"e_{c.key}", type_=c.type) for c in _GIVEN_COLUMNS})
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(*Event.__table__.c)
        .cte("appended")
    )
    ctes = _companion_ctes(along_with)
    names = [f"e_{c.key}" for c in _GIVEN_COLUMNS]
    return _with_the_rest(select(*appended.c), names, appended, owe_deliveries, along_with, ctes)


def _build_checked_append(owe_deliveries: bool, along_with: Sequence[Companion]) -> Prebuilt:
    """record_returning's statement: the check (the first companion), the change made
    from it (the companion that returns), the event appended from the change's row, and
    one row back: the check's columns, the event's id and the change's columns, from a
    row of constants joined to each, so that it comes back whatever was found."""
    ctes = _companion_ctes(along_with)
    check = ctes[0]
    made = next(cte for cte, companion in zip(ctes, along_with, strict=True) if companion.returns)
    given = [c for c in _GIVEN_COLUMNS if c.key != "workspace_id"]
    appended = (
        insert(Event)
        .from_select(
            [*(c.key for c in given), "workspace_id"],
            select(*(bindparam(f"e_{c.key}", type_=c.type) for c in given), made.c.workspace_id),
        )
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(*Event.__table__.c)
        .cte("appended")
    )
    always = select(literal(1).label("one")).subquery("always")
    query: Select[Any] = select(*check.c, appended.c.event_id, *made.c).select_from(
        always.outerjoin(check, true()).outerjoin(made, true()).outerjoin(appended, true())
    )
    names = [f"e_{c.key}" for c in given]
    return _with_the_rest(query, names, appended, owe_deliveries, along_with, ctes)


def _append_many(owe_deliveries: bool, along_with: Sequence[Companion]) -> Prebuilt:
    """record_many's statement: the events from column arrays (db.arrays), their
    deliveries and the companions, compiled once per shape."""
    return _compiled(_build_append_many, owe_deliveries, along_with)


def _build_append_many(owe_deliveries: bool, along_with: Sequence[Companion]) -> Prebuilt:
    appended = (
        insert(Event)
        .from_select([c.key for c in _GIVEN_COLUMNS], arrays.unnest_rows(_GIVEN_COLUMNS, "m_"))
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(Event.__table__.c.event_id, Event.__table__.c.workspace_id)
        .cte("appended")
    )
    query: Select[Any] = select(func.count()).select_from(appended)
    names = arrays.names_of(_GIVEN_COLUMNS, "m_")
    return _with_the_rest(
        query, names, appended, owe_deliveries, along_with, _companion_ctes(along_with)
    )


def _compiled(
    build: Callable[[bool, Sequence[Companion]], Prebuilt],
    owe_deliveries: bool,
    along_with: Sequence[Companion],
) -> Prebuilt:
    """The statement `build` makes for this shape (deliveries owed or not, the
    companions), built the first time it is asked for."""
    key = (build, owe_deliveries, tuple(companion.name for companion in along_with))
    found = _APPENDS.get(key)
    if found is None:
        found = _APPENDS[key] = build(owe_deliveries, along_with)
    return found


def _companion_ctes(along_with: Sequence[Companion]) -> list[CTE]:
    """Each companion as a CTE (one given as a CTE keeps its own name)."""
    return [
        companion.statement
        if isinstance(companion.statement, CTE)
        else companion.statement.cte(f"along_with_{number}")
        for number, companion in enumerate(along_with)
    ]


def _with_the_rest(
    query: Select[Any],
    names: list[str],
    appended: CTE,
    owe_deliveries: bool,
    along_with: Sequence[Companion],
    ctes: list[CTE],
) -> Prebuilt:
    """The append `query` with the deliveries owed and the companions (as `ctes`)
    added, compiled; `names` are the append's own bind parameters."""
    if owe_deliveries:
        query = query.add_cte(_deliveries_of(appended).cte("owed_deliveries"))
        names = [*names, "subscribers"]
    for cte, companion in zip(ctes, along_with, strict=True):
        query = query.add_cte(cte)
        names = [*names, *companion.params]
    return Prebuilt(query, *names)


def _context_causation() -> uuid.UUID | None:
    raw = context.causation_id.get()
    return uuid.UUID(raw) if raw else None
