"""The commit guard: a transaction that changed domain rows must have recorded an event.

Every write goes through a SQLAlchemy Session (a request's unit of work, a relay batch, a
maintenance job). The guard watches every Session for changed tables — ORM flushes, and
INSERT/UPDATE/DELETE statements run through `session.execute` — and refuses the commit
when something changed but `events.record()` was never called in that transaction. The
commit raises, the transaction rolls back and the client gets a 500: a write route that
forgets its event fails the first time any test exercises it, instead of silently
breaking G2. Tables of pure bookkeeping opt out in their model with
`__table_args__ = (..., {"info": {"event_exempt": "why"}})`.

Not seen (documented limit): SQL sent past the Session, e.g. `connection.exec_driver_sql`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Result, Table, event
from sqlalchemy import inspect as inspect_instance
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.elements import TextClause

from catachess.db.base import Base
from catachess.events.models import EVENT_EXEMPT

# session.info key: what each open (sub)transaction changed and whether it recorded an event.
# Kept per savepoint, so a rolled-back savepoint's writes (a caught IntegrityError, a
# failed subscriber handler) neither count as changes nor lend their event to the rest.
MARKS = "catachess.events.marks"


@dataclass
class Marks:
    written: set[str] = field(default_factory=set)
    recorded: bool = False
    upkeep: str | None = None


# The statement kind and target of hand-written SQL passed to session.execute(text(...)).
RAW_WRITE = re.compile(
    r"^\s*(?:INSERT\s+INTO|UPDATE(?:\s+ONLY)?|DELETE\s+FROM(?:\s+ONLY)?|MERGE\s+INTO)\s+"
    r'"?(?:\w+"?\.)?"?(\w+)',
    re.IGNORECASE,
)


class UnrecordedWrite(RuntimeError):
    """A transaction changed domain tables without recording an event (a programming error)."""


def is_exempt(table_name: str) -> bool:
    table = Base.metadata.tables.get(table_name)
    return table is not None and EVENT_EXEMPT in table.info


def _marks(session: Session, transaction: SessionTransaction | None = None) -> Marks:
    """Marks of the given transaction, by default the innermost one in progress."""
    transaction = transaction or session.get_nested_transaction() or session.get_transaction()
    by_transaction: dict[SessionTransaction | None, Marks] = session.info.setdefault(MARKS, {})
    return by_transaction.setdefault(transaction, Marks())


def note_recorded(session: Session) -> None:
    """Called by events.record(): this transaction has its event."""
    _marks(session).recorded = True


def note_written(session: Session, table_names: Iterable[str]) -> None:
    """Rows changed by a statement sent past the session (db.raw) count as its own."""
    _note_written(session, table_names)


def upkeep(session: Session, reason: str) -> None:
    """Declare this transaction routine upkeep with no domain meaning (deleting expired
    tokens or exports): its writes need no event. Only maintenance jobs call this."""
    _marks(session).upkeep = reason


def _note_written(session: Session, table_names: Iterable[str]) -> None:
    _marks(session).written.update(name for name in table_names if not is_exempt(name))


def _pending_tables(session: Session) -> set[str]:
    """Tables of objects changed in the session but not flushed yet."""
    objects = [*session.new, *session.deleted]
    objects += [obj for obj in session.dirty if session.is_modified(obj)]
    return {_table_name(inspect_instance(obj).mapper.local_table) for obj in objects}


def _table_name(table: Any) -> str:
    return str(table.name) if isinstance(table, Table) else str(table)


def _after_flush(session: Session, flush_context: UOWTransaction) -> None:
    # new/dirty/deleted still hold the pre-flush state here.
    _note_written(session, _pending_tables(session))


def _written_table(statement: Any) -> str | None:
    """The table an INSERT/UPDATE/DELETE statement writes, None for anything else."""
    if isinstance(statement, UpdateBase):
        return _table_name(statement.table)
    if isinstance(statement, TextClause):
        match = RAW_WRITE.match(statement.text)
        return match.group(1).lower() if match else None
    return None


def _do_orm_execute(state: ORMExecuteState) -> Result[Any] | None:
    table = _written_table(state.statement)
    if table is None or is_exempt(table):
        return None
    # Run it here to see how many rows it changed: an INSERT … ON CONFLICT DO NOTHING
    # that found its row, or a DELETE that matched nothing, changed nothing.
    result = state.invoke_statement()
    changed: int | None = getattr(result, "rowcount", None)
    if changed is None:
        # An ORM result of RETURNING rows, one per changed row: count them on a copy.
        frozen = result.freeze()
        changed = len(frozen.data)
        result = frozen()
    if changed != 0:  # -1 (unknown to the driver) counts as a change
        _note_written(state.session, [table])
    return result


def check(session: Session) -> None:
    """Raise UnrecordedWrite if the innermost (sub)transaction changed rows without an event.

    The commit does this for the whole transaction; the relay also does it for each
    handler's savepoint, so one faulty handler fails alone instead of its whole batch.
    """
    _note_written(session, _pending_tables(session))
    marks = _marks(session)
    if marks.written and not marks.recorded and marks.upkeep is None:
        raise UnrecordedWrite(
            f"this transaction changed {', '.join(sorted(marks.written))} but recorded no "
            "event: call catachess.events.service.record() in the same transaction (G2), or "
            "mark a bookkeeping table with info={'event_exempt': 'why'}"
        )


@contextmanager
def apart(session: Session) -> Iterator[None]:
    """Check the block's writes on their own, as `check` in a savepoint of its own would:
    the relay runs a batch's handlers one after another in one transaction, and each
    handler's writes need an event of its own, not one another handler recorded. The
    block's marks then join the transaction's (if it raised, the transaction rolls back)."""
    marks = _marks(session)
    written, recorded = marks.written, marks.recorded
    marks.written, marks.recorded = set(), False
    yield
    check(session)
    marks.written |= written
    marks.recorded |= recorded


class WriteInReadRoute(RuntimeError):
    """A read route changed rows; read routes run without a transaction (a programming error)."""


def ensure_nothing_written(session: Session) -> None:
    """Raise WriteInReadRoute if this session changed domain rows (or has unflushed changes)."""
    _note_written(session, _pending_tables(session))
    written = _marks(session).written
    if written:
        raise WriteInReadRoute(
            f"a read route changed {', '.join(sorted(written))}: reads run in autocommit, "
            "so writes belong in a POST/PUT/PATCH/DELETE route (one transaction)"
        )


def _before_commit(session: Session) -> None:
    if not session.in_nested_transaction():  # releasing a savepoint is not a commit
        check(session)


def _after_commit(session: Session) -> None:
    released = session.get_nested_transaction()
    if released is not None:  # a savepoint was released: its marks now belong to its parent
        inner = _marks(session, released)
        outer = _marks(session, released.parent)
        outer.written |= inner.written
        outer.recorded |= inner.recorded


def _after_transaction_create(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        # A statement noted before autobegin (do_orm_execute runs first) joins the root.
        by_transaction = session.info.setdefault(MARKS, {})
        by_transaction[transaction] = by_transaction.pop(None, Marks())


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    session.info.get(MARKS, {}).pop(transaction, None)


LISTENERS = (
    ("after_flush", _after_flush),
    ("do_orm_execute", _do_orm_execute),
    ("before_commit", _before_commit),
    ("after_commit", _after_commit),
    ("after_transaction_create", _after_transaction_create),
    ("after_transaction_end", _after_transaction_end),
)


def install() -> None:
    """Watch every Session of this process (idempotent)."""
    for name, listener in LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def uninstall() -> None:
    """Stop watching; only for measuring the guard's own cost (bench/events.py)."""
    for name, listener in LISTENERS:
        if event.contains(Session, name, listener):
            event.remove(Session, name, listener)
