"""Hot statements compiled once and sent to asyncpg directly, inside the session's work.

SQLAlchemy spends most of a hot request's CPU around each statement (ORM execution
state, cache lookups, the cursor adapter, result and ORM row processing), far more than
asyncpg spends sending it (docs/performance.md). A `Prebuilt` statement is compiled once
for asyncpg; `fetchrow` sends it on the connection the session already holds, so it runs
in the session's transaction (a BEGIN is sent first if the session has not begun one, as
SQLAlchemy's own adapter does) and rows come back as asyncpg records, read by position.

While SQL tracing is on (ops.telemetry), statements go through the session instead, so
every statement still gets its span. Errors are translated as SQLAlchemy would (its
DBAPIError subclasses, the driver's error in `.orig`), so the same handlers apply; a
pool connection found closed is invalidated. The commit guard (events.guard) does not
see what is sent past the session: a caller that writes this way tells it
(guard.note_written).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any, NoReturn, TypeVar, cast

from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Mapper, Session, class_mapper, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state, manager_of_class
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.util import greenlet_spawn

from catachess.ops import telemetry

# session.info key: a session of db.engine.make_read_sessionmaker (autocommit).
READ_ONLY = "catachess.db.read_only"
# session.info key: (a weak reference to the root transaction, the DB-API adapter of its
# connection).
_ADAPTER = "catachess.db.raw.adapter"

T = TypeVar("T")

_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]


class Prebuilt:
    """A statement (a SELECT, or a write with RETURNING) whose SQL and constant parameters
    are computed once; `names` are the bind parameters given at each execution."""

    def __init__(self, statement: Executable, *names: str) -> None:
        compiled = cast(SQLCompiler, cast(ClauseElement, statement).compile(dialect=_DIALECT))
        self.statement = statement
        self.sql = compiled.string
        order = compiled.positiontup or []
        fixed = compiled.construct_params({name: None for name in names}, _check=False)
        processors: dict[str, Any] = dict(compiled._bind_processors)
        unknown = set(names) - set(order)
        assert not unknown, f"no such bind parameters: {unknown}"
        self._template = [
            processors[name](fixed[name]) if name in processors else fixed[name] for name in order
        ]
        self._slots = [
            (position, name, processors.get(name))
            for position, name in enumerate(order)
            if name in names  # every occurrence (a parameter may be used twice)
        ]

    async def fetchrow(self, session: AsyncSession, **params: Any) -> Sequence[Any] | None:
        """The first row (indexable by position), or None."""
        if telemetry.tracing_sql():
            traced: Sequence[Any] | None = (await session.execute(self.statement, params)).first()
            return traced
        args = self._args(params)
        if session.info.get(READ_ONLY) and not session.in_transaction():
            engine = session.bind
            assert isinstance(engine, AsyncEngine)
            return await self._fetchrow_pooled(engine, args)
        adapter = await _adapter_of(session)
        # The same steps as the adapter's cursor (AsyncAdapt_asyncpg_cursor._prepare_and_execute).
        async with adapter._execute_mutex:
            if adapter._transaction is None:
                await adapter._start_transaction()  # returns at once in autocommit
            try:
                row: Sequence[Any] | None = await adapter._connection.fetchrow(self.sql, *args)
            except Exception as error:
                self._raise_translated(adapter, error, args)
        return row

    async def fetchrow_alone(self, engine: AsyncEngine, **params: Any) -> Sequence[Any] | None:
        """The first row of a read sent alone, in autocommit, on a pool connection borrowed
        for it: no session at all (a read route that needs nothing else of the database)."""
        if telemetry.tracing_sql():
            async with engine.connect() as connection:
                result = await connection.execute(self.statement, params)
                traced: Sequence[Any] | None = result.first()
            return traced
        return await self._fetchrow_pooled(engine, self._args(params))

    def _args(self, params: dict[str, Any]) -> list[Any]:
        args = list(self._template)
        for position, name, process in self._slots:
            value = params[name]
            args[position] = value if process is None or value is None else process(value)
        return args

    def _raise_translated(self, adapter: Any, error: Exception, args: list[Any]) -> NoReturn:
        raise _translated(adapter, error, self.sql, args) from error

    async def _fetchrow_pooled(self, engine: AsyncEngine, args: list[Any]) -> Sequence[Any] | None:
        """An autocommit read that holds no connection yet: a pool connection for this one
        statement, without the Session's connection and transaction bookkeeping."""
        pooled = await engine.raw_connection()
        try:
            driver: Any = pooled.driver_connection
            row: Sequence[Any] | None = await driver.fetchrow(self.sql, *args)
            return row
        except Exception as error:
            adapter: Any = pooled.dbapi_connection
            if adapter._connection.is_closed():
                # The pool drops it instead of handing it out again.
                await greenlet_spawn(pooled.invalidate, error)
            self._raise_translated(adapter, error, args)
        finally:
            # Back to the pool (no transaction, so no ROLLBACK is sent). In a greenlet, as
            # SQLAlchemy's own AsyncConnection.close does: a pool that is full closes the
            # connection, which awaits the driver; called plainly, that raised
            # MissingGreenlet, logged as an error, and left the connection open.
            await greenlet_spawn(pooled.close)


async def _adapter_of(session: AsyncSession) -> Any:
    """The DB-API adapter of the connection the session's transaction holds (begun now if
    none was). Asked once per transaction: asking the session again costs a greenlet
    switch and a proxy per statement, for the same connection. The transaction is held
    weakly: a reference kept past its end kept what it had loaded alive (an import's
    peak memory grew by half)."""
    transaction = session.sync_session.get_transaction()
    known = session.info.get(_ADAPTER)
    if transaction is not None and transaction.is_active and known and known[0]() is transaction:
        return known[1]
    connection = await session.connection()
    adapter = (await connection.get_raw_connection()).dbapi_connection
    session.info[_ADAPTER] = (weakref.ref(session.sync_session.get_transaction()), adapter)
    return adapter


def _translated(adapter: Any, error: Exception, sql: str, args: list[Any]) -> Exception:
    """The exception SQLAlchemy would have raised for this driver error (an IntegrityError,
    an OperationalError, ... with the driver's in `.orig`), so handlers and callers that
    catch SQLAlchemy's exceptions (lock conflicts as 409, say) treat both paths alike."""
    dbapi_error = adapter.dbapi.Error
    try:
        adapter._handle_exception(error)  # raises the adapter's DB-API translation
    except dbapi_error as translated:
        wrapped: Exception = DBAPIError.instance(
            sql,
            args,
            translated,
            dbapi_error,
            connection_invalidated=adapter._connection.is_closed(),
        )
        return wrapped
    return error  # pragma: no cover (_handle_exception always raises)


def attach(session: AsyncSession, entity: type[T], values: dict[str, Any]) -> T:
    """The persistent instance of `entity` with these column values, as a query would
    have loaded it into the session: the one already there, else a new one, unmodified.

    Made the way the ORM's loading makes one (orm.loading._instance): its identity key,
    its session id and its entry in the identity map, set directly; attributes not given
    are expired, so reading one loads it, as make_transient_to_detached would leave them.
    While a listener watches attaching (none in this project), the public path is taken.
    """
    sync = session.sync_session
    mapper, primary_keys, attributes = _mapping(entity)
    key = (mapper._identity_class, tuple(values[k] for k in primary_keys), None)
    identity_map = sync.identity_map
    state = identity_map.fast_get_state(key)
    found: T | None = state.obj() if state is not None else None
    if found is not None:
        return found
    instance = built(entity, values)
    if state is not None or _watched(sync):
        make_transient_to_detached(instance)  # attribute history reset, as if just loaded
        sync.add(instance)
        return instance
    state = instance_state(instance)
    state.key = key
    missing = attributes.difference(values)
    if missing:
        state._expire_attributes(state.dict, missing)
    sync._autobegin_t()  # as Session.add would: the transaction expires it at its end
    state.session_id = sync.hash_key
    identity_map._add_unpresent(state, key)
    return instance


def _watched(session: Session) -> bool:
    """Whether a listener watches instances joining this session (Session.add's events)."""
    dispatch = session.dispatch
    return bool(dispatch.before_attach or dispatch.after_attach or dispatch.detached_to_persistent)


def built(entity: type[T], values: dict[str, Any]) -> T:
    """A transient instance of `entity` holding these column values, made the way the ORM
    makes the instances it loads (its state, then the values, no attribute events): a
    sixth of the cost of `entity(**values)`, which sends every value through the
    attribute instrumentation. `values` must be column keys of `entity`."""
    instance: T = manager_of_class(entity).new_instance()
    instance.__dict__.update(values)
    return instance


# Per entity: its mapper, its primary key's attributes and all its attributes.
_MAPPINGS: dict[type[Any], tuple[Mapper[Any], tuple[str, ...], frozenset[str]]] = {}


def _mapping(entity: type[Any]) -> tuple[Mapper[Any], tuple[str, ...], frozenset[str]]:
    found = _MAPPINGS.get(entity)
    if found is None:
        mapper = class_mapper(entity)
        keys = tuple(mapper.get_property_by_column(c).key for c in mapper.primary_key)
        found = _MAPPINGS[entity] = (mapper, keys, frozenset(manager_of_class(entity)))
    return found
